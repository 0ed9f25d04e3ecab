import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Controllers

@Suite struct EndpointsAndGarbageCollectorTests {
    @Test func endpointsListReadyPodsWithHostnames() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let sets = StatefulSetController(client: api.client)
        try await sets.sync("default/web")
        try await api.markRunning("web-0", ip: "10.244.0.10")
        try await sets.sync("default/web")
        try await api.markRunning("web-1", ready: false, ip: "10.244.0.11")

        try await EndpointsController(client: api.client).sync("default/nginx")
        let endpoints = try await api.client.get(Endpoints.self, namespace: "default", name: "nginx")
        let subset = try #require(endpoints.subsets?.first)
        #expect(subset.addresses?.map(\.ip) == ["10.244.0.10"])
        #expect(subset.addresses?.first?.hostname == "web-0")
        #expect(subset.addresses?.first?.targetRef?.name == "web-0")
        #expect(subset.notReadyAddresses?.map(\.ip) == ["10.244.0.11"])
        #expect(subset.ports?.first?.port == 80)
        #expect(subset.ports?.first?.name == "web")

        let slices = try await api.client.list(EndpointSlice.self, namespace: "default", labelSelector: "kubernetes.io/service-name=nginx")
        #expect(slices.count == 1)
        #expect(slices.first?.endpoints.map { $0.conditions?.ready } == [true, false])
        #expect(slices.first?.endpoints.first?.hostname == "web-0")
    }

    @Test func deletingTheSetDeletesItsPodsAndRevisionsButKeepsTheClaims() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let sets = StatefulSetController(client: api.client)
        try await sets.sync("default/web")
        try await api.markRunning("web-0")
        try await sets.sync("default/web")

        try await api.client.delete(StatefulSet.self, namespace: "default", name: "web",
                                    options: DeleteOptions(propagationPolicy: "Background"))
        let collector = GarbageCollector(client: api.client)
        for resource in [try Pod.resource, try ControllerRevision.resource, try PersistentVolumeClaim.resource] {
            for object in try await api.client.list(resource, namespace: "default").items {
                _ = await collector.graph.apply(KubeWatchEvent(type: .added, object: object), resource: resource)
                if let uid = object[path: ["metadata", "uid"]]?.stringValue { try await collector.sync(uid) }
            }
        }
        #expect(try await api.podNames() == [])
        #expect(try await api.client.list(ControllerRevision.self, namespace: "default").isEmpty)
        let claims = try await api.client.list(PersistentVolumeClaim.self, namespace: "default").map(\.name).sorted()
        #expect(claims == ["www-web-0", "www-web-1"])
    }

    @Test func foregroundDeletionWaitsForBlockingDependents() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        let sets = StatefulSetController(client: api.client)
        try await sets.sync("default/web")
        try await api.client.delete(StatefulSet.self, namespace: "default", name: "web",
                                    options: DeleteOptions(propagationPolicy: "Foreground"))
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        #expect(set.metadata.finalizers == ["foregroundDeletion"])
        #expect(set.metadata.deletionTimestamp != nil)

        let collector = GarbageCollector(client: api.client)
        for resource in [try StatefulSet.resource, try Pod.resource, try ControllerRevision.resource] {
            for object in try await api.client.list(resource, namespace: "default").items {
                _ = await collector.graph.apply(KubeWatchEvent(type: .added, object: object), resource: resource)
            }
        }
        let setUID = try #require(set.metadata.uid)
        try await collector.sync(setUID)  // deletes the dependents (in the foreground too); they block the owner
        #expect(try await api.client.get(StatefulSet.self, namespace: "default", name: "web").metadata.deletionTimestamp != nil)
        for object in try await api.client.list(try Pod.resource, namespace: "default").items {
            for uid in await collector.graph.apply(KubeWatchEvent(type: .modified, object: object), resource: try Pod.resource) {
                try await collector.sync(uid)  // a dependent without dependents of its own goes
            }
        }
        #expect(try await api.podNames() == [])
        for uid in await collector.graph.dependents(of: setUID).map(\.uid) { _ = await collector.graph.remove(uid) }
        try await collector.sync(setUID)  // no blocking dependents left: the owner goes
        #expect(try await api.client.getIfExists(StatefulSet.self, namespace: "default", name: "web") == nil)
    }

    @Test func orphanPropagationKeepsThePods() async throws {
        let api = try TestAPI()
        try await api.apply(try TestAPI.seed())
        try await StatefulSetController(client: api.client).sync("default/web")
        try await api.client.delete(StatefulSet.self, namespace: "default", name: "web",
                                    options: DeleteOptions(propagationPolicy: "Orphan"))
        let collector = GarbageCollector(client: api.client)
        for resource in [try StatefulSet.resource, try Pod.resource] {
            for object in try await api.client.list(resource, namespace: "default").items {
                _ = await collector.graph.apply(KubeWatchEvent(type: .added, object: object), resource: resource)
            }
        }
        let set = try await api.client.get(StatefulSet.self, namespace: "default", name: "web")
        try await collector.sync(try #require(set.metadata.uid))
        #expect(try await api.client.getIfExists(StatefulSet.self, namespace: "default", name: "web") == nil)
        let pods = try await api.pods()
        #expect(pods.map(\.name) == ["web-0"])
        #expect(pods.first?.metadata.ownerReferences == nil)
    }
}

@Suite struct OwnerGraphTests {
    @Test func edgesAreForgottenWithTheirObjects() async throws {
        let graph = OwnerGraph()
        let resource = try Pod.resource
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "set")
        let pod: JSONValue = ["metadata": ["name": "web-0", "namespace": "default", "uid": "pod",
                                           "ownerReferences": try JSONValue(encoding: [owner])]]
        #expect(await graph.apply(KubeWatchEvent(type: .added, object: pod), resource: resource) == ["pod"])
        #expect(await graph.dependents(of: "set").map(\.uid) == ["pod"])
        #expect(await graph.apply(KubeWatchEvent(type: .modified, object: pod), resource: resource).isEmpty,
                "an unchanged object calls for no step")
        _ = await graph.apply(KubeWatchEvent(type: .deleted, object: pod), resource: resource)
        #expect(await graph.dependents(of: "set").isEmpty)
        #expect(await graph.isEmpty)
    }
}
