import Foundation
import Testing
@testable import Kubelet

@Suite struct PodNetworkAddressTests {
    @Test func parsesDottedQuads() throws {
        #expect(IPv4Address("10.244.0.1") == IPv4Address(10, 244, 0, 1))
        #expect(IPv4Address("0.0.0.0")?.value == 0)
        #expect(IPv4Address("255.255.255.255")?.value == UInt32.max)
        for bad in ["10.244.0", "10.244.0.1.2", "256.0.0.1", "01.2.3.4", "1..2.3", " 1.2.3.4", "a.b.c.d", ""] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        #expect(IPv4Address(10, 96, 0, 10).description == "10.96.0.10")
    }

    @Test func parsesNetworks() throws {
        let net = try #require(IPv4Network("10.244.0.0/24"))
        #expect(net.firstHost == IPv4Address(10, 244, 0, 1))
        #expect(net.lastHost == IPv4Address(10, 244, 0, 254))
        #expect(net.broadcast == IPv4Address(10, 244, 0, 255))
        #expect(net.contains(IPv4Address(10, 244, 0, 77)))
        #expect(!net.contains(IPv4Address(10, 244, 1, 1)))
        #expect(IPv4Network("10.244.0.1/24") == nil)  // host bits set
        #expect(IPv4Network("10.244.0.0/33") == nil)
        #expect(IPv4Network("10.244.0.0") == nil)
        let cluster = try #require(IPv4Network("10.244.0.0/16"))
        #expect(cluster.contains(net))
        #expect(!net.contains(cluster))
        #expect(IPv4Network(masking: IPv4Address(10, 96, 3, 4), prefixLength: 12).description == "10.96.0.0/12")
    }
}

@Suite struct PodNetworkIPAMTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "podnet-ipam-" + UUID().uuidString
    }

    func ipam(_ cidr: String = "10.244.0.0/24") throws -> IPAM {
        let net = try #require(IPv4Network(cidr))
        return try IPAM(directory: dir, network: net, gateway: net.firstHost)
    }

    @Test func skipsNetworkGatewayAndBroadcastAndNeverRepeats() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        #expect(ipam.capacity == 253)
        var seen = Set<IPv4Address>()
        for i in 0..<253 {
            let ip = try ipam.allocate(for: "pod-\(i)")
            #expect(seen.insert(ip).inserted, "\(ip) handed out twice")
        }
        #expect(seen.min() == IPv4Address(10, 244, 0, 2))
        #expect(seen.max() == IPv4Address(10, 244, 0, 254))
        #expect(throws: PodNetworkError.addressPoolExhausted(network: ipam.network)) {
            try ipam.allocate(for: "one-too-many")
        }
    }

    @Test func samePodSameAddressAndSurvivesRestart() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try ipam().allocate(for: "uid-a")
        let b = try ipam().allocate(for: "uid-b")
        #expect(a == IPv4Address(10, 244, 0, 2))
        #expect(b == IPv4Address(10, 244, 0, 3))
        // A new IPAM over the same directory (a restarted kubelet) sees the same allocations.
        let again = try ipam()
        #expect(try again.allocate(for: "uid-a") == a)
        #expect(try again.address(of: "uid-b") == b)
        #expect(try again.allocations() == [a: "uid-a", b: "uid-b"])
        #expect(try String(contentsOfFile: dir + "/10.244.0.3", encoding: .utf8) == "uid-b")
    }

    @Test func releaseFreesAndAllocationGoesRoundRobin() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam("10.0.0.0/29")  // hosts .1–.6, gateway .1: five pods
        let ips = try (0..<5).map { try ipam.allocate(for: "p\($0)") }
        #expect(ips.map(\.description) == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"])
        try ipam.release(podUID: "p1")
        try ipam.release(podUID: "p3")
        try ipam.release(podUID: "not-there")  // not an error
        #expect(try ipam.address(of: "p1") == nil)
        // The next address after the last reserved one (.6) wraps past the gateway (.1) and .2 (taken) to .3.
        #expect(try ipam.allocate(for: "n1") == IPv4Address(10, 0, 0, 3))
        #expect(try ipam.allocate(for: "n2") == IPv4Address(10, 0, 0, 5))
        #expect(throws: PodNetworkError.self) { try ipam.allocate(for: "n3") }
    }

    @Test func aFreedAddressIsNotReusedAtOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        let first = try ipam.allocate(for: "a")
        try ipam.release(podUID: "a")
        #expect(try ipam.allocate(for: "b") != first)
    }

    @Test func rejectsRangesWithoutRoom() throws {
        let net = try #require(IPv4Network("10.0.0.0/31"))
        #expect(throws: PodNetworkError.self) { try IPAM(directory: dir, network: net, gateway: net.firstHost) }
        let ok = try #require(IPv4Network("10.0.0.0/24"))
        #expect(throws: PodNetworkError.self) { try IPAM(directory: dir, network: ok, gateway: ok.broadcast) }
    }
}
