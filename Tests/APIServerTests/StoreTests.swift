import Foundation
import KubeClient
import KubeModel
import Testing

@testable import APIServer

func temporaryDirectory(_ name: String = "apiserver") throws -> String {
    let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func object(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
    var metadata: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
    return .object([
        "apiVersion": .string("v1"), "kind": .string("ConfigMap"), "metadata": .object(metadata),
        "data": .object(data.mapValues { .string($0) }),
    ])
}

@Suite struct SQLiteStoreTests {
    @Test func writesGetIncreasingResourceVersionsAndSurviveRestart() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = ObjectKey(resource: "configmaps", namespace: "default", name: "a")
        do {
            let store = try SQLiteStore(path: dir + "/state.db")
            let first = try store.mutate(key) { _ in .put(object("a")) }
            let second = try store.mutate(key) { current in
                var value = try #require(current).object
                value["data"] = .object(["k": .string("v")])
                return .put(value)
            }
            #expect(first?.resourceVersion == 1)
            #expect(second?.resourceVersion == 2)
            #expect(second?.type == .modified)
            #expect(store.get(key)?.object[path: ["metadata", "resourceVersion"]] == .string("2"))
        }
        let reopened = try SQLiteStore(path: dir + "/state.db")
        #expect(reopened.resourceVersion == 2)
        #expect(reopened.get(key)?.object[path: ["data", "k"]] == .string("v"))
        let third = try reopened.mutate(ObjectKey(resource: "configmaps", namespace: "default", name: "b")) { _ in .put(object("b")) }
        #expect(third?.resourceVersion == 3)
        // A watch resumes across the restart from the persisted event log.
        let watch = try reopened.watch(resource: "configmaps", namespace: nil, after: 1, sendInitial: false)
        #expect(watch.initial.map(\.resourceVersion) == [2, 3])
    }

    @Test func deleteRemovesAndLogsEvent() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/state.db")
        let key = ObjectKey(resource: "configmaps", namespace: "default", name: "a")
        try store.mutate(key) { _ in .put(object("a")) }
        let deleted = try store.mutate(key) { _ in .delete }
        #expect(deleted?.type == .deleted)
        #expect(deleted?.resourceVersion == 2)
        #expect(store.get(key) == nil)
        #expect(store.list(resource: "configmaps", namespace: nil).objects.isEmpty)
    }

    @Test func watchOlderThanWindowIsGone() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/state.db", eventWindow: 4)
        for index in 0..<20 {
            try store.mutate(ObjectKey(resource: "configmaps", namespace: "default", name: "o\(index)")) { _ in .put(object("o\(index)")) }
        }
        #expect(throws: KubeAPIError.self) {
            _ = try store.watch(resource: "configmaps", namespace: nil, after: 2, sendInitial: false)
        }
        let recent = try store.watch(resource: "configmaps", namespace: nil, after: 18, sendInitial: false)
        #expect(recent.initial.map(\.resourceVersion) == [19, 20])
        let initial = try store.watch(resource: "configmaps", namespace: nil, after: 0, sendInitial: true)
        #expect(initial.initial.count == 20)
        #expect(initial.initial.allSatisfy { $0.type == .added })
    }

    @Test func concurrentWritersReachWatcherInOrderWithoutLoss() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/state.db")
        let watch = try store.watch(resource: "configmaps", namespace: nil, after: 0, sendInitial: false)
        let writers = 4, perWriter = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        try store.mutate(ObjectKey(resource: "configmaps", namespace: "default", name: "w\(writer)-\(index)")) { _ in
                            .put(object("w\(writer)-\(index)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        var seen: [Int64] = []
        for await event in watch.events {
            seen.append(event.resourceVersion)
            if seen.count == writers * perWriter { break }
        }
        #expect(seen == Array(1...Int64(writers * perWriter)))
    }
}

@Suite struct KubeconfigTests {
    @Test func mergeKeepsOtherEntriesAndUnknownFields() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/config"
        try """
        apiVersion: v1
        kind: Config
        preferences: {colors: true}
        clusters:
        - name: other
          cluster: {server: "https://10.0.0.1:6443"}
        - name: minikube-swift
          cluster: {server: "https://old:1"}
        users:
        - name: cloud
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin}
        contexts:
        - name: other
          context: {cluster: other, user: cloud}
        current-context: other
        """.write(toFile: path, atomically: true, encoding: .utf8)
        var config = Kubeconfig()
        config.clusters = [.init(name: "minikube-swift", value: .init(server: "https://127.0.0.1:6443", certificateAuthorityData: "Q0E="))]
        config.users = [.init(name: "minikube-swift", value: .init(clientCertificateData: "Y2VydA==", clientKeyData: "a2V5"))]
        config.contexts = [.init(name: "minikube-swift", value: .init(cluster: "minikube-swift", user: "minikube-swift"))]
        config.currentContext = "minikube-swift"
        try config.merge(intoFileAt: path)
        let merged = try #require(try ManifestDecoder.documents(from: Data(contentsOf: URL(fileURLWithPath: path))).first)
        #expect(merged["current-context"] == .string("minikube-swift"))
        #expect(merged[path: ["preferences", "colors"]] == .bool(true))
        #expect(merged["clusters"]?.arrayValue?.count == 2)
        #expect(merged["users"]?.arrayValue?.first?[path: ["user", "exec", "command"]] == .string("gke-gcloud-auth-plugin"))
        let resolved = try Kubeconfig.load(path: path).resolve()
        #expect(resolved.cluster.server == "https://127.0.0.1:6443")
        #expect(resolved.user.clientKeyData == "a2V5")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
