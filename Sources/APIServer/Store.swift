import Foundation
import KubeClient
import KubeModel

/// Where an object lives: its resource (`statefulsets.apps`), namespace ("" when
/// cluster-scoped) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var resource: String
    public var namespace: String
    public var name: String

    public init(resource: String, namespace: String, name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.resource, a.namespace, a.name) < (b.resource, b.namespace, b.name)
    }

    public var description: String { namespace.isEmpty ? "\(resource)/\(name)" : "\(resource)/\(namespace)/\(name)" }
}

/// An object as stored: its JSON (with `metadata.resourceVersion` set) and its encoded bytes.
public struct StoredObject: Sendable {
    public var key: ObjectKey
    public var resourceVersion: Int64
    public var object: JSONValue
    /// `object` encoded with sorted keys: what GET answers without encoding again.
    public var json: Data
}

/// A change, in the order of the global resourceVersion.
public struct StoreEvent: Sendable {
    public var type: KubeWatchEvent.EventType
    public var key: ObjectKey
    public var resourceVersion: Int64
    /// The object after the change (for DELETED: its last state, carrying the deletion's rv).
    public var object: JSONValue
    public var json: Data
    /// The object before the change (nil for ADDED, and for events replayed after a restart).
    public var previous: JSONValue?
}

/// What a `mutate` transform asks the store to do.
public enum StoreMutation: Sendable {
    case put(JSONValue)
    case delete
    case unchanged
}

/// The outcome of registering a watch: the events to send first, then the live ones.
public struct StoreWatch: Sendable {
    public var initial: [StoreEvent]
    public var events: AsyncStream<StoreEvent>
}

/// Persistent object storage with one global, monotonically increasing resourceVersion and a
/// window of recent events for watches. Every `mutate` is durable before it returns.
public protocol Store: Sendable {
    /// The resourceVersion of the last write.
    var resourceVersion: Int64 { get }
    func get(_ key: ObjectKey) -> StoredObject?
    /// The objects of a resource (in one namespace, or all when nil), ordered by namespace and
    /// name, with the resourceVersion they were read at.
    func list(resource: String, namespace: String?) -> (objects: [StoredObject], resourceVersion: Int64)
    /// Atomically reads the object, lets `transform` decide, and writes the result with the next
    /// resourceVersion (set into `metadata.resourceVersion`). Returns the event, or nil for `.unchanged`.
    @discardableResult
    func mutate(_ key: ObjectKey, _ transform: (StoredObject?) throws -> StoreMutation) throws -> StoreEvent?
    /// Changes of a resource after `resourceVersion` (nil: only future ones; 0 with
    /// `sendInitial`: the current objects as ADDED first). Throws 410 Gone when
    /// `resourceVersion` is older than the kept window.
    func watch(resource: String, namespace: String?, after resourceVersion: Int64?, sendInitial: Bool) throws -> StoreWatch
}
