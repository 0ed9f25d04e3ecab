import Controllers
import Foundation
import KubeClient
import KubeModel
import Logging

/// The scheduler: binds each pending pod (`pods/binding`) to a node that fits it, choosing
/// volumes for WaitForFirstConsumer claims on the way; pods that fit nowhere get
/// `PodScheduled=False` (`Unschedulable`) naming what did not fit, and are tried again
/// whenever nodes, pods or volumes change.
public struct Scheduler: Sendable {
    public static let name = "default-scheduler"

    let client: any KubeClient
    let queue: WorkQueue<String>
    let events: EventRecorder
    let logger = Logger(label: "minikube-swift.scheduler")
    /// How long an unschedulable pod waits before it is tried again without any change.
    let retryUnschedulable: Duration

    public init(
        client: any KubeClient, clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = Date.init, retryUnschedulable: Duration = .seconds(30)
    ) {
        self.client = client
        self.queue = WorkQueue(clock: clock, backoff: .init(base: .milliseconds(100), max: .seconds(10)))
        self.events = EventRecorder(client: client, component: Self.name, now: now)
        self.retryUnschedulable = retryUnschedulable
    }

    /// Watches pods, nodes and volumes and schedules until the task is cancelled.
    public func run() async {
        let (queue, client) = (self.queue, self.client)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard let pods = try? Pod.resource else { return }
                    await ResourceWatcher(client: client, resource: pods, fieldSelector: "spec.nodeName=").run { event in
                        guard event.type != .deleted else { return }
                        await queue.add(ResourceWatcher.key(of: event.object))
                    }
                }
                for resource in [try? Node.resource, try? PersistentVolume.resource, try? PersistentVolumeClaim.resource] {
                    guard let resource else { continue }
                    group.addTask {
                        await ResourceWatcher(client: client, resource: resource).run { _ in
                            await Self.addPendingPods(client: client, to: queue)
                        }
                    }
                }
                group.addTask { await Controller(name: "scheduler", queue: queue) { try await self.schedule($0) }.run() }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    static func addPendingPods(client: any KubeClient, to queue: WorkQueue<String>) async {
        guard let pending = try? await client.list(Pod.self, fieldSelector: "spec.nodeName=") else { return }
        for pod in pending where pod.metadata.deletionTimestamp == nil { await queue.add(pod.key) }
    }

    // MARK: schedule

    /// One scheduling attempt for the pod `namespace/name`.
    public func schedule(_ key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2,
              let pod = try await client.getIfExists(Pod.self, namespace: parts[0], name: parts[1]),
              pod.spec?.nodeName ?? "" == "", pod.metadata.deletionTimestamp == nil,
              pod.spec?.schedulerName ?? Self.name == Self.name
        else { return }

        let nodes = try await client.list(Node.self).sorted { $0.name < $1.name }
        let assigned = try await client.list(Pod.self).filter { !($0.spec?.nodeName ?? "").isEmpty && !$0.isFailed && !$0.isSucceeded }
        let volumes = try await client.list(PersistentVolume.self)
        let claims = try await podClaims(pod)
        let classes = Dictionary(try await client.list(StorageClass.self).map { ($0.name, $0) }) { first, _ in first }

        var reasons: [String: Int] = [:]
        var feasible: [(node: Node, plan: VolumePlan, score: Double)] = []
        for node in nodes {
            let podsOnNode = assigned.filter { $0.spec?.nodeName == node.name }
            if let reason = NodeFit.reject(pod, on: node, podsOnNode: podsOnNode) {
                reasons[reason, default: 0] += 1
                continue
            }
            switch VolumePlan.make(pod: pod, claims: claims, volumes: volumes, classes: classes, node: node) {
            case .failure(let reason):
                reasons[reason.message, default: 0] += 1
            case .success(let plan):
                feasible.append((node, plan, NodeFit.score(pod, on: node, podsOnNode: podsOnNode)))
            }
        }

        guard let best = feasible.max(by: { $0.score < $1.score || ($0.score == $1.score && $0.node.name > $1.node.name) }) else {
            try await markUnschedulable(pod, nodes: nodes.count, reasons: reasons)
            await queue.add(key, after: retryUnschedulable)
            return
        }
        // WaitForFirstConsumer: reserve the chosen volumes; the PV controller completes the
        // binding, and the pod is bound once every claim is.
        if !best.plan.isEmpty {
            try await best.plan.reserve(on: best.node, client: client)
            await queue.add(key, after: .milliseconds(50))
            return
        }
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(pod.name), "namespace": .string(pod.metadata.namespace ?? "default")],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(best.node.name)],
        ]
        try await client.bind(namespace: pod.metadata.namespace ?? "default", name: pod.name, binding: binding)
        await events.record(pod, reason: "Scheduled",
                            message: "Successfully assigned \(pod.metadata.namespace ?? "default")/\(pod.name) to \(best.node.name)")
    }

    /// The claims the pod's volumes name (nil for a claim that does not exist).
    func podClaims(_ pod: Pod) async throws -> [String: PersistentVolumeClaim?] {
        var claims: [String: PersistentVolumeClaim?] = [:]
        for volume in pod.spec?.volumes ?? [] {
            guard let name = volume.persistentVolumeClaim?.claimName else { continue }
            claims[name] = try await client.getIfExists(PersistentVolumeClaim.self, namespace: pod.metadata.namespace, name: name)
        }
        return claims
    }

    /// `PodScheduled=False`, reason `Unschedulable`, with Kubernetes' summary message.
    func markUnschedulable(_ pod: Pod, nodes: Int, reasons: [String: Int]) async throws {
        let message = Self.unschedulableMessage(nodes: nodes, reasons: reasons)
        if pod.condition("PodScheduled")?.message != message {
            var conditions = (pod.status?.conditions ?? []).filter { $0.type != "PodScheduled" }
            conditions.append(ObjectCondition(
                type: "PodScheduled", status: "False",
                lastTransitionTime: RFC3339.now(), reason: "Unschedulable", message: message))
            _ = try await client.mergePatch(
                Pod.self, namespace: pod.metadata.namespace, name: pod.name,
                ["status": ["conditions": try JSONValue(encoding: conditions)]], subresource: "status")
        }
        await events.record(pod, type: "Warning", reason: "FailedScheduling", message: message)
    }

    /// `0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind.`
    public static func unschedulableMessage(nodes: Int, reasons: [String: Int]) -> String {
        if nodes == 0 { return "no nodes available to schedule pods" }
        let parts = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return "0/\(nodes) nodes are available: \(parts.joined(separator: ", "))."
    }
}
