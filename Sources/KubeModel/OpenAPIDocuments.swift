import Foundation

/// OpenAPI v3 documents (`/openapi/v3` and `/openapi/v3/<api/v1|apis/group/version>`),
/// generated from `Schema` in the shapes kube-openapi serves: `components.schemas` named like
/// Kubernetes with `x-kubernetes-group-version-kind` and the patch-merge extensions kubectl reads
/// to compute strategic merge patches, and `paths` whose operations carry
/// `x-kubernetes-group-version-kind`, `x-kubernetes-action` and the `fieldValidation` parameter
/// kubectl looks for before it asks the server to validate fields.
public enum OpenAPIDocuments {
    /// The `/openapi/v3` body: each group version's document URL with its `?hash=`.
    public static func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for entry in serialized.values {
            paths[entry.key] = .object(["serverRelativeURL": .string("/openapi/v3/\(entry.key)?hash=\(entry.hash)")])
        }
        return .object(["paths": .object(paths)])
    }

    /// The document of `/openapi/v3/api/v1` (group "") or `/openapi/v3/apis/<group>/<version>`.
    public static func document(group: String, version: String) -> JSONValue? {
        serialized[key(group: group, version: version)]?.document
    }

    /// The exact bytes to serve for a group version and their hash (the `?hash=` value and the
    /// ETag): serving these bytes keeps the index's hashes true.
    public static func serializedDocument(group: String, version: String) -> (data: Data, hash: String)? {
        serialized[key(group: group, version: version)].map { ($0.data, $0.hash) }
    }

    /// `api/v1`, `apis/apps/v1`: the index key and URL path of a group version.
    public static func key(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    struct Serialized: Sendable {
        var key: String
        var document: JSONValue
        var data: Data
        var hash: String
    }

    static let serialized: [String: Serialized] = {
        var result: [String: Serialized] = [:]
        for (group, version) in Schema.groupVersions {
            let document = build(group: group, version: version)
            let data = (try? document.jsonData()) ?? Data()
            let key = key(group: group, version: version)
            result[key] = Serialized(key: key, document: document, data: data, hash: SHA512.hexDigest(data))
        }
        return result
    }()

    // MARK: building

    static let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."

    static func build(group: String, version: String) -> JSONValue {
        let resources = ResourceCatalog.all.filter { $0.gvk.group == group && $0.gvk.version == version }
        var paths: [String: JSONValue] = [:]
        var roots: Set<String> = [meta + "Status", meta + "DeleteOptions", meta + "Patch", meta + "APIResourceList"]
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let tag = tagName(group: group, version: version)
        paths[base + "/"] = .object(["get": .object([
            "tags": .array([.string(tag)]),
            "description": .string("get available resources"),
            "operationId": .string("get\(operationGroup(group: group, version: version))APIResources"),
            "responses": responses(meta + "APIResourceList", extra: ["application/yaml", "application/vnd.kubernetes.protobuf"]),
        ])])
        for resource in resources {
            let gvk = resource.gvk
            roots.insert(Schema.definitionName(for: gvk))
            roots.insert(Schema.definitionName(for: GroupVersionKind(group: gvk.group, version: gvk.version, kind: resource.listKind)))
            for (path, item) in PathBuilder(resource: resource, base: base, tag: tag).items() {
                paths[path] = item
            }
            if resource.subresources.contains("scale") { roots.insert("io.k8s.api.autoscaling.v1.Scale") }
            if resource.subresources.contains("binding") { roots.insert("io.k8s.api.core.v1.Binding") }
        }
        if group == "autoscaling" { roots.insert("io.k8s.api.autoscaling.v1.Scale") }
        var schemas: [String: JSONValue] = [:]
        for name in closure(of: roots) {
            schemas[name] = componentSchema(name)
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string("v1.33.0")]),
            "paths": .object(paths),
            "components": .object([
                "schemas": .object(schemas),
                "securitySchemes": .object(["BearerToken": .object([
                    "type": .string("apiKey"), "name": .string("authorization"), "in": .string("header"),
                    "description": .string("Bearer Token authentication"),
                ])]),
            ]),
        ])
    }

    static func tagName(group: String, version: String) -> String {
        let short = group.isEmpty ? "core" : (group.hasSuffix(".k8s.io") ? String(group.dropLast(7)) : group)
        return "\(short.replacingOccurrences(of: ".", with: "_"))_\(version)"
    }

    /// `CoreV1`, `AppsV1`, `StorageV1`, `CoordinationV1` as in operation IDs.
    static func operationGroup(group: String, version: String) -> String {
        let short = group.isEmpty ? "core" : (group.hasSuffix(".k8s.io") ? String(group.dropLast(7)) : group)
        let words = short.split(whereSeparator: { $0 == "." || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.joined() + version.prefix(1).uppercased() + version.dropFirst()
    }

    /// Every definition reachable from `roots` (plus the scalar wrappers they use).
    static func closure(of roots: Set<String>) -> Set<String> {
        var seen: Set<String> = []
        var queue = Array(roots)
        while let name = queue.popLast() {
            guard seen.insert(name).inserted else { continue }
            guard let definition = Schema.definition(named: name) else { continue }
            for field in definition.fields.values {
                queue += referencedNames(field.type)
            }
        }
        return seen
    }

    static func referencedNames(_ type: SchemaType) -> [String] {
        switch type {
        case .reference(let name): return [name]
        case .array(let element), .map(let element): return referencedNames(element)
        case .quantity: return ["io.k8s.apimachinery.pkg.api.resource.Quantity"]
        case .intOrString: return ["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
        case .time: return [meta + "Time"]
        case .microTime: return [meta + "MicroTime"]
        case .rawExtension: return ["io.k8s.apimachinery.pkg.runtime.RawExtension"]
        case .fieldsV1: return [meta + "FieldsV1"]
        default: return []
        }
    }

    // MARK: schemas

    /// A `components.schemas` entry.
    static func componentSchema(_ name: String) -> JSONValue {
        switch name {
        case "io.k8s.apimachinery.pkg.api.resource.Quantity":
            return .object([
                "description": .string("Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors."),
                "oneOf": .array([.object(["type": .string("string")]), .object(["type": .string("number")])]),
            ])
        case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
            return .object([
                "description": .string("IntOrString is a type that can hold an int32 or a string."),
                "format": .string("int-or-string"),
                "oneOf": .array([.object(["type": .string("integer")]), .object(["type": .string("string")])]),
            ])
        case meta + "Time":
            return .object(["description": .string("Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON."),
                            "type": .string("string"), "format": .string("date-time")])
        case meta + "MicroTime":
            return .object(["description": .string("MicroTime is version of Time with microsecond level precision."),
                            "type": .string("string"), "format": .string("date-time")])
        case "io.k8s.apimachinery.pkg.runtime.RawExtension":
            return .object(["description": .string("RawExtension is used to hold extensions in external versions."), "type": .string("object")])
        case meta + "FieldsV1":
            return .object(["description": .string("FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format."), "type": .string("object")])
        case meta + "Patch":
            return .object(["description": .string("Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."), "type": .string("object")])
        case meta + "APIResourceList":
            return .object([
                "description": .string("APIResourceList is a list of APIResource, it is used to expose the name of the resources supported in a specific group and version, and if the resource is namespaced."),
                "type": .string("object"),
                "required": .array([.string("groupVersion"), .string("resources")]),
                "properties": .object([
                    "apiVersion": .object(["type": .string("string")]),
                    "kind": .object(["type": .string("string")]),
                    "groupVersion": .object(["type": .string("string"), "default": .string("")]),
                    "resources": .object(["type": .string("array"), "items": .object(["type": .string("object")])]),
                ]),
                "x-kubernetes-group-version-kind": .array([gvkValue(GroupVersionKind(group: "", version: "v1", kind: "APIResourceList"))]),
            ])
        default:
            break
        }
        guard let definition = Schema.definition(named: name) else { return .object(["type": .string("object")]) }
        var properties: [String: JSONValue] = [:]
        for field in definition.fields.values {
            properties[field.name] = propertySchema(field)
        }
        var schema: [String: JSONValue] = ["type": .string("object"), "properties": .object(properties)]
        if !definition.description.isEmpty { schema["description"] = .string(definition.description) }
        let required = definition.fields.values.filter(\.required).map(\.name).sorted()
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if !definition.kinds.isEmpty { schema["x-kubernetes-group-version-kind"] = .array(definition.kinds.map(gvkValue)) }
        return .object(schema)
    }

    static func gvkValue(_ gvk: GroupVersionKind) -> JSONValue {
        .object(["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)])
    }

    static func propertySchema(_ field: SchemaField) -> JSONValue {
        var schema = typeSchema(field.type)
        guard case .object(var members) = schema else { return schema }
        if !field.description.isEmpty { members["description"] = .string(field.description) }
        if case .array = field.type {
            if let strategy = field.patchStrategy.isEmpty ? nil : field.patchStrategy.joined(separator: ",") {
                members["x-kubernetes-patch-strategy"] = .string(strategy)
            }
            if let key = field.patchMergeKey { members["x-kubernetes-patch-merge-key"] = .string(key) }
            if let listType = field.listType { members["x-kubernetes-list-type"] = .string(listType) }
            if !field.listMapKeys.isEmpty { members["x-kubernetes-list-map-keys"] = .array(field.listMapKeys.map { .string($0) }) }
        } else if !field.patchStrategy.isEmpty {
            members["x-kubernetes-patch-strategy"] = .string(field.patchStrategy.joined(separator: ","))
        }
        schema = .object(members)
        return schema
    }

    /// The schema of a type in the position of a property or an item: references are wrapped
    /// in `allOf` with a default, as kube-openapi writes v3.
    static func typeSchema(_ type: SchemaType) -> JSONValue {
        func ref(_ name: String, defaultValue: JSONValue? = nil) -> JSONValue {
            var members: [String: JSONValue] = ["allOf": .array([.object(["$ref": .string("#/components/schemas/\(name)")])])]
            if let defaultValue { members["default"] = defaultValue }
            return .object(members)
        }
        switch type {
        case .string: return .object(["type": .string("string")])
        case .byte: return .object(["type": .string("string"), "format": .string("byte")])
        case .int32: return .object(["type": .string("integer"), "format": .string("int32")])
        case .int64: return .object(["type": .string("integer"), "format": .string("int64")])
        case .double: return .object(["type": .string("number"), "format": .string("double")])
        case .boolean: return .object(["type": .string("boolean")])
        case .quantity: return ref("io.k8s.apimachinery.pkg.api.resource.Quantity")
        case .intOrString: return ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
        case .time: return ref(meta + "Time")
        case .microTime: return ref(meta + "MicroTime")
        case .rawExtension: return ref("io.k8s.apimachinery.pkg.runtime.RawExtension")
        case .fieldsV1: return ref(meta + "FieldsV1")
        case .reference(let name): return ref(name, defaultValue: .object([:]))
        case .array(let element):
            return .object(["type": .string("array"), "items": itemSchema(element)])
        case .map(let value):
            return .object(["type": .string("object"), "additionalProperties": itemSchema(value)])
        }
    }

    private static func itemSchema(_ type: SchemaType) -> JSONValue {
        guard case .object(var members) = typeSchema(type) else { return typeSchema(type) }
        switch type {
        case .string: members["default"] = .string("")
        case .int32, .int64: members["default"] = .int(0)
        default: break
        }
        return .object(members)
    }

    static func responses(_ schemaName: String, code: String = "200", extra: [String] = ["application/yaml", "application/vnd.kubernetes.protobuf"]) -> JSONValue {
        var content: [String: JSONValue] = [:]
        for type in ["application/json"] + extra {
            content[type] = .object(["schema": .object(["$ref": .string("#/components/schemas/\(schemaName)")])])
        }
        return .object([
            code: .object(["description": .string(code == "201" ? "Created" : code == "202" ? "Accepted" : "OK"), "content": .object(content)]),
            "401": .object(["description": .string("Unauthorized")]),
        ])
    }
}
