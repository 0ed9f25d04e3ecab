import Foundation
import KubeModel

/// Discovery documents: legacy (`APIVersions`, `APIGroupList`, `APIResourceList`) and
/// aggregated (`APIGroupDiscoveryList` v2 / v2beta1).
enum Discovery {
    static let aggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    static let aggregatedV2Beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

    /// Which aggregated form an Accept header asks for, if any (v2 preferred).
    static func aggregatedVersion(accept: String) -> String? {
        let offers = accept.split(separator: ",").map { $0.replacingOccurrences(of: " ", with: "") }
        for offer in offers where offer.contains("as=APIGroupDiscoveryList") && offer.contains("g=apidiscovery.k8s.io") {
            if offer.contains("v=v2beta1") { return "v2beta1" }
            if offer.contains("v=v2") { return "v2" }
        }
        return nil
    }

    static func groups(core: Bool) -> [(group: String, version: String)] {
        ResourceCatalog.groupVersions.filter { $0.group.isEmpty == core }
    }

    static func apiVersions(serverAddress: String) -> JSONValue {
        .object([
            "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
            "serverAddressByClientCIDRs": .array([.object(["clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string(serverAddress)])]),
        ])
    }

    static func apiGroup(_ group: String) -> JSONValue? {
        let versions = ResourceCatalog.groupVersions.filter { $0.group == group }
        guard let preferred = versions.first else { return nil }
        return .object([
            "kind": .string("APIGroup"), "apiVersion": .string("v1"), "name": .string(group),
            "versions": .array(versions.map { groupVersionForDiscovery($0.group, $0.version) }),
            "preferredVersion": groupVersionForDiscovery(preferred.group, preferred.version),
        ])
    }

    private static func groupVersionForDiscovery(_ group: String, _ version: String) -> JSONValue {
        .object(["groupVersion": .string("\(group)/\(version)"), "version": .string(version)])
    }

    static func apiGroupList() -> JSONValue {
        var names: [String] = []
        for gv in groups(core: false) where !names.contains(gv.group) { names.append(gv.group) }
        return .object([
            "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
            "groups": .array(names.compactMap { apiGroup($0).map { group in
                var g = group
                g["kind"] = nil
                g["apiVersion"] = nil
                return g
            } }),
        ])
    }

    static func apiResourceList(group: String, version: String) -> JSONValue? {
        let resources = ResourceCatalog.resources(group: group, version: version)
        guard !resources.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in resources {
            var entry: [String: JSONValue] = [
                "name": .string(resource.plural), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.namespaced), "kind": .string(resource.gvk.kind),
                "verbs": .array(resource.verbs.map { .string($0) }),
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map { .string($0) }) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map { .string($0) }) }
            entries.append(.object(entry))
            for sub in resource.subresources {
                let kind = resource.subresourceKind(sub) ?? resource.gvk
                var subEntry: [String: JSONValue] = [
                    "name": .string("\(resource.plural)/\(sub)"), "singularName": .string(""),
                    "namespaced": .bool(resource.namespaced), "kind": .string(kind.kind),
                    "verbs": .array(resource.subresourceVerbs(sub).map { .string($0) }),
                ]
                if kind.group != resource.gvk.group || kind.version != resource.gvk.version {
                    subEntry["group"] = .string(kind.group)
                    subEntry["version"] = .string(kind.version)
                }
                entries.append(.object(subEntry))
            }
        }
        return .object([
            "kind": .string("APIResourceList"), "apiVersion": .string("v1"),
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(entries),
        ])
    }

    /// `APIGroupDiscoveryList` for `/api` (core) or `/apis` (the named groups).
    static func aggregated(core: Bool, version: String) -> JSONValue {
        var groupNames: [String] = []
        for gv in groups(core: core) where !groupNames.contains(gv.group) { groupNames.append(gv.group) }
        let items: [JSONValue] = groupNames.map { group in
            let versions = ResourceCatalog.groupVersions.filter { $0.group == group }
            return .object([
                "metadata": .object(["name": .string(group), "creationTimestamp": .null]),
                "versions": .array(versions.map { gv in
                    .object([
                        "version": .string(gv.version),
                        "resources": .array(ResourceCatalog.resources(group: gv.group, version: gv.version).map(aggregatedResource)),
                        "freshness": .string("Current"),
                    ])
                }),
            ])
        }
        return .object([
            "kind": .string("APIGroupDiscoveryList"), "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
            "metadata": .object([:]), "items": .array(items),
        ])
    }

    private static func aggregatedResource(_ resource: APIResource) -> JSONValue {
        func kind(_ gvk: GroupVersionKind) -> JSONValue {
            .object(["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)])
        }
        var entry: [String: JSONValue] = [
            "resource": .string(resource.plural), "responseKind": kind(resource.gvk),
            "scope": .string(resource.namespaced ? "Namespaced" : "Cluster"),
            "singularResource": .string(resource.singular),
            "verbs": .array(resource.verbs.map { .string($0) }),
        ]
        if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map { .string($0) }) }
        if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map { .string($0) }) }
        if !resource.subresources.isEmpty {
            entry["subresources"] = .array(resource.subresources.map { sub in
                var subEntry: [String: JSONValue] = [
                    "subresource": .string(sub), "verbs": .array(resource.subresourceVerbs(sub).map { .string($0) }),
                ]
                if let gvk = resource.subresourceKind(sub) { subEntry["responseKind"] = kind(gvk) }
                return .object(subEntry)
            })
        }
        return .object(entry)
    }
}
