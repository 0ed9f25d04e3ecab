import Foundation

/// One column of a server-side Table (meta.k8s.io/v1 TableColumnDefinition).
public struct TableColumnDefinition: Codable, Sendable, Hashable {
    /// Shown upper-cased as the header (`Name` → `NAME`).
    public var name: String
    /// `string`, `integer`, `number`, `boolean` or `date`.
    public var type: String
    /// `name` for the column that holds the object's name; empty otherwise.
    public var format: String
    public var description: String
    /// 0: always shown; 1: shown by `-o wide` only.
    public var priority: Int

    public init(name: String, type: String = "string", format: String = "", description: String = "", priority: Int = 0) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    /// The JSON form a Table carries (every field present, as Kubernetes encodes it).
    public var jsonValue: JSONValue {
        .object([
            "name": .string(name), "type": .string(type), "format": .string(format),
            "description": .string(description), "priority": .int(Int64(priority)),
        ])
    }
}

/// Server-side printing: the columns and cells of a real cluster's `kubectl get`
/// (k8s.io/kubernetes/pkg/printers/internalversion). Like the API server, it always produces
/// the wide (`priority: 1`) cells; kubectl hides them unless `-o wide`.
public enum TableConvertor {
    /// The columns for a resource; `NAME` and `CREATED AT` for a kind without a printer, like
    /// the API server's default table convertor.
    public static func columns(for resource: APIResource) -> [TableColumnDefinition] {
        columns(forKind: resource.gvk.group, resource.gvk.kind)
    }

    /// The cells of one row, in the order of `columns(for:)`.
    public static func cells(for object: JSONValue, resource: APIResource, now: Date) -> [JSONValue] {
        let printer = Printer(object: object, now: now)
        switch (resource.gvk.group, resource.gvk.kind) {
        case ("", "Pod"): return printer.pod()
        case ("apps", "StatefulSet"): return printer.statefulSet()
        case ("", "Service"): return printer.service()
        case ("", "Endpoints"): return printer.endpoints()
        case ("", "PersistentVolume"): return printer.persistentVolume()
        case ("", "PersistentVolumeClaim"): return printer.persistentVolumeClaim()
        case ("storage.k8s.io", "StorageClass"): return printer.storageClass()
        case ("", "Node"): return printer.node()
        case ("", "Namespace"): return printer.namespace()
        case ("", "Event"): return printer.event()
        case ("apps", "ControllerRevision"): return printer.controllerRevision()
        case ("", "ConfigMap"): return printer.configMap()
        case ("", "Secret"): return printer.secret()
        case ("discovery.k8s.io", "EndpointSlice"): return printer.endpointSlice()
        case ("coordination.k8s.io", "Lease"): return printer.lease()
        case ("autoscaling", "Scale"): return printer.scale()
        default: return [.string(printer.name), .string(printer.string("metadata", "creationTimestamp") ?? "")]
        }
    }

    /// What a Table row carries as `object` (the `includeObject` query parameter).
    public enum IncludeObject: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    /// A whole meta.k8s.io/v1 Table for a list (or one object, or one watch event), ready to
    /// serve: `columnDefinitions`, one row per object with `cells` and a PartialObjectMetadata
    /// `object`, and the list's `metadata` (resourceVersion, continue).
    public static func table(
        for objects: [JSONValue], resource: APIResource, now: Date, resourceVersion: String? = nil,
        continueToken: String? = nil, remainingItemCount: Int64? = nil,
        includeObject: IncludeObject = .metadata, noHeaders: Bool = false
    ) -> JSONValue {
        var listMeta: [String: JSONValue] = [:]
        if let resourceVersion { listMeta["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { listMeta["continue"] = .string(continueToken) }
        if let remainingItemCount { listMeta["remainingItemCount"] = .int(remainingItemCount) }
        let rows: [JSONValue] = objects.map { row(for: $0, resource: resource, now: now, includeObject: includeObject) }
        var table: [String: JSONValue] = [
            "kind": .string("Table"),
            "apiVersion": .string("meta.k8s.io/v1"),
            "metadata": .object(listMeta),
            "rows": .array(rows),
        ]
        table["columnDefinitions"] = noHeaders ? .null : .array(columns(for: resource).map(\.jsonValue))
        return .object(table)
    }

    /// One Table row: cells and the object as `includeObject` asks.
    public static func row(for object: JSONValue, resource: APIResource, now: Date, includeObject: IncludeObject = .metadata) -> JSONValue {
        var row: [String: JSONValue] = ["cells": .array(cells(for: object, resource: resource, now: now))]
        switch includeObject {
        case .none: break
        case .object: row["object"] = object
        case .metadata:
            row["object"] = .object([
                "kind": .string("PartialObjectMetadata"),
                "apiVersion": .string("meta.k8s.io/v1"),
                "metadata": object["metadata"] ?? .object([:]),
            ])
        }
        if resource.gvk.group.isEmpty, resource.gvk.kind == "Pod" {
            switch object[path: ["status", "phase"]]?.stringValue {
            case "Succeeded":
                row["conditions"] = .array([.object([
                    "type": .string("Completed"), "status": .string("True"), "reason": .string("Succeeded"),
                    "message": .string("The pod has completed successfully."),
                ])])
            case "Failed":
                row["conditions"] = .array([.object([
                    "type": .string("Completed"), "status": .string("True"), "reason": .string("Failed"),
                    "message": .string("The pod failed."),
                ])])
            default: break
            }
        }
        return .object(row)
    }
}
