import Foundation
import KubeModel

/// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns
/// and cells of a real cluster's `kubectl get`, from KubeModel's TableConvertor.
enum Tables {
    /// `?includeObject=None|Metadata|Object` (Metadata by default).
    enum IncludeObject: String {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    static func columnDefinitions(_ resource: APIResource) -> JSONValue {
        .array(TableConvertor.columns(for: resource).map(\.jsonValue))
    }

    static func row(_ object: JSONValue, _ resource: APIResource, include: IncludeObject, now: Date) -> JSONValue {
        TableConvertor.row(for: object, resource: resource, now: now, includeObject: TableConvertor.IncludeObject(rawValue: include.rawValue) ?? .metadata)
    }

    static func partialObjectMetadata(_ object: JSONValue) -> JSONValue {
        .object([
            "kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"),
            "metadata": object["metadata"] ?? .object([:]),
        ])
    }

    static func table(_ objects: [JSONValue], _ resource: APIResource, resourceVersion: String, continueToken: String? = nil,
                      include: IncludeObject, now: Date = Date(), withColumns: Bool = true) -> JSONValue {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return .object([
            "kind": .string("Table"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": .object(metadata),
            "columnDefinitions": withColumns ? columnDefinitions(resource) : .array([]),
            "rows": .array(objects.map { row($0, resource, include: include, now: now) }),
        ])
    }
}
