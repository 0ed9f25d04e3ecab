import Foundation
import GRDB
import KubeClient
import KubeModel
import NIOConcurrencyHelpers

/// The embedded store: SQLite through GRDB (WAL, `synchronous=FULL`, so a write is on disk
/// before it is acknowledged), with the current objects and the recent events mirrored in memory
/// so reads and watches never wait on the disk.
///
/// Tables: `objects(resource, namespace, name, rv, data)` and `events(rv, type, resource,
/// namespace, name, data)`, the latter pruned to the newest `eventWindow` rows.
public final class SQLiteStore: Store, @unchecked Sendable {
    private let database: DatabaseQueue
    /// Serializes mutations and watch registrations, so events reach watchers in rv order.
    private let writeLock = NIOLock()
    private let state: NIOLockedValueBox<State>
    private let eventWindow: Int

    private struct Subscriber {
        var resource: String
        var namespace: String?
        var continuation: AsyncStream<StoreEvent>.Continuation
    }

    private struct State {
        var resourceVersion: Int64 = 0
        /// resource → key → object
        var objects: [String: [ObjectKey: StoredObject]] = [:]
        /// Recent events, oldest first.
        var window: [StoreEvent] = []
        /// Every event with rv > windowStart is in `window`.
        var windowStart: Int64 = 0
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriber = 0
    }

    /// Opens (or creates) the database at `path`.
    public init(path: String, eventWindow: Int = 10_000) throws {
        self.eventWindow = max(eventWindow, 1)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS objects (
                        resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                        rv INTEGER NOT NULL, data BLOB NOT NULL,
                        PRIMARY KEY (resource, namespace, name));
                    CREATE TABLE IF NOT EXISTS events (
                        rv INTEGER PRIMARY KEY, type TEXT NOT NULL, resource TEXT NOT NULL,
                        namespace TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL);
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    """)
            }
        } catch {
            throw StoreError("open(\(path)): \(error)")
        }
        var loaded = State()
        try database.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT resource, namespace, name, rv, data FROM objects")
            while let row = try rows.next() {
                let key = ObjectKey(resource: row[0], namespace: row[1], name: row[2])
                let data: Data = row[4]
                let object = try JSONValue(json: data)
                loaded.objects[key.resource, default: [:]][key] = StoredObject(key: key, resourceVersion: row[3], object: object, json: data)
            }
            let events = try Row.fetchAll(db, sql: "SELECT rv, type, resource, namespace, name, data FROM events ORDER BY rv DESC LIMIT ?", arguments: [eventWindow])
            for row in events.reversed() {
                let data: Data = row[5]
                let type = KubeWatchEvent.EventType(rawValue: row[1]) ?? .modified
                loaded.window.append(StoreEvent(
                    type: type, key: ObjectKey(resource: row[2], namespace: row[3], name: row[4]),
                    resourceVersion: row[0], object: try JSONValue(json: data), json: data, previous: nil))
            }
            let lastRV = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'resourceVersion'") ?? 0
            loaded.resourceVersion = max(lastRV, loaded.window.last?.resourceVersion ?? 0)
            // Events older than the first kept one are gone: a watch from before it gets 410.
            if let first = loaded.window.first {
                loaded.windowStart = first.resourceVersion - 1
            } else {
                loaded.windowStart = loaded.resourceVersion
            }
        }
        state = NIOLockedValueBox(loaded)
    }

    public var resourceVersion: Int64 { state.withLockedValue { $0.resourceVersion } }

    public func get(_ key: ObjectKey) -> StoredObject? {
        state.withLockedValue { $0.objects[key.resource]?[key] }
    }

    public func list(resource: String, namespace: String?) -> (objects: [StoredObject], resourceVersion: Int64) {
        let (all, rv) = state.withLockedValue { state -> ([StoredObject], Int64) in
            guard let objects = state.objects[resource] else { return ([], state.resourceVersion) }
            if let namespace {
                return (objects.values.filter { $0.key.namespace == namespace }, state.resourceVersion)
            }
            return (Array(objects.values), state.resourceVersion)
        }
        return (all.sorted { $0.key < $1.key }, rv)
    }

    @discardableResult
    public func mutate(_ key: ObjectKey, _ transform: (StoredObject?) throws -> StoreMutation) throws -> StoreEvent? {
        try writeLock.withLock {
            let current = get(key)
            let mutation = try transform(current)
            let rv = resourceVersion + 1
            let event: StoreEvent
            switch mutation {
            case .unchanged:
                return nil
            case .put(var object):
                setJSON(&object, ["metadata", "resourceVersion"], .string(String(rv)))
                event = StoreEvent(type: current == nil ? .added : .modified, key: key, resourceVersion: rv,
                                   object: object, json: try object.jsonData(), previous: current?.object)
            case .delete:
                guard var object = current?.object else { return nil }
                setJSON(&object, ["metadata", "resourceVersion"], .string(String(rv)))
                event = StoreEvent(type: .deleted, key: key, resourceVersion: rv, object: object,
                                   json: try object.jsonData(), previous: current?.object)
            }
            try persist(event)
            publish(event)
            return event
        }
    }

    private func persist(_ event: StoreEvent) throws {
        let window = eventWindow
        do {
            try database.write { db in
                let key = event.key
                if event.type == .deleted {
                    try db.execute(sql: "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?",
                                   arguments: [key.resource, key.namespace, key.name])
                } else {
                    try db.execute(sql: "INSERT OR REPLACE INTO objects (resource, namespace, name, rv, data) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [key.resource, key.namespace, key.name, event.resourceVersion, event.json])
                }
                try db.execute(sql: "INSERT INTO events (rv, type, resource, namespace, name, data) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [event.resourceVersion, event.type.rawValue, key.resource, key.namespace, key.name, event.json])
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('resourceVersion', ?)", arguments: [event.resourceVersion])
                if event.resourceVersion % 256 == 0 {
                    try db.execute(sql: "DELETE FROM events WHERE rv <= ?", arguments: [event.resourceVersion - Int64(window)])
                }
            }
        } catch {
            throw StoreError("write \(event.key) at rv \(event.resourceVersion): \(error)")
        }
    }

    private func publish(_ event: StoreEvent) {
        state.withLockedValue { state in
            state.resourceVersion = event.resourceVersion
            if event.type == .deleted {
                state.objects[event.key.resource]?[event.key] = nil
            } else {
                state.objects[event.key.resource, default: [:]][event.key] = StoredObject(
                    key: event.key, resourceVersion: event.resourceVersion, object: event.object, json: event.json)
            }
            state.window.append(event)
            if state.window.count > eventWindow + eventWindow / 4 {
                let drop = state.window.count - eventWindow
                state.windowStart = state.window[drop - 1].resourceVersion
                state.window.removeFirst(drop)
            }
            for subscriber in state.subscribers.values
            where subscriber.resource == event.key.resource
                && (subscriber.namespace == nil || subscriber.namespace == event.key.namespace) {
                subscriber.continuation.yield(event)
            }
        }
    }

    public func watch(resource: String, namespace: String?, after resourceVersion: Int64?, sendInitial: Bool) throws -> StoreWatch {
        try writeLock.withLock {
            let (stream, continuation) = AsyncStream<StoreEvent>.makeStream(bufferingPolicy: .unbounded)
            let initial = try state.withLockedValue { state -> [StoreEvent] in
                var initial: [StoreEvent] = []
                if sendInitial {
                    let objects = (state.objects[resource]?.values).map(Array.init) ?? []
                    initial = objects.filter { namespace == nil || $0.key.namespace == namespace }
                        .sorted { $0.key < $1.key }
                        .map { StoreEvent(type: .added, key: $0.key, resourceVersion: $0.resourceVersion, object: $0.object, json: $0.json, previous: nil) }
                } else if let resourceVersion {
                    if resourceVersion < state.windowStart {
                        throw KubeAPIError.gone("too old resource version: \(resourceVersion) (\(state.windowStart + 1))")
                    }
                    initial = state.window.filter {
                        $0.resourceVersion > resourceVersion && $0.key.resource == resource
                            && (namespace == nil || $0.key.namespace == namespace)
                    }
                }
                let id = state.nextSubscriber
                state.nextSubscriber += 1
                state.subscribers[id] = Subscriber(resource: resource, namespace: namespace, continuation: continuation)
                continuation.onTermination = { [weak self] _ in
                    self?.state.withLockedValue { _ = $0.subscribers.removeValue(forKey: id) }
                }
                return initial
            }
            return StoreWatch(initial: initial, events: stream)
        }
    }

    /// The number of live watch subscriptions (for tests and metrics).
    public var watcherCount: Int { state.withLockedValue { $0.subscribers.count } }
}

struct StoreError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
