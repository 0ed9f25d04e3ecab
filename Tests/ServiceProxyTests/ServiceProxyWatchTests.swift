import APIServer
import Foundation
import KubeClient
import KubeModel
import Kubelet
import Testing
import TestSupport
@testable import ServiceProxy

/// The proxy against a real API (registry, SQLite store) with the machine behind a fake: it lists,
/// applies, and follows Service and EndpointSlice changes with new rules.
@Suite struct ServiceProxyWatchTests {
    @Test func rulesFollowServicesAndEndpointSlices() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = Registry(store: try SQLiteStore(path: directory + "/store.db"))
        try registry.bootstrap()
        let client = LocalKubeClient(registry: registry)
        let runner = FakeHostCommandRunner()
        let proxy = ServiceProxy(configuration: ServiceProxyConfiguration(localAddresses: [IPv4Address(10, 96, 0, 10)]),
                                 client: client, runner: runner)
        let running = Task { await proxy.run() }
        defer { running.cancel() }

        /// The last script given to `nft -f`, once one satisfies `check`.
        func applied(_ what: String, _ check: @escaping (String) -> Bool) async throws -> String {
            for _ in 0..<200 {
                if let script = runner.commands.last(where: { $0.arguments == ["-f", "-"] })?.stdin, check(script) { return script }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("no rules where \(what): \(runner.commands.last(where: { $0.arguments == ["-f", "-"] })?.stdin ?? "none")")
            return ""
        }

        // The cluster's own Services: kubernetes (no endpoints) is rejected; kube-dns is local.
        let first = try await applied("kubernetes is listed", { $0.contains("10.96.0.1") })
        #expect(first.contains("\t\telements = { 10.96.0.1 }\n\t}\n\tmap service-ips"), "\(first)")

        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"],
            "spec": ["clusterIP": "10.96.0.50", "selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": "http"]]],
        ]
        _ = try await client.create(Service.resource, namespace: "default", service)
        _ = try await applied("web is rejected without endpoints", { $0.contains("10.96.0.50") && !$0.contains("chain service-default/web/") })

        let slice: JSONValue = [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": ["name": "web-abc", "namespace": "default", "labels": ["kubernetes.io/service-name": "web"]],
            "addressType": "IPv4", "ports": [["name": "http", "port": 8080, "protocol": "TCP"]],
            "endpoints": [["addresses": ["10.244.0.7"], "conditions": ["ready": true]]],
        ]
        _ = try await client.create(EndpointSlice.resource, namespace: "default", slice)
        _ = try await applied("web goes to its endpoint", { $0.contains("dnat to 10.244.0.7:8080") })

        _ = try await client.delete(Service.resource, namespace: "default", name: "web", options: DeleteOptions())
        _ = try await applied("web is gone", { !$0.contains("10.96.0.50") })
    }
}
