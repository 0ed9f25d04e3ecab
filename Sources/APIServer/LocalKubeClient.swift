import Foundation
import KubeClient
import KubeModel

/// The in-process `KubeClient`: direct calls into the server's registry, through the same
/// admission, resourceVersion and watch path as HTTPS requests.
public struct LocalKubeClient: KubeClient {
    let registry: Registry

    public init(registry: Registry) {
        self.registry = registry
    }

    public func get(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue {
        try registry.get(resource, namespace: namespace, name: name).object
    }

    public func list(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> ObjectList<JSONValue> {
        let page = try registry.list(resource, namespace: namespace, options: options)
        return ObjectList(apiVersion: resource.gvk.apiVersion, kind: resource.listKind,
                          metadata: ListMeta(resourceVersion: String(page.resourceVersion), continue: page.continueToken),
                          items: page.objects.map(\.object))
    }

    public func watch(_ resource: APIResource, namespace: String?, options: ListOptions) async throws
        -> AsyncThrowingStream<KubeWatchEvent, any Error>
    {
        let events: AsyncStream<StoreEvent>
        do {
            events = try registry.watch(resource, namespace: namespace, options: options)
        } catch let error as KubeAPIError where error.code == 410 {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let timeout = options.timeoutSeconds
        return AsyncThrowingStream { continuation in
            let task = Task {
                for await event in events {
                    continuation.yield(KubeWatchEvent(type: event.type, object: event.object))
                }
                continuation.finish()
            }
            let timer = Task {
                guard let timeout else { return }
                try? await Task.sleep(nanoseconds: UInt64(timeout) * 1_000_000_000)
                task.cancel()
                continuation.finish()
            }
            continuation.onTermination = { _ in
                task.cancel()
                timer.cancel()
            }
        }
    }

    public func create(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        try await registry.offload { [registry] in try registry.create(resource, namespace: namespace ?? (resource.namespaced ? metadataString(object, "namespace") ?? "default" : nil), object) }
    }

    public func update(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        try await registry.offload { [registry] in try registry.update(resource, namespace: namespace ?? metadataString(object, "namespace"), name: metadataString(object, "name") ?? "", object) }
    }

    public func updateStatus(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        try await registry.offload { [registry] in try registry.update(resource, namespace: namespace ?? metadataString(object, "namespace"), name: metadataString(object, "name") ?? "", object, subresource: "status") }
    }

    public func patch(_ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue,
                      subresource: String?) async throws -> JSONValue {
        if subresource == "scale" {
            return try await registry.offload { [registry] in try registry.updateScale(resource, namespace: namespace, name: name) { current in
                try Patches.apply(type, patch, to: current, gvk: Patches.scaleKind)
            } }
        }
        return try await registry.offload { [registry] in try registry.patch(resource, namespace: namespace, name: name, type: type, patch, subresource: subresource) }
    }

    @discardableResult
    public func delete(_ resource: APIResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        let result = try await registry.offload { [registry] in try registry.delete(resource, namespace: namespace, name: name, options: options) }
        return result.deleted ? nil : result.object
    }

    public func bind(namespace: String, name: String, binding: JSONValue) async throws {
        try registry.bind(namespace: namespace, name: name, binding: binding)
    }
}
