import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Controllers

/// A real API (registry, admission, SQLite store in a temporary directory) reached through
/// the in-process client: the controllers' tests run against the same semantics as `up`.
final class TestAPI: Sendable {
    let directory: String
    let registry: Registry
    let client: LocalKubeClient

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("controllers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        registry = Registry(store: try SQLiteStore(path: directory + "/store.db"))
        try registry.bootstrap()
        client = LocalKubeClient(registry: registry)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Creates every object of a YAML document stream.
    func apply(_ yaml: String) async throws {
        for document in try ManifestDecoder.documents(from: yaml) {
            guard let kind = document["kind"]?.stringValue, let apiVersion = document["apiVersion"]?.stringValue else { continue }
            let gvk = GarbageCollector.gvk(apiVersion: apiVersion, kind: kind)
            guard let resource = ResourceCatalog.resource(for: gvk) else { throw UnservedKindError(gvk: gvk) }
            _ = try await client.create(resource, namespace: resource.namespaced ? "default" : nil, document)
        }
    }

    /// The seed's StorageClass, four PVs (one more than the set needs), headless Service and
    /// StatefulSet, from examples/seed/ with the hostPaths moved under `hostPathRoot`.
    static func seed(hostPathRoot: String = "/tmp/minikube-swift-test-data") throws -> String {
        func file(_ name: String) throws -> String {
            try String(contentsOfFile: repositoryRoot + "/examples/seed/" + name, encoding: .utf8)
        }
        let volumes = try file("pv.yaml").replacingOccurrences(of: "/mnt/data", with: hostPathRoot)
        let fourth = (volumes.components(separatedBy: "---").last ?? "")
            .replacingOccurrences(of: "datadir3", with: "datadir4").replacingOccurrences(of: "data3", with: "data4")
        return [try file("storageclass.yaml"), volumes, fourth, try file("web.yaml")].joined(separator: "\n---\n")
    }

    func pods() async throws -> [Pod] {
        try await client.list(Pod.self, namespace: "default").sorted { $0.name < $1.name }
    }

    func podNames() async throws -> [String] { try await pods().map(\.name) }

    /// What a kubelet reports for a started pod: Running, Ready, an IP.
    func markRunning(_ name: String, ready: Bool = true, ip: String? = nil) async throws {
        let status: JSONValue = [
            "phase": "Running",
            "podIP": .string(ip ?? "10.244.0.\(abs(name.hashValue % 200) + 2)"),
            "conditions": [["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": .string(RFC3339.now())]],
        ]
        _ = try await client.mergePatch(Pod.self, namespace: "default", name: name, ["status": status], subresource: "status")
    }

    func registerNode(_ name: String = "node-1", ready: Bool = true) async throws {
        let node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
        ]
        _ = try await client.create(Node.resource, namespace: nil, node)
        let status: JSONValue = [
            "capacity": ["cpu": "2", "memory": "8Gi", "pods": "110"],
            "allocatable": ["cpu": "2", "memory": "8Gi", "pods": "110"],
            "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
        ]
        _ = try await client.mergePatch(Node.self, name: name, ["status": status], subresource: "status")
    }

    func events(for name: String) async throws -> [String] {
        try await client.list(Event.self, namespace: "default", fieldSelector: "involvedObject.name=\(name)").compactMap(\.message)
    }
}
