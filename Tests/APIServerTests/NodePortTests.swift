import Foundation
import KubeClient
import KubeModel
import Testing

@testable import APIServer

@Suite struct NodePortTests {
    let services = resource("services")

    func service(_ name: String, type: String = "NodePort", ports: [JSONValue] = [["name": "http", "port": 80]]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["type": .string(type), "selector": ["app": "web"], "ports": .array(ports)]]
    }

    func nodePorts(_ object: JSONValue) -> [Int64?] {
        (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { $0["nodePort"]?.intValue }
    }

    func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as KubeAPIError {
            return "\(error.code) \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    @Test func everyPortOfANodePortServiceGetsAFreePortFromTheRange() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var seen: Set<Int64> = []
        for index in 0..<20 {
            let created = try registry.create(services, namespace: "default", service("s\(index)", ports: [
                ["name": "http", "port": 80], ["name": "dns", "port": 53, "protocol": "UDP"],
            ]))
            for port in nodePorts(created) {
                let number = try #require(port)
                #expect((30000...32767).contains(number))
                #expect(seen.insert(number).inserted, "\(number) given twice")
            }
        }
        // ClusterIP Services get none; LoadBalancer ones do unless they opt out.
        #expect(nodePorts(try registry.create(services, namespace: "default", service("plain", type: "ClusterIP"))) == [nil])
        #expect(nodePorts(try registry.create(services, namespace: "default", service("lb", type: "LoadBalancer")))[0] != nil)
        var optOut = service("lb-none", type: "LoadBalancer")
        optOut["spec"]?["allocateLoadBalancerNodePorts"] = false
        #expect(nodePorts(try registry.create(services, namespace: "default", optOut)) == [nil])
    }

    @Test func requestedPortsMustBeFreeAndInRange() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mine = try registry.create(services, namespace: "default", service("mine", ports: [["port": 80, "nodePort": 30080]]))
        #expect(nodePorts(mine) == [30080])
        #expect(message { try registry.create(services, namespace: "default", service("taken", ports: [["port": 80, "nodePort": 30080]])) }
            == "422 Service \"taken\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated")
        #expect(message { try registry.create(services, namespace: "default", service("outside", ports: [["port": 80, "nodePort": 40000]])) }
            == "422 Service \"outside\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767")
        // One Service may use one node port for both protocols of a port, not twice for one.
        let dns = try registry.create(services, namespace: "default", service("dns", ports: [
            ["name": "udp", "port": 53, "protocol": "UDP", "nodePort": 30053], ["name": "tcp", "port": 53, "nodePort": 30053],
        ]))
        #expect(nodePorts(dns) == [30053, 30053])
        #expect(message { try registry.create(services, namespace: "default", service("twice", ports: [
            ["name": "a", "port": 80, "nodePort": 30090], ["name": "b", "port": 81, "nodePort": 30090],
        ])) } == "422 Service \"twice\" is invalid: spec.ports[1].nodePort: Invalid value: 30090: provided port is already allocated")
        // Free again once its Service is gone.
        _ = try registry.delete(services, namespace: "default", name: "mine", options: DeleteOptions())
        #expect(nodePorts(try registry.create(services, namespace: "default", service("again", ports: [["port": 80, "nodePort": 30080]]))) == [30080])
    }

    @Test func updatesKeepPortsAndLeavingNodePortGivesThemBack() throws {
        let (registry, dir) = try makeRegistry()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let created = try registry.create(services, namespace: "default", service("web"))
        let given = try #require(nodePorts(created)[0])
        // A PUT that leaves nodePort out keeps it; a new port gets one of its own.
        var body = created
        body["spec"]?["ports"] = [["name": "http", "port": 80], ["name": "admin", "port": 8080]]
        let updated = try registry.update(services, namespace: "default", name: "web", body)
        #expect(nodePorts(updated)[0] == given)
        let second = try #require(nodePorts(updated)[1])
        #expect(second != given)
        // Its own ports never count as taken by someone else.
        let again = try registry.update(services, namespace: "default", name: "web", updated)
        #expect(nodePorts(again) == [given, second])
        // Back to ClusterIP: the ports go and are free for others.
        let patched = try registry.patch(services, namespace: "default", name: "web", type: .merge, ["spec": ["type": "ClusterIP"]])
        #expect(nodePorts(patched) == [nil, nil])
        #expect(nodePorts(try registry.create(services, namespace: "default",
                                              service("other", ports: [["port": 80, "nodePort": .int(given)]]))) == [given])
    }
}
