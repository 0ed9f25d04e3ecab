/// Every resource the server serves, in discovery order (groups as a real cluster orders them,
/// resources alphabetical within a group version).
public enum ResourceCatalog {
    private static func core(_ kind: String, _ plural: String, singular: String? = nil, short: [String] = [],
                             namespaced: Bool = true, verbs: [String] = APIResource.allVerbs,
                             sub: [String] = [], categories: [String] = []) -> APIResource {
        APIResource(gvk: GroupVersionKind(group: "", version: "v1", kind: kind), plural: plural,
                    singular: singular, shortNames: short, namespaced: namespaced, verbs: verbs,
                    subresources: sub, categories: categories)
    }

    public static let all: [APIResource] = [
        // core/v1
        core("ConfigMap", "configmaps", short: ["cm"]),
        core("Endpoints", "endpoints", singular: "endpoints", short: ["ep"]),
        core("Event", "events", short: ["ev"]),
        core("Namespace", "namespaces", short: ["ns"], namespaced: false,
             verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], sub: ["status"]),
        core("Node", "nodes", short: ["no"], namespaced: false, sub: ["status"]),
        core("PersistentVolumeClaim", "persistentvolumeclaims", short: ["pvc"], sub: ["status"]),
        core("PersistentVolume", "persistentvolumes", short: ["pv"], namespaced: false, sub: ["status"]),
        core("Pod", "pods", short: ["po"], sub: ["binding", "exec", "log", "status"], categories: ["all"]),
        core("Secret", "secrets"),
        core("Service", "services", short: ["svc"],
             verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], sub: ["status"],
             categories: ["all"]),
        // apps/v1
        APIResource(gvk: GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision"),
                    plural: "controllerrevisions", namespaced: true),
        APIResource(gvk: GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"),
                    plural: "statefulsets", shortNames: ["sts"], namespaced: true,
                    subresources: ["scale", "status"], categories: ["all"]),
        // coordination.k8s.io/v1
        APIResource(gvk: GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"),
                    plural: "leases", namespaced: true),
        // discovery.k8s.io/v1
        APIResource(gvk: GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice"),
                    plural: "endpointslices", namespaced: true),
        // storage.k8s.io/v1
        APIResource(gvk: GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass"),
                    plural: "storageclasses", shortNames: ["sc"], namespaced: false),
    ]

    /// The group versions served, in discovery order (`""/v1` first).
    public static var groupVersions: [(group: String, version: String)] {
        var seen: [String] = []
        var result: [(group: String, version: String)] = []
        for resource in all where !seen.contains(resource.gvk.apiVersion) {
            seen.append(resource.gvk.apiVersion)
            result.append((resource.gvk.group, resource.gvk.version))
        }
        return result
    }

    /// The resources of one group version, in discovery order.
    public static func resources(group: String, version: String) -> [APIResource] {
        all.filter { $0.gvk.group == group && $0.gvk.version == version }
    }

    public static func resource(group: String, version: String, plural: String) -> APIResource? {
        all.first { $0.gvk.group == group && $0.gvk.version == version && $0.plural == plural }
    }

    public static func resource(for gvk: GroupVersionKind) -> APIResource? {
        all.first { $0.gvk == gvk }
    }

    /// The resource a user means by `pods`, `po`, `pod`, `Pod`, `statefulsets.apps`, `sts` — as
    /// kubectl resolves names on the command line.
    public static func resource(named name: String) -> APIResource? {
        let lowered = name.lowercased()
        let (base, group): (String, String?) = {
            if let dot = lowered.firstIndex(of: ".") {
                return (String(lowered[..<dot]), String(lowered[lowered.index(after: dot)...]))
            }
            return (lowered, nil)
        }()
        return all.first { resource in
            if let group, resource.gvk.group != group { return false }
            return resource.plural == base || resource.singular == base
                || resource.shortNames.contains(base) || resource.gvk.kind.lowercased() == base
        }
    }
}
