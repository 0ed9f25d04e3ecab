import Foundation
import KubeClient
import KubeModel
import Testing

@testable import APIServer

@Suite struct ClusterIPTests {
    func service(_ name: String, clusterIP: String? = nil) -> JSONValue {
        var spec: [String: JSONValue] = ["selector": ["app": "nginx"], "ports": [["port": 80]]]
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"], "spec": .object(spec)]
    }

    @Test func everyClusterHasTheAPIAndDNSServices() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let api = try registry.get(resource("services"), namespace: "default", name: "kubernetes").object
        #expect(api[path: ["spec", "clusterIPs"]] == ["10.96.0.1"])
        #expect(api[path: ["spec", "ports"]]?.arrayValue?.first?["port"] == 443)
        let dns = try registry.get(resource("services"), namespace: "kube-system", name: "kube-dns").object
        #expect(dns[path: ["spec", "clusterIP"]] == "10.96.0.10")
        #expect(dns[path: ["spec", "ports"]]?.arrayValue?.map { $0["protocol"] } == ["UDP", "TCP"])
        // A second bootstrap (a restart) changes nothing.
        try registry.bootstrap()
    }

    @Test func servicesGetDistinctIPsFromTheUpperRange() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var seen: Set<String> = ["10.96.0.1", "10.96.0.10"]
        for index in 0..<50 {
            let created = try registry.create(resource("services"), namespace: "default", service("s\(index)"))
            let ip = try #require(created[path: ["spec", "clusterIP"]]?.stringValue)
            #expect(created[path: ["spec", "clusterIPs"]] == [.string(ip)])
            let value = try #require(ClusterIPAllocator.parse(ip))
            #expect(value >= ClusterIPAllocator.parse("10.96.1.0")! && value <= ClusterIPAllocator.parse("10.111.255.254")!, "\(ip)")
            #expect(seen.insert(ip).inserted, "\(ip) given twice")
        }
    }

    @Test func headlessServicesGetNone() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let created = try registry.create(resource("services"), namespace: "default", service("nginx", clusterIP: "None"))
        #expect(created[path: ["spec", "clusterIP"]] == "None")
        #expect(created[path: ["spec", "clusterIPs"]] == ["None"])
    }

    @Test func requestedIPsMustBeFreeAndInRange() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let services = resource("services")
        #expect(throws: KubeAPIError.self) { try registry.create(services, namespace: "default", service("taken", clusterIP: "10.96.0.10")) }
        do {
            _ = try registry.create(services, namespace: "default", service("taken", clusterIP: "10.96.0.10"))
        } catch let error as KubeAPIError {
            #expect(error.code == 422)
            #expect(error.message == "Service \"taken\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated")
        }
        do {
            _ = try registry.create(services, namespace: "default", service("outside", clusterIP: "192.168.1.1"))
            Issue.record("an IP outside 10.96.0.0/12 was accepted")
        } catch let error as KubeAPIError {
            #expect(error.code == 422)
            #expect(error.message.contains("the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"), "\(error.message)")
        }
        // A static IP is free again once its Service is gone.
        let created = try registry.create(services, namespace: "default", service("mine", clusterIP: "10.96.0.42"))
        #expect(created[path: ["spec", "clusterIP"]] == "10.96.0.42")
        _ = try registry.delete(services, namespace: "default", name: "mine", options: DeleteOptions())
        let again = try registry.create(services, namespace: "default", service("again", clusterIP: "10.96.0.42"))
        #expect(again[path: ["spec", "clusterIP"]] == "10.96.0.42")
    }
}
