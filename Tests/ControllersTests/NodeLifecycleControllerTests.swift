import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Controllers

@Suite struct NodeLifecycleControllerTests {
    /// A node whose Lease was renewed `age` seconds before `now`.
    func makeNode(_ api: TestAPI, leaseAge: TimeInterval, now: Date) async throws {
        _ = try await api.client.create(Node.resource, namespace: nil, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-1"]])
        _ = try await api.client.mergePatch(Node.self, name: "node-1", ["status": ["conditions": [
            ["type": "Ready", "status": "True", "reason": "KubeletReady"],
            ["type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"],
        ]]], subresource: "status")
        _ = try await api.client.create(Lease.resource, namespace: "kube-node-lease", [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "node-1", "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": "node-1", "leaseDurationSeconds": 40,
                     "renewTime": .string(RFC3339.microString(from: now.addingTimeInterval(-leaseAge)))],
        ])
    }

    @Test func freshLeaseLeavesTheNodeAlone() async throws {
        let api = try TestAPI()
        let now = Date()
        try await makeNode(api, leaseAge: 5, now: now)
        try await NodeLifecycleController(client: api.client, now: { now }).syncAll()
        let node = try await api.client.get(Node.self, name: "node-1")
        #expect(node.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
        #expect(node.spec?.taints == nil)
    }

    @Test func staleLeaseMakesTheNodeUnknownAndUnreachableUntilRenewed() async throws {
        let api = try TestAPI()
        let now = Date()
        try await makeNode(api, leaseAge: 60, now: now)
        let controller = NodeLifecycleController(client: api.client, now: { now })
        try await controller.syncAll()
        var node = try await api.client.get(Node.self, name: "node-1")
        let ready = try #require(node.status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.status == "Unknown")
        #expect(ready.reason == "NodeStatusUnknown")
        #expect(ready.message == "Kubelet stopped posting node status.")
        #expect(node.status?.conditions?.allSatisfy { $0.status == "Unknown" } == true)
        #expect(node.spec?.taints?.map(\.key) == [NodeLifecycleController.unreachableTaint])
        #expect(node.spec?.taints?.first?.effect == "NoSchedule")

        // The kubelet is back: it renews its Lease and reports Ready; the taint goes.
        _ = try await api.client.mergePatch(Lease.self, namespace: "kube-node-lease", name: "node-1",
                                            ["spec": ["renewTime": .string(RFC3339.microString(from: now))]])
        _ = try await api.client.mergePatch(Node.self, name: "node-1", ["status": ["conditions": [["type": "Ready", "status": "True"]]]], subresource: "status")
        try await controller.syncAll()
        node = try await api.client.get(Node.self, name: "node-1")
        #expect(node.spec?.taints == nil || node.spec?.taints?.isEmpty == true)
        #expect(node.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
    }
}
