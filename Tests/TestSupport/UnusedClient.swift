import KubeClient
import KubeModel

/// A `KubeClient` for code under test that must not reach the API: every call throws.
public struct UnusedClient: KubeClient {
    public struct Unused: Error {}

    public init() {}

    public func get(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue { throw Unused() }
    public func list(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> ObjectList<JSONValue> { throw Unused() }
    public func watch(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> AsyncThrowingStream<KubeWatchEvent, any Error> { throw Unused() }
    public func create(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue { throw Unused() }
    public func update(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue { throw Unused() }
    public func updateStatus(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue { throw Unused() }
    public func patch(_ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue, subresource: String?) async throws -> JSONValue { throw Unused() }
    public func delete(_ resource: APIResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? { throw Unused() }
    public func bind(namespace: String, name: String, binding: JSONValue) async throws { throw Unused() }
}
