import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Controllers

@Suite struct StatefulSetControllerTests {
    @Test func podsComeUpOneAtATimeWithTheirClaims() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let controller = StatefulSetController(client: api.client)

        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0"])
        let claims = try await api.client.list(PersistentVolumeClaim.self, namespace: "default").map(\.name)
        #expect(claims == ["www-web-0"])

        // web-1 is not created while web-0 is Pending, nor while it runs but is not Ready.
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0"])
        try await api.markRunning("web-0", ready: false)
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0"])

        try await api.markRunning("web-0")
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1"])
        try await api.markRunning("web-1")
        try await controller.sync("default/web")
        try await api.markRunning("web-2")
        try await controller.sync("default/web")

        let web0 = try await api.client.get(Pod.self, namespace: "default", name: "web-0")
        #expect(web0.spec?.hostname == "web-0")
        #expect(web0.spec?.subdomain == "nginx")
        #expect(web0.spec?.volumes?.first { $0.name == "www" }?.persistentVolumeClaim?.claimName == "www-web-0")
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        #expect(set.status?.replicas == 3)
        #expect(set.status?.readyReplicas == 3)
        #expect(set.status?.currentRevision == set.status?.updateRevision)
        #expect(set.status?.updateRevision?.hasPrefix("web-") == true)
        #expect(web0.metadata.labels?["controller-revision-hash"] == set.status?.updateRevision)
        #expect(try await api.events(for: "web").contains("create Pod web-0 in StatefulSet web successful"))
        #expect(try await api.events(for: "web").contains("create Claim www-web-0 Pod web-0 in StatefulSet web success"))
    }

    @Test func scaleDownGoesFromTheTopAndScaleUpReusesTheClaims() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let controller = StatefulSetController(client: api.client)
        for name in ["web-0", "web-1", "web-2"] {
            try await controller.sync("default/web")
            try await api.markRunning(name)
        }
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1", "web-2"])

        _ = try await api.client.mergePatch(StatefulSet.self, namespace: "default", name: "web", ["spec": ["replicas": 1]])
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1"], "web-2 goes first")
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0"])
        #expect(try await api.events(for: "web").contains("delete Pod web-2 in StatefulSet web successful"))

        _ = try await api.client.mergePatch(StatefulSet.self, namespace: "default", name: "web", ["spec": ["replicas": 3]])
        try await controller.sync("default/web")
        try await api.markRunning("web-1")
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1", "web-2"])
        let claims = try await api.client.list(PersistentVolumeClaim.self, namespace: "default").map(\.name).sorted()
        #expect(claims == ["www-web-0", "www-web-1", "www-web-2"], "the same claims, never recreated under another name")
    }

    @Test func aRestartedControllerConvergesWithoutDuplicates() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        try await StatefulSetController(client: api.client).sync("default/web")
        try await api.markRunning("web-0")
        // A new controller (after a restart) sees only the API's state.
        let restarted = StatefulSetController(client: api.client)
        try await restarted.sync("default/web")
        try await restarted.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1"])
        let revisions = try await api.client.list(ControllerRevision.self, namespace: "default")
        #expect(revisions.count == 1, "one revision for one template")
    }

    @Test func aTemplateChangeRollsFromTheHighestOrdinal() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let controller = StatefulSetController(client: api.client)
        for name in ["web-0", "web-1", "web-2"] {
            try await controller.sync("default/web")
            try await api.markRunning(name)
        }
        try await controller.sync("default/web")
        let before = try await api.client.get(StatefulSet.self, namespace: "default", name: "web").status?.updateRevision
        _ = try await api.client.patch(
            StatefulSet.resource, namespace: "default", name: "web", type: .strategicMerge,
            ["spec": ["template": ["spec": ["containers": [["name": "nginx", "image": "k8s.gcr.io/nginx-slim:0.9"]]]]]])
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0", "web-1"], "web-2 is replaced first")
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        #expect(set.status?.updateRevision != before)
        #expect(set.status?.currentRevision == before)
        #expect(try await api.client.list(ControllerRevision.self, namespace: "default").count == 2)
    }

    @Test func failedPodsAreRecreated() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let controller = StatefulSetController(client: api.client)
        try await controller.sync("default/web")
        _ = try await api.client.mergePatch(Pod.self, namespace: "default", name: "web-0", ["status": ["phase": "Failed"]], subresource: "status")
        try await controller.sync("default/web")
        #expect(try await api.podNames() == [])
        try await controller.sync("default/web")
        #expect(try await api.podNames() == ["web-0"])
    }
}

@Suite struct ClaimRetentionTests {
    @Test func whenScaledDeleteHandsTheClaimToThePodAndWhenDeletedToTheSet() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed().replacingOccurrences(of: "  replicas: 3 # by default is 1\n", with: """
          replicas: 2
          persistentVolumeClaimRetentionPolicy:
            whenDeleted: Delete
            whenScaled: Delete

        """))
        let controller = StatefulSetController(client: api.client)
        for name in ["web-0", "web-1"] {
            try await controller.sync("default/web")
            try await api.markRunning(name)
        }
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        let claim0 = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0")
        #expect(claim0.metadata.ownerReferences?.map(\.uid) == [set.metadata.uid ?? ""], "whenDeleted: Delete → owned by the set")

        let web1 = try await api.client.get(Pod.self, namespace: "default", name: "web-1")
        _ = try await api.client.mergePatch(StatefulSet.self, namespace: "default", name: "web", ["spec": ["replicas": 1]])
        try await controller.sync("default/web")
        let claim1 = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "www-web-1")
        #expect(claim1.metadata.ownerReferences?.contains { $0.uid == web1.metadata.uid } == true,
                "whenScaled: Delete → the condemned pod owns its claim, so the collector removes it with the pod")
    }

    @Test func retainIsTheDefaultAndClaimsHaveNoOwner() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        try await StatefulSetController(client: api.client).sync("default/web")
        let claim = try await api.client.get(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0")
        #expect(claim.metadata.ownerReferences == nil)
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        #expect(set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted == "Retain")
    }
}
