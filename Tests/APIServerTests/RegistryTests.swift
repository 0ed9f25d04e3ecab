import Foundation
import KubeClient
import KubeModel
import Testing

@testable import APIServer

func makeRegistry() throws -> (Registry, String) {
    let dir = try temporaryDirectory()
    let registry = Registry(store: try SQLiteStore(path: dir + "/state.db"))
    try registry.bootstrap()
    return (registry, dir)
}

func resource(_ plural: String, _ group: String = "") -> APIResource {
    ResourceCatalog.all.first { $0.plural == plural && $0.gvk.group == group }!
}

/// The seed's StatefulSet, from examples/seed/web.yaml.
let statefulSet: JSONValue = try! ManifestDecoder.documents(
    from: String(contentsOfFile: repositoryRoot + "/examples/seed/web.yaml", encoding: .utf8))
    .first { $0["kind"] == "StatefulSet" }!

@Suite struct RegistryTests {
    @Test func systemNamespacesExist() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["default", "kube-system", "kube-public"] {
            #expect(try registry.get(resource("namespaces"), namespace: nil, name: name).object[path: ["status", "phase"]] == .string("Active"))
        }
    }

    @Test func createSetsIdentityAndRejectsDuplicates() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sts = resource("statefulsets", "apps")
        let created = try registry.create(sts, namespace: "default", statefulSet)
        #expect(metadataString(created, "uid")?.count == 36)
        #expect(metadataString(created, "creationTimestamp") != nil)
        #expect(created[path: ["metadata", "generation"]] == .int(1))
        #expect(metadataString(created, "namespace") == "default")
        let error = #expect(throws: KubeAPIError.self) { try registry.create(sts, namespace: "default", statefulSet) }
        #expect(error?.code == 409)
        #expect(error?.message == "statefulsets.apps \"web\" already exists")
    }

    @Test func staleUpdateConflicts() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sts = resource("statefulsets", "apps")
        let created = try registry.create(sts, namespace: "default", statefulSet)
        var changed = created
        setJSON(&changed, ["spec", "replicas"], .int(5))
        let updated = try registry.update(sts, namespace: "default", name: "web", changed)
        #expect(updated[path: ["metadata", "generation"]] == .int(2))
        let error = #expect(throws: KubeAPIError.self) { try registry.update(sts, namespace: "default", name: "web", changed) }
        #expect(error?.message == "Operation cannot be fulfilled on statefulsets.apps \"web\": the object has been modified; please apply your changes to the latest version and try again")
    }

    @Test func namespaceMustExistAndMatch() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cm = resource("configmaps")
        let missing = #expect(throws: KubeAPIError.self) { try registry.create(cm, namespace: "x", object("a", namespace: "x")) }
        #expect(missing?.message == "namespaces \"x\" not found")
        let mismatch = #expect(throws: KubeAPIError.self) { try registry.create(cm, namespace: "kube-system", object("a")) }
        #expect(mismatch?.code == 400)
        #expect(mismatch?.message == "the namespace of the provided object does not match the namespace sent on the request")
    }

    @Test func generateNameAddsSuffix() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var value = object("")
        setJSON(&value, ["metadata", "name"], nil)
        setJSON(&value, ["metadata", "generateName"], .string("cm-"))
        let created = try registry.create(resource("configmaps"), namespace: "default", value)
        let name = try #require(metadataString(created, "name"))
        #expect(name.hasPrefix("cm-") && name.count == 8)
    }

    @Test func finalizersKeepObjectUntilCleared() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cm = resource("configmaps")
        var value = object("f")
        setJSON(&value, ["metadata", "finalizers"], .array([.string("example.com/keep")]))
        _ = try registry.create(cm, namespace: "default", value)
        let result = try registry.delete(cm, namespace: "default", name: "f")
        #expect(!result.deleted)
        #expect(metadataString(result.object, "deletionTimestamp") != nil)
        _ = try registry.patch(cm, namespace: "default", name: "f", type: .merge, .object(["metadata": .object(["finalizers": .null])]))
        #expect(throws: KubeAPIError.self) { try registry.get(cm, namespace: "default", name: "f") }
    }

    @Test func scheduledPodDeletionIsGraceful() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pods = resource("pods")
        let pod: JSONValue = .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"), "metadata": .object(["name": .string("p")]),
            "spec": .object(["containers": .array([.object(["name": .string("c"), "image": .string("busybox")])])]),
        ])
        _ = try registry.create(pods, namespace: "default", pod)
        try registry.bind(namespace: "default", name: "p", binding: .object(["target": .object(["kind": .string("Node"), "name": .string("node1")])]))
        let first = try registry.delete(pods, namespace: "default", name: "p")
        #expect(!first.deleted)
        #expect(first.object[path: ["metadata", "deletionGracePeriodSeconds"]] == .int(30))
        let confirmed = try registry.delete(pods, namespace: "default", name: "p", options: DeleteOptions(gracePeriodSeconds: 0))
        #expect(confirmed.deleted)
    }

    @Test func strategicMergeKeepsKeyedListEntries() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sts = resource("statefulsets", "apps")
        _ = try registry.create(sts, namespace: "default", statefulSet)
        let patch: JSONValue = .object(["spec": .object(["template": .object(["spec": .object([
            "$setElementOrder/containers": .array([.object(["name": .string("nginx")])]),
            "containers": .array([.object(["name": .string("nginx"), "image": .string("nginx:2")])]),
        ])])])])
        let patched = try registry.patch(sts, namespace: "default", name: "web", type: .strategicMerge, patch)
        let container = patched[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
        #expect(container?["image"] == .string("nginx:2"))
        #expect(container?["ports"]?.arrayValue?.count == 1)
        #expect(container?["volumeMounts"]?.arrayValue?.count == 1)
    }

    @Test func scaleSubresourceUpdatesReplicas() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sts = resource("statefulsets", "apps")
        _ = try registry.create(sts, namespace: "default", statefulSet)
        let scale = try registry.updateScale(sts, namespace: "default", name: "web") { JSONMergePatch.apply(.object(["spec": .object(["replicas": .int(5)])]), to: $0) }
        #expect(scale["kind"] == .string("Scale"))
        #expect(scale[path: ["spec", "replicas"]] == .int(5))
        #expect(scale[path: ["status", "selector"]] == .string("app=nginx"))
        #expect(try registry.get(sts, namespace: "default", name: "web").object[path: ["spec", "replicas"]] == .int(5))
    }

    @Test func listFiltersAndPages() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cm = resource("configmaps")
        for index in 0..<5 {
            _ = try registry.create(cm, namespace: "default", object("c\(index)", labels: ["tier": index % 2 == 0 ? "even" : "odd"]))
        }
        #expect(try registry.list(cm, namespace: "default", options: ListOptions(labelSelector: "tier=even")).objects.count == 3)
        #expect(try registry.list(cm, namespace: "default", options: ListOptions(labelSelector: "tier in (odd),tier!=even")).objects.count == 2)
        #expect(try registry.list(cm, namespace: nil, options: ListOptions(fieldSelector: "metadata.name=c3")).objects.count == 1)
        let page = try registry.list(cm, namespace: "default", options: ListOptions(limit: 2))
        #expect(page.objects.map(\.key.name) == ["c0", "c1"])
        let next = try registry.list(cm, namespace: "default", options: ListOptions(limit: 10, continueToken: page.continueToken))
        #expect(next.objects.map(\.key.name) == ["c2", "c3", "c4"])
        #expect(next.continueToken == nil)
    }

    @Test func watchSendsInitialThenChangesWithSelectorTransitions() async throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cm = resource("configmaps")
        _ = try registry.create(cm, namespace: "default", object("a", labels: ["app": "x"]))
        let events = try registry.watch(cm, namespace: "default", options: ListOptions(labelSelector: "app=x"))
        _ = try registry.patch(cm, namespace: "default", name: "a", type: .merge, .object(["metadata": .object(["labels": .object(["app": .string("y")])])]))
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next()?.type == .added)
        #expect(await iterator.next()?.type == .deleted)
    }

    @Test func namespaceDeletionRemovesContent() async throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ns = resource("namespaces")
        _ = try registry.create(ns, namespace: nil, .object(["apiVersion": .string("v1"), "kind": .string("Namespace"), "metadata": .object(["name": .string("team")])]))
        _ = try registry.create(resource("configmaps"), namespace: "team", object("c", namespace: "team"))
        _ = try registry.delete(ns, namespace: nil, name: "team")
        #expect(try registry.list(resource("configmaps"), namespace: "team", options: ListOptions()).objects.isEmpty)
        #expect(throws: KubeAPIError.self) { try registry.get(ns, namespace: nil, name: "team") }
        #expect(throws: KubeAPIError.self) { try registry.delete(ns, namespace: nil, name: "default") }
    }
}
