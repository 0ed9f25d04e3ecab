import APIServer
import Foundation
import KubeClient
import KubeModel
import Scheduler
import Testing
@testable import Controllers

@Suite struct VolumeAndSchedulingTests {
    /// Runs the seed through the StatefulSet controller, the scheduler and the PV controller,
    /// step by step, with a stand-in kubelet that marks scheduled pods Running and Ready.
    @Test func theSeedBindsThreeVolumesAndLeavesOneAvailable() async throws {
        let api = try TestAPI()
        try await api.registerNode()
        try await api.apply(try TestAPI.seed())
        let sets = StatefulSetController(client: api.client)
        let scheduler = Scheduler(client: api.client)
        let volumes = PersistentVolumeController(client: api.client)
        for name in ["datadir1", "datadir2", "datadir3", "datadir4"] { try await volumes.syncVolume(name) }

        for ordinal in 0..<3 {
            let pod = "web-\(ordinal)", claim = "www-web-\(ordinal)"
            try await sets.sync("default/web")
            try await volumes.syncClaim("default/\(claim)")
            let pending = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: claim)
            #expect(pending.status?.phase == "Pending")
            #expect(try await api.events(for: claim).contains("waiting for first consumer to be created before binding"))

            try await scheduler.schedule("default/\(pod)")  // reserves a volume on the node
            #expect(try await api.client.get(Pod.self, namespace: "default", name: pod).spec?.nodeName == nil)
            try await volumes.syncClaim("default/\(claim)")  // completes the binding
            try await scheduler.schedule("default/\(pod)")  // binds the pod
            #expect(try await api.client.get(Pod.self, namespace: "default", name: pod).spec?.nodeName == "node-1")
            #expect(try await api.events(for: pod).contains("Successfully assigned default/\(pod) to node-1"))
            try await api.markRunning(pod)
        }

        let claims = try await api.client.list(PersistentVolumeClaim.self, namespace: "default").sorted { $0.name < $1.name }
        #expect(claims.map { $0.status?.phase } == ["Bound", "Bound", "Bound"])
        #expect(claims.allSatisfy { $0.metadata.annotations?["pv.kubernetes.io/bind-completed"] == "yes" })
        #expect(claims.allSatisfy { $0.status?.capacity?["storage"] == (try? Quantity(parsing: "5Gi")) })
        let pvs = try await api.client.list(PersistentVolume.self).sorted { $0.name < $1.name }
        #expect(pvs.filter { $0.status?.phase == "Bound" }.count == 3)
        #expect(pvs.filter { $0.status?.phase == "Available" }.count == 1)
        let claimed = Set(pvs.compactMap { $0.spec?.claimRef?.name })
        #expect(claimed == ["www-web-0", "www-web-1", "www-web-2"])
    }

    @Test func aPodWithoutAVolumeToBindIsUnschedulable() async throws {
        let api = try TestAPI()
        try await api.registerNode()
        try await api.apply(try TestAPI.seed().replacingOccurrences(of: "storage: 5Gi", with: "storage: 512Mi"))
        let sets = StatefulSetController(client: api.client)
        try await sets.sync("default/web")
        try await Scheduler(client: api.client).schedule("default/web-0")
        let pod = try await api.client.get(Pod.self, namespace: "default", name: "web-0")
        let condition = pod.condition("PodScheduled")
        #expect(condition?.status == "False")
        #expect(condition?.reason == "Unschedulable")
        #expect(condition?.message == "0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind.")
    }

    @Test func retainLeavesAReleasedVolumeThatIsNotRebound() async throws {
        let api = try TestAPI()
        try await api.apply("""
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv1}
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          hostPath: {path: /tmp/minikube-swift-retain-test}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: ""
          resources: {requests: {storage: 1Gi}}
        """)
        let controller = PersistentVolumeController(client: api.client)
        try await controller.syncVolume("pv1")
        try await controller.syncClaim("default/data")
        #expect(try await api.client.get(PersistentVolume.self, name: "pv1").status?.phase == "Bound")
        try await api.client.delete(PersistentVolumeClaim.self, namespace: "default", name: "data")
        try await controller.syncVolume("pv1")
        #expect(try await api.client.get(PersistentVolume.self, name: "pv1").status?.phase == "Released")

        try await api.apply("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: again}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: ""
          resources: {requests: {storage: 1Gi}}
        """)
        try await controller.syncClaim("default/again")
        #expect(try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "again").status?.phase == "Pending")
        #expect(try await api.events(for: "again").contains("no persistent volumes available for this claim and no storage class is set"))
    }

    @Test func deleteReclaimRemovesDataOnlyUnderTheAllowedPrefix() async throws {
        let api = try TestAPI()
        let allowed = api.directory + "/volumes/"
        let data = allowed + "pv-delete"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: data + "/index.html", contents: Data("hello".utf8))
        try await api.apply("""
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv-delete}
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          persistentVolumeReclaimPolicy: Delete
          hostPath: {path: \(data)}
        ---
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv-outside}
        spec:
          capacity: {storage: 2Gi}
          accessModes: [ReadWriteOnce]
          persistentVolumeReclaimPolicy: Delete
          hostPath: {path: /srv/outside-the-prefix}
        """)
        let controller = PersistentVolumeController(client: api.client, deletablePathPrefixes: [allowed])
        for (claim, volume) in [("a", "pv-delete"), ("b", "pv-outside")] {
            try await api.apply("""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: \(claim)}
            spec:
              accessModes: [ReadWriteOnce]
              storageClassName: ""
              volumeName: \(volume)
              resources: {requests: {storage: 1Gi}}
            """)
            try await controller.syncClaim("default/\(claim)")
            try await api.client.delete(PersistentVolumeClaim.self, namespace: "default", name: claim)
            try await controller.syncVolume(volume)
        }
        #expect(try await api.client.getIfExists(PersistentVolume.self, name: "pv-delete") == nil)
        #expect(!FileManager.default.fileExists(atPath: data))
        let outside = try await api.client.get(PersistentVolume.self, name: "pv-outside")
        #expect(outside.status?.phase == "Failed")
        #expect(outside.status?.message?.contains("but received provided /srv/outside-the-prefix") == true)
    }

    @Test func claimsWithoutAClassGetTheDefaultOne() async throws {
        let api = try TestAPI()
        try await api.apply("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: standard
          annotations: {storageclass.kubernetes.io/is-default-class: "true"}
        provisioner: kubernetes.io/no-provisioner
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """)
        try await PersistentVolumeController(client: api.client).syncClaim("default/data")
        let claim = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "data")
        #expect(claim.spec?.storageClassName == "standard")
        #expect(claim.status?.phase == "Pending")
        #expect(try await api.events(for: "data").contains {
            $0.contains("waiting for a volume to be created, either by external provisioner \"kubernetes.io/no-provisioner\"")
        })
    }
}
