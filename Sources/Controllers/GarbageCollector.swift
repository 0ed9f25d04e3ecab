import Foundation
import KubeClient
import KubeModel
import Logging

/// The garbage collector (`pkg/controller/garbagecollector`): deletes objects whose owners are
/// all gone (Background), deletes the dependents of an owner deleted in the foreground before
/// the owner itself (`foregroundDeletion`, `blockOwnerDeletion`), and frees the dependents of
/// an owner deleted with Orphan (`orphan`).
public struct GarbageCollector: Sendable {
    let client: any KubeClient
    let graph = OwnerGraph()
    let queue: WorkQueue<String>
    let logger = Logger(label: "minikube-swift.garbage-collector")

    public init(client: any KubeClient, clock: any Clock<Duration> = ContinuousClock()) {
        self.client = client
        self.queue = WorkQueue(clock: clock)
    }

    /// Watches every resource that can have owners and collects until the task is cancelled.
    public func run() async {
        let (queue, client, graph) = (self.queue, self.client, self.graph)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for resource in ResourceCatalog.all where resource.plural != "events" && resource.verbs.contains("watch") {
                    group.addTask {
                        await ResourceWatcher(client: client, resource: resource).run { event in
                            for uid in await graph.apply(event, resource: resource) { await queue.add(uid) }
                        }
                    }
                }
                group.addTask { await Controller(name: "garbagecollector", queue: queue) { try await self.sync($0) }.run(workers: 2) }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    /// One step for the object with `uid`.
    public func sync(_ uid: String) async throws {
        guard let node = await graph.node(uid) else { return }
        let object: JSONValue
        do {
            object = try await client.get(node.resource, namespace: node.namespace, name: node.name)
        } catch let error as KubeAPIError where error.isNotFound {
            for dependent in await graph.remove(uid) { await queue.add(dependent) }
            return
        }
        guard let meta = try? (object["metadata"] ?? [:]).decode(ObjectMeta.self), meta.uid == uid else { return }
        let finalizers = meta.finalizers ?? []

        if meta.deletionTimestamp != nil {
            if finalizers.contains("orphan") {
                for dependent in await graph.dependents(of: uid) { try await removeOwner(uid, from: dependent) }
                try await removeFinalizer("orphan", from: node, finalizers: finalizers)
                return
            }
            if finalizers.contains("foregroundDeletion") {
                var blocking = 0
                for dependent in await graph.dependents(of: uid) {
                    if dependent.blocksOwnerDeletion(uid) { blocking += 1 }
                    if !dependent.deleting {
                        try await client.delete(dependent.resource, namespace: dependent.namespace, name: dependent.name,
                                                options: DeleteOptions(propagationPolicy: "Foreground"))
                    }
                }
                if blocking == 0 { try await removeFinalizer("foregroundDeletion", from: node, finalizers: finalizers) }
                return
            }
        }

        let owners = meta.ownerReferences ?? []
        guard !owners.isEmpty else { return }
        var dangling: [OwnerReference] = []
        var deletingInForeground = 0
        for owner in owners {
            guard let state = try await ownerState(owner, namespace: node.namespace) else {
                dangling.append(owner)
                continue
            }
            if state.foregroundDeletion && owner.blockOwnerDeletion == true { deletingInForeground += 1 }
        }
        if dangling.count == owners.count {
            guard meta.deletionTimestamp == nil else { return }
            logger.debug("deleting \(node.resource.plural) \(node.name): its owners are gone")
            try await client.delete(node.resource, namespace: node.namespace, name: node.name,
                                    options: DeleteOptions(preconditions: Preconditions(uid: uid), propagationPolicy: "Background"))
        } else if deletingInForeground + dangling.count == owners.count {
            guard meta.deletionTimestamp == nil else { return }
            try await client.delete(node.resource, namespace: node.namespace, name: node.name,
                                    options: DeleteOptions(preconditions: Preconditions(uid: uid), propagationPolicy: "Foreground"))
        } else if !dangling.isEmpty {
            let kept = owners.filter { owner in !dangling.contains { $0.uid == owner.uid } }
            _ = try await client.patch(node.resource, namespace: node.namespace, name: node.name, type: .merge,
                                       ["metadata": ["ownerReferences": try JSONValue(encoding: kept)]], subresource: nil)
        }
    }

    /// The owner as it stands (nil when it is gone or another object now has its name).
    func ownerState(_ owner: OwnerReference, namespace: String?) async throws -> (uid: String, foregroundDeletion: Bool)? {
        let gvk = Self.gvk(apiVersion: owner.apiVersion, kind: owner.kind)
        guard let resource = ResourceCatalog.resource(for: gvk) else { return nil }
        do {
            let object = try await client.get(resource, namespace: resource.namespaced ? namespace : nil, name: owner.name)
            guard object[path: ["metadata", "uid"]]?.stringValue == owner.uid else { return nil }
            let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            return (owner.uid, finalizers.contains("foregroundDeletion"))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    static func gvk(apiVersion: String, kind: String) -> GroupVersionKind {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2
            ? GroupVersionKind(group: parts[0], version: parts[1], kind: kind)
            : GroupVersionKind(group: "", version: apiVersion, kind: kind)
    }

    func removeOwner(_ uid: String, from dependent: OwnerGraph.Node) async throws {
        let current = try await client.get(dependent.resource, namespace: dependent.namespace, name: dependent.name)
        let owners = (current[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid }
        _ = try await client.patch(dependent.resource, namespace: dependent.namespace, name: dependent.name, type: .merge,
                                   ["metadata": ["ownerReferences": owners.isEmpty ? .null : .array(owners)]], subresource: nil)
    }

    func removeFinalizer(_ finalizer: String, from node: OwnerGraph.Node, finalizers: [String]) async throws {
        let kept = finalizers.filter { $0 != finalizer }
        _ = try await client.patch(node.resource, namespace: node.namespace, name: node.name, type: .merge,
                                   ["metadata": ["finalizers": kept.isEmpty ? .null : try JSONValue(encoding: kept)]],
                                   subresource: nil)
    }
}

/// Who owns whom, by uid, as the watches report it.
actor OwnerGraph {
    struct Node: Sendable {
        var resource: APIResource
        var namespace: String?
        var name: String
        var uid: String
        var owners: [OwnerReference]
        var deleting: Bool
        var finalizers: [String]

        func blocksOwnerDeletion(_ ownerUID: String) -> Bool {
            owners.contains { $0.uid == ownerUID && $0.blockOwnerDeletion == true }
        }
    }

    private var nodes: [String: Node] = [:]
    private var dependentsByOwner: [String: Set<String>] = [:]

    func node(_ uid: String) -> Node? { nodes[uid] }

    /// Nothing recorded (no objects, no edges).
    var isEmpty: Bool { nodes.isEmpty && dependentsByOwner.isEmpty }

    func dependents(of uid: String) -> [Node] {
        (dependentsByOwner[uid] ?? []).compactMap { nodes[$0] }
    }

    /// Forgets `uid`; returns the objects to look at again (its dependents and owners).
    func remove(_ uid: String) -> [String] {
        let dependents = Array(dependentsByOwner[uid] ?? [])
        if dependents.isEmpty { dependentsByOwner[uid] = nil }
        guard let node = nodes.removeValue(forKey: uid) else { return dependents }
        for owner in node.owners { forget(dependent: uid, of: owner.uid) }
        return dependents + node.owners.map(\.uid)
    }

    /// Drops one owner → dependent edge, and the owner's entry once it has none left.
    private func forget(dependent uid: String, of owner: String) {
        dependentsByOwner[owner]?.remove(uid)
        if dependentsByOwner[owner]?.isEmpty == true { dependentsByOwner[owner] = nil }
    }

    /// Records a watch event; returns the uids whose state may call for a step.
    func apply(_ event: KubeWatchEvent, resource: APIResource) -> [String] {
        guard let meta = try? (event.object["metadata"] ?? [:]).decode(ObjectMeta.self), let uid = meta.uid else { return [] }
        if event.type == .deleted { return remove(uid) }
        let node = Node(
            resource: resource, namespace: meta.namespace, name: meta.name ?? "", uid: uid,
            owners: meta.ownerReferences ?? [], deleting: meta.deletionTimestamp != nil, finalizers: meta.finalizers ?? [])
        let previous = nodes[uid]
        nodes[uid] = node
        for owner in previous?.owners ?? [] { forget(dependent: uid, of: owner.uid) }
        for owner in node.owners { dependentsByOwner[owner.uid, default: []].insert(uid) }

        var changed: [String] = []
        let ownersChanged = previous.map { $0.owners != node.owners } ?? true
        if !node.owners.isEmpty && ownersChanged { changed.append(uid) }
        if node.deleting && (node.finalizers.contains("orphan") || node.finalizers.contains("foregroundDeletion")) {
            changed.append(uid)
        }
        // A dependent that starts terminating may unblock an owner deleted in the foreground.
        if node.deleting && previous?.deleting != true { changed += node.owners.map(\.uid) }
        return changed
    }
}
