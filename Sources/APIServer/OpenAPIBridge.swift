import Foundation
import KubeModel

/// OpenAPI v3 documents. Until KubeModel's OpenAPIDocuments lands: the index and empty
/// per-group-version documents.
enum OpenAPIBridge {
    static func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for gv in ResourceCatalog.groupVersions {
            let path = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
            paths[path] = .object(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=0")])
        }
        return .object(["paths": .object(paths)])
    }

    static func document(group: String, version: String) -> JSONValue? {
        guard !ResourceCatalog.resources(group: group, version: version).isEmpty else { return nil }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string("unversioned")]),
            "paths": .object([:]), "components": .object(["schemas": .object([:])]),
        ])
    }
}
