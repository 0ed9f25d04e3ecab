import Foundation
import KubeClient
import KubeModel
import Logging

/// Marks a node whose kubelet stopped renewing its Lease as NotReady, as kube-controller-manager's
/// node lifecycle controller does: after `gracePeriod` without a renewal, every kubelet-owned
/// condition becomes `Unknown` (reason `NodeStatusUnknown`) and the node gets the
/// `node.kubernetes.io/unreachable` NoSchedule taint; once the kubelet is back, the taint goes.
public struct NodeLifecycleController: Sendable {
    let client: any KubeClient
    let gracePeriod: TimeInterval
    let period: Duration
    let now: @Sendable () -> Date
    let logger = Logger(label: "minikube-swift.controller.node-lifecycle")

    public static let unreachableTaint = "node.kubernetes.io/unreachable"

    public init(client: any KubeClient, gracePeriod: TimeInterval = 40, period: Duration = .seconds(5),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.gracePeriod = gracePeriod
        self.period = period
        self.now = now
    }

    public func run() async {
        while !Task.isCancelled {
            do { try await syncAll() } catch { logger.debug("node lifecycle: \(error)") }
            try? await Task.sleep(for: period)
        }
    }

    /// One pass over every node.
    public func syncAll() async throws {
        for node in try await client.list(Node.self) {
            try await sync(node)
        }
    }

    func sync(_ node: Node) async throws {
        let lease = try await client.getIfExists(Lease.self, namespace: "kube-node-lease", name: node.name)
        let renewed = lease?.spec?.renewTime.flatMap(RFC3339.date(from:))
            ?? node.status?.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime.flatMap(RFC3339.date(from:))
        let current = now()
        let stale = renewed.map { current.timeIntervalSince($0) > gracePeriod } ?? false
        var taints = node.spec?.taints ?? []
        let tainted = taints.contains { $0.key == Self.unreachableTaint }
        if stale {
            let conditions = node.status?.conditions ?? []
            if conditions.contains(where: { $0.type == "Ready" && $0.status != "Unknown" }) {
                let stamp = RFC3339.string(from: current)
                let updated: [JSONValue] = conditions.map { condition in
                    var value = (try? JSONValue(encoding: condition)) ?? .object([:])
                    value["status"] = "Unknown"
                    value["reason"] = "NodeStatusUnknown"
                    value["message"] = "Kubelet stopped posting node status."
                    value["lastTransitionTime"] = .string(stamp)
                    return value
                }
                _ = try await client.mergePatch(Node.self, name: node.name, ["status": ["conditions": .array(updated)]], subresource: "status")
                logger.info("node \(node.name) is NotReady: no heartbeat for \(Int(gracePeriod)) s")
            }
            if !tainted {
                taints.append(Taint(key: Self.unreachableTaint, effect: "NoSchedule", timeAdded: RFC3339.string(from: current)))
                _ = try await client.mergePatch(Node.self, name: node.name, ["spec": ["taints": try JSONValue(encoding: taints)]])
            }
        } else if tainted {
            taints.removeAll { $0.key == Self.unreachableTaint }
            _ = try await client.mergePatch(Node.self, name: node.name, ["spec": ["taints": taints.isEmpty ? .null : try JSONValue(encoding: taints)]])
        }
    }
}
