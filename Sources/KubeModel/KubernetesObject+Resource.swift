/// The catalog has no resource for a kind (a programming error the caller reports).
public struct UnservedKindError: Error, Sendable, CustomStringConvertible {
    public var gvk: GroupVersionKind
    public init(gvk: GroupVersionKind) { self.gvk = gvk }
    public var description: String { "no resource is served for \(gvk)" }
}

extension KubernetesObject {
    /// The resource this kind is served as (`Pod` → `pods`).
    public static var resource: APIResource {
        get throws(UnservedKindError) {
            guard let resource = ResourceCatalog.resource(for: gvk) else { throw UnservedKindError(gvk: gvk) }
            return resource
        }
    }

    public var name: String { metadata.name ?? "" }

    /// `namespace/name`, or `name` for cluster-scoped objects: the key of work queues.
    public var key: String {
        guard let namespace = metadata.namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }
}
