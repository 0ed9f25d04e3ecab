import APIServer
import Foundation
import KubeClient
import KubeModel
import Scheduler
import Testing
@testable import Controllers

/// The scheduler across several (fake) nodes.
@Suite struct SchedulerTests {
    func pod(_ name: String, _ spec: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          containers:
          - name: c
            image: busybox
        \(spec)
        """
    }

    func nodeName(_ api: TestAPI, _ pod: String) async throws -> String? {
        try await api.client.get(Pod.self, namespace: "default", name: pod).spec?.nodeName
    }

    @Test func aNotReadyNodeIsSkippedAndTheEmptierNodeWins() async throws {
        let api = try TestAPI()
        try await api.registerNode("node-1", ready: false)
        try await api.registerNode("node-2")
        try await api.registerNode("node-3")
        let scheduler = Scheduler(client: api.client)
        try await api.apply(pod("a", "  resources: {requests: {cpu: '1'}}").replacingOccurrences(of: "\n  resources", with: "\n    resources"))
        try await scheduler.schedule("default/a")
        let first = try await nodeName(api, "a")
        #expect(first == "node-2" || first == "node-3")
        try await api.apply(pod("b"))
        try await scheduler.schedule("default/b")
        let second = try await nodeName(api, "b")
        #expect(second != first && second != "node-1", "least allocated: the node without the 1-cpu pod")
    }

    @Test func nodeSelectorAffinityAndTaints() async throws {
        let api = try TestAPI()
        try await api.registerNode("node-1")
        try await api.registerNode("node-2")
        _ = try await api.client.mergePatch(Node.self, name: "node-1", ["spec": ["taints": [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]]])
        let scheduler = Scheduler(client: api.client)

        try await api.apply(pod("plain"))
        try await scheduler.schedule("default/plain")
        #expect(try await nodeName(api, "plain") == "node-2", "an untolerated taint keeps pods off node-1")

        try await api.apply(pod("tolerating", """
          nodeSelector: {kubernetes.io/hostname: node-1}
          tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
        """))
        try await scheduler.schedule("default/tolerating")
        #expect(try await nodeName(api, "tolerating") == "node-1")

        try await api.apply(pod("affine", """
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-3]}]
        """))
        try await scheduler.schedule("default/affine")
        let unschedulable = try await api.client.get(Pod.self, namespace: "default", name: "affine")
        #expect(unschedulable.spec?.nodeName == nil)
        #expect(unschedulable.condition("PodScheduled")?.message
            == "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}.")
        #expect(try await api.events(for: "affine").contains { $0.hasPrefix("0/2 nodes are available") })
    }

    @Test func resourcesAndPodCountAreChecked() async throws {
        let api = try TestAPI()
        try await api.registerNode("node-1")
        let scheduler = Scheduler(client: api.client)
        try await api.apply(pod("huge", "    resources: {requests: {memory: 64Gi}}").replacingOccurrences(of: "image: busybox\n", with: "image: busybox\n"))
        try await scheduler.schedule("default/huge")
        let message = try await api.client.get(Pod.self, namespace: "default", name: "huge").condition("PodScheduled")?.message
        #expect(message == "0/1 nodes are available: 1 Insufficient memory.")
    }

    @Test func volumeNodeAffinityPicksTheNodeOfTheVolume() async throws {
        let api = try TestAPI()
        try await api.registerNode("node-1")
        try await api.registerNode("node-2")
        try await api.apply("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: local-class}
        provisioner: kubernetes.io/no-provisioner
        volumeBindingMode: WaitForFirstConsumer
        ---
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: local-on-2}
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          storageClassName: local-class
          local: {path: /tmp/minikube-swift-local-volume}
          nodeAffinity:
            required:
              nodeSelectorTerms:
              - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-2]}]
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: local-class
          resources: {requests: {storage: 1Gi}}
        """)
        try await api.apply(pod("user", """
          volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
        """))
        let scheduler = Scheduler(client: api.client)
        let volumes = PersistentVolumeController(client: api.client)
        try await volumes.syncVolume("local-on-2")
        try await scheduler.schedule("default/user")
        let claim = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "data")
        #expect(claim.metadata.annotations?["volume.kubernetes.io/selected-node"] == "node-2")
        try await volumes.syncClaim("default/data")
        try await scheduler.schedule("default/user")
        #expect(try await nodeName(api, "user") == "node-2")
    }
}
