import Foundation
import KubeModel

/// The one interface controllers, the scheduler and the node agent use to reach the cluster:
/// an in-process implementation (APIServer's `LocalKubeClient`) and an HTTPS one
/// (`HTTPKubeClient`) behave the same, because both go through the server's registry.
public protocol KubeClient: Sendable {
    func get(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue
    func list(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> ObjectList<JSONValue>
    /// Events in resourceVersion order; with `options.resourceVersion` empty or "0" the current
    /// objects arrive first as ADDED.
    func watch(_ resource: APIResource, namespace: String?, options: ListOptions) async throws
        -> AsyncThrowingStream<KubeWatchEvent, any Error>
    func create(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    func update(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    func updateStatus(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    func patch(
        _ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue,
        subresource: String?
    ) async throws -> JSONValue
    /// The object as it is after the call: gone (`nil`), or still there with a deletionTimestamp.
    @discardableResult
    func delete(_ resource: APIResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue?
    /// Assigns a pod to a node (`POST …/pods/NAME/binding` with a `Binding`).
    func bind(namespace: String, name: String, binding: JSONValue) async throws
}

extension KubeClient {
    public func list(_ resource: APIResource, namespace: String? = nil) async throws -> ObjectList<JSONValue> {
        try await list(resource, namespace: namespace, options: ListOptions())
    }

    @discardableResult
    public func delete(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue? {
        try await delete(resource, namespace: namespace, name: name, options: DeleteOptions())
    }

    public func patch(
        _ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue
    ) async throws -> JSONValue {
        try await self.patch(resource, namespace: namespace, name: name, type: type, patch, subresource: nil)
    }

    /// A typed object: `try await client.get(Pod.self, pods, namespace: "default", name: "web-0")`.
    public func get<T: Decodable>(_ type: T.Type, _ resource: APIResource, namespace: String?, name: String) async throws -> T {
        try await get(resource, namespace: namespace, name: name).decode(T.self)
    }
}

/// Options of list and watch requests (`metav1.ListOptions`).
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: String? = nil, timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

extension DeleteOptions {
    /// Reads a DeleteOptions body; an empty or unreadable body means the defaults.
    public static func decoding(_ json: JSONValue) -> DeleteOptions {
        (try? json.decode(DeleteOptions.self)) ?? DeleteOptions()
    }

    /// Whether `dryRun: ["All"]` was asked for.
    public var isDryRun: Bool { dryRun?.contains("All") ?? false }
}

/// The patch formats Kubernetes accepts, by Content-Type.
public enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

/// One event of a watch (`{"type":"ADDED","object":{…}}`).
public struct KubeWatchEvent: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    public var type: EventType
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    public var json: JSONValue { .object(["type": .string(type.rawValue), "object": object]) }

    public init(json: JSONValue) throws {
        guard let raw = json["type"]?.stringValue, let type = EventType(rawValue: raw), let object = json["object"] else {
            throw KubeAPIError.badRequest("watch event without a type or an object")
        }
        self.init(type: type, object: object)
    }
}
