/// One served resource, as discovery describes it.
public struct APIResource: Sendable, Hashable {
    public var gvk: GroupVersionKind
    /// `statefulsets`
    public var plural: String
    /// `statefulset`
    public var singular: String
    /// `["sts"]`
    public var shortNames: [String]
    public var namespaced: Bool
    /// `["create","delete","deletecollection","get","list","patch","update","watch"]`
    public var verbs: [String]
    /// `["status","scale"]`; pods: `["status","binding","log","exec"]`
    public var subresources: [String]
    /// `["all"]` where Kubernetes has it.
    public var categories: [String]

    public init(
        gvk: GroupVersionKind, plural: String, singular: String? = nil, shortNames: [String] = [],
        namespaced: Bool, verbs: [String] = APIResource.allVerbs, subresources: [String] = [],
        categories: [String] = []
    ) {
        self.gvk = gvk
        self.plural = plural
        self.singular = singular ?? gvk.kind.lowercased()
        self.shortNames = shortNames
        self.namespaced = namespaced
        self.verbs = verbs
        self.subresources = subresources
        self.categories = categories
    }

    /// `StatefulSetList`
    public var listKind: String { gvk.kind + "List" }
    public var group: String { gvk.group }
    public var version: String { gvk.version }
    public var kind: String { gvk.kind }
    /// `statefulsets.apps`, `pods` (the core group has no suffix).
    public var groupResource: String { gvk.group.isEmpty ? plural : "\(plural).\(gvk.group)" }

    /// The verbs of a resource that supports everything.
    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// The kind a subresource serves and accepts, as discovery reports it
    /// (`statefulsets/scale` → `autoscaling/v1, Kind=Scale`), or nil when it has none.
    public func subresourceKind(_ subresource: String) -> GroupVersionKind? {
        guard subresources.contains(subresource) else { return nil }
        switch (plural, subresource) {
        case (_, "status"): return gvk
        case (_, "scale"): return GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        case ("pods", "binding"): return GroupVersionKind(group: "", version: "v1", kind: "Binding")
        case ("pods", "log"): return gvk
        case ("pods", "exec"): return GroupVersionKind(group: "", version: "v1", kind: "PodExecOptions")
        default: return nil
        }
    }

    /// The verbs discovery lists for a subresource (`pods/exec`: `get`, `create`).
    public func subresourceVerbs(_ subresource: String) -> [String] {
        switch subresource {
        case "status", "scale": return ["get", "patch", "update"]
        case "binding": return ["create"]
        case "log": return ["get"]
        case "exec": return ["create", "get"]
        default: return []
        }
    }
}
