import KubeModel

/// Typed calls for controllers: objects go in and come out as KubeModel structs.
extension KubeClient {
    public func get<T: KubernetesObject>(_ type: T.Type, namespace: String? = nil, name: String) async throws -> T {
        try await get(T.resource, namespace: namespace, name: name).decode(T.self)
    }

    /// The object, or nil when it does not exist.
    public func getIfExists<T: KubernetesObject>(_ type: T.Type, namespace: String? = nil, name: String) async throws -> T? {
        do {
            return try await get(type, namespace: namespace, name: name)
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    public func list<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil
    ) async throws -> [T] {
        let options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector)
        return try await list(T.resource, namespace: namespace, options: options).items.map { try $0.decode(T.self) }
    }

    @discardableResult
    public func create<T: KubernetesObject>(_ object: T) async throws -> T {
        try await create(T.resource, namespace: object.metadata.namespace, object.jsonValue()).decode(T.self)
    }

    @discardableResult
    public func update<T: KubernetesObject>(_ object: T) async throws -> T {
        try await update(T.resource, namespace: object.metadata.namespace, object.jsonValue()).decode(T.self)
    }

    @discardableResult
    public func updateStatus<T: KubernetesObject>(_ object: T) async throws -> T {
        try await updateStatus(T.resource, namespace: object.metadata.namespace, object.jsonValue()).decode(T.self)
    }

    /// A JSON merge patch of the object (or of its status subresource).
    @discardableResult
    public func mergePatch<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, name: String, _ patch: JSONValue, subresource: String? = nil
    ) async throws -> T {
        try await self.patch(T.resource, namespace: namespace, name: name, type: .merge, patch, subresource: subresource)
            .decode(T.self)
    }

    /// Deletes the object; a missing object is not an error. Returns whether it is gone.
    @discardableResult
    public func delete<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, name: String, options: DeleteOptions = DeleteOptions()
    ) async throws -> Bool {
        do {
            return try await delete(T.resource, namespace: namespace, name: name, options: options) == nil
        } catch let error as KubeAPIError where error.isNotFound {
            return true
        }
    }
}
