import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Kubelet

@Suite struct PodNetworkTests {
    let dataDir = NSTemporaryDirectory() + "podnet-unit-" + UUID().uuidString
    let fake = FakeHostCommandRunner()
    let podA = PodIdentity(namespace: "default", name: "web-0", uid: "0b6f4c8e-1111-4a3c-9d7e-000000000001")
    let podB = PodIdentity(namespace: "default", name: "web-1", uid: "0b6f4c8e-2222-4a3c-9d7e-000000000002")

    func network(nodeNetns: String? = "node") throws -> PodNetwork {
        try PodNetwork(configuration: PodNetworkConfiguration(dataDir: dataDir, nodeNetns: nodeNetns,
                                                              ipPath: "/usr/sbin/ip"),
                       runner: fake)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: dataDir) }

    @Test func setUpPlansBridgeRoutesNetnsVethAndPodSide() async throws {
        defer { cleanUp() }
        let net = try network()
        let status = try await net.setUp(pod: podA)
        let veth = net.hostInterfaceName(podUID: podA.uid)
        let ns = "mks-" + podA.uid
        #expect(fake.lines == [
            "ip -n node link add cni0 address 0a:58:0a:f4:00:01 type bridge",
            "ip -n node -batch - <<< 'addr replace 10.244.0.1/24 dev cni0; link set cni0 up; "
                + "route replace unreachable 10.244.0.0/16; route replace unreachable 10.96.0.0/12; addr replace 10.96.0.10/32 dev cni0'",
            "ip netns add \(ns)",
            "ip -n node link add \(veth) type veth peer name eth0 netns \(ns)",
            "ip -n node link set \(veth) master cni0 up",
            "ip -n \(ns) -batch - <<< 'link set lo up; link set eth0 address 0a:58:0a:f4:00:02; "
                + "addr replace 10.244.0.2/24 dev eth0; link set eth0 up; route replace default via 10.244.0.1 dev eth0'",
        ])
        #expect(fake.commands.allSatisfy { $0.executable == "/usr/sbin/ip" })
        #expect(status.netnsPath == "/run/netns/" + ns)
        #expect(status.ip == IPv4Address(10, 244, 0, 2))
        #expect(status.cidr == "10.244.0.2/24")
        #expect(status.gateway == IPv4Address(10, 244, 0, 1))
        #expect(status.interfaceName == "eth0")
        #expect(status.hostInterfaceName == veth)
        #expect(try await net.status(podUID: podA.uid) == status)
    }

    @Test func secondPodGetsTheNextAddressAndTheBridgeIsPreparedOnce() async throws {
        defer { cleanUp() }
        let net = try network()
        let a = try await net.setUp(pod: podA)
        fake.reset()
        let b = try await net.setUp(pod: podB)
        #expect(a.ip != b.ip)
        #expect(b.ip == IPv4Address(10, 244, 0, 3))
        #expect(a.hostInterfaceName != b.hostInterfaceName)
        #expect(!fake.lines.contains { $0.contains("type bridge") })
        #expect(fake.lines.count == 4)
    }

    @Test func setUpOfAnIntactSandboxOnlyLooks() async throws {
        defer { cleanUp() }
        let first = try await network().setUp(pod: podA)
        // A new PodNetwork over the same data dir: a restarted kubelet.
        let net = try network()
        fake.reset()
        fake.script { command in
            let args = command.arguments.joined(separator: " ")
            if args.contains("addr show dev eth0") {
                return HostCommandResult(status: 0, stdout: "2: eth0    inet 10.244.0.2/24 scope global eth0\n")
            }
            if args.contains("link show dev \(first.hostInterfaceName)") {
                return HostCommandResult(status: 0, stdout: "7: \(first.hostInterfaceName)@if2: <UP> mtu 1500 master cni0 state UP\n")
            }
            return nil
        }
        let again = try await net.setUp(pod: podA)
        #expect(again == first)
        // The new object prepares the node (idempotent), then only inspects the sandbox.
        #expect(fake.lines.dropFirst(2) == [
            "ip -n mks-\(podA.uid) -o -4 addr show dev eth0",
            "ip -n node -o link show dev \(first.hostInterfaceName)",
        ])
    }

    @Test func setUpRebuildsABrokenSandboxWithTheSameAddress() async throws {
        defer { cleanUp() }
        let net = try network()
        let first = try await net.setUp(pod: podA)
        fake.reset()
        // The pod's netns is gone (the inspection fails), its leftovers are replaced.
        fake.script { command in
            let args = command.arguments.joined(separator: " ")
            return args.contains("show") ? HostCommandResult(status: 1, stderr: "Cannot open network namespace") : nil
        }
        let again = try await net.setUp(pod: podA)
        #expect(again == first)
        #expect(fake.lines.contains("ip netns add mks-\(podA.uid)"))
        #expect(fake.lines.contains { $0.contains("link add \(first.hostInterfaceName) type veth") })
    }

    @Test func leftoversOfAnEarlierAttemptAreReplaced() async throws {
        defer { cleanUp() }
        let net = try network()
        let ns = "mks-" + podA.uid
        let veth = net.hostInterfaceName(podUID: podA.uid)
        let tries = Mutex(0)
        fake.script { command in
            let args = command.arguments.joined(separator: " ")
            if args == "netns add \(ns)", tries.withLock({ $0 += 1; return $0 }) == 1 {
                return HostCommandResult(status: 1, stderr: "Cannot create namespace file \"/run/netns/\(ns)\": File exists\n")
            }
            return nil
        }
        _ = try await net.setUp(pod: podA)
        let lines = fake.lines.drop { !$0.hasPrefix("ip netns add") }
        #expect(Array(lines.prefix(4)) == [
            "ip netns add \(ns)",
            "ip -n node link del \(veth)",
            "ip netns del \(ns)",
            "ip netns add \(ns)",
        ])
    }

    @Test func aFailedStepNamesItselfAndRollsBack() async throws {
        defer { cleanUp() }
        let net = try network()
        let veth = net.hostInterfaceName(podUID: podA.uid)
        fake.script { command in
            command.arguments.starts(with: ["-n", "node", "link", "add", veth])
                ? HostCommandResult(status: 2, stderr: "RTNETLINK answers: Operation not permitted\n") : nil
        }
        let error = await #expect(throws: PodNetworkError.self) { try await net.setUp(pod: podA) }
        let message = try #require(error).description
        #expect(message.hasPrefix("create the pod's veth pair: ip -n node link add \(veth) type veth"))
        #expect(message.hasSuffix("failed (exit 2): RTNETLINK answers: Operation not permitted"))
        // Rolled back: the netns is deleted, no IP stays allocated, no record.
        #expect(fake.lines.suffix(2) == ["ip -n node link del \(veth)", "ip netns del mks-\(podA.uid)"])
        #expect(try await net.status(podUID: podA.uid) == nil)
        #expect(try IPAM(directory: dataDir + "/network/ipam/10.244.0.0-24", network: IPv4Network("10.244.0.0/24")!,
                         gateway: IPv4Address(10, 244, 0, 1)).allocations().isEmpty)
    }

    @Test func tearDownRemovesVethAndNetnsAndFreesTheAddress() async throws {
        defer { cleanUp() }
        let net = try network()
        let a = try await net.setUp(pod: podA)
        fake.reset()
        try await net.tearDown(podUID: podA.uid)
        #expect(fake.lines == ["ip -n node link del \(a.hostInterfaceName)", "ip netns del \(a.netnsName)"])
        #expect(try await net.status(podUID: podA.uid) == nil)
        // Tearing down what is gone is fine: ip's "not found" answers are tolerated.
        fake.script { command in
            command.arguments.contains("del")
                ? HostCommandResult(status: 1, stderr: command.arguments.contains("netns")
                    ? "Cannot remove namespace file \"/run/netns/x\": No such file or directory\n"
                    : "Cannot find device \"\(a.hostInterfaceName)\"\n") : nil
        }
        try await net.tearDown(podUID: podA.uid)
        // But a node netns that cannot be opened is an error.
        fake.script { _ in HostCommandResult(status: 255, stderr: "Cannot open network namespace \"node\": No such file or directory\n") }
        await #expect(throws: PodNetworkError.self) { try await net.tearDown(podUID: podA.uid) }
    }

    @Test func garbageCollectKeepsLivePodsOnly() async throws {
        defer { cleanUp() }
        let net = try network()
        _ = try await net.setUp(pod: podA)
        let b = try await net.setUp(pod: podB)
        // An address a crash left without an owner.
        try Data().write(to: URL(fileURLWithPath: dataDir + "/network/ipam/10.244.0.0-24/10.244.0.9"))
        fake.reset()
        let removed = try await net.garbageCollect(keeping: [podB.uid])
        #expect(removed == [podA.uid])
        #expect(fake.lines.count == 2)
        #expect(try await net.pods() == [b])
        let c = try await net.setUp(pod: PodIdentity(namespace: "default", name: "c", uid: "uid-c"))
        #expect(c.ip == IPv4Address(10, 244, 0, 4))  // round robin after .3; .9 was freed
        #expect(try await net.garbageCollect(keeping: [podB.uid, "uid-c"]).isEmpty)
    }

    @Test func cleanUpNodeRemovesPodsBridgeAndRoutes() async throws {
        defer { cleanUp() }
        let net = try network(nodeNetns: nil)
        let a = try await net.setUp(pod: podA)
        #expect(fake.lines.first == "ip link add cni0 address 0a:58:0a:f4:00:01 type bridge")
        fake.reset()
        fake.script { command in
            command.arguments.first == "route" ? HostCommandResult(status: 2, stderr: "RTNETLINK answers: No such process\n") : nil
        }
        try await net.cleanUpNode()
        #expect(fake.lines == [
            "ip link del \(a.hostInterfaceName)",
            "ip netns del \(a.netnsName)",
            "ip link del cni0",
            "ip route del unreachable 10.244.0.0/16",
            "ip route del unreachable 10.96.0.0/12",
        ])
        #expect(try await net.pods().isEmpty)
    }

    @Test func namesAreStableShortAndDistinct() throws {
        let net = try network()
        let a = net.hostInterfaceName(podUID: podA.uid)
        #expect(a.count == 15 && a.hasPrefix("veth"))
        #expect(a == (try network()).hostInterfaceName(podUID: podA.uid))
        #expect(a != net.hostInterfaceName(podUID: podB.uid))
        // Every name fits the kernel's 15 characters, also when the hash has leading zeros.
        let names = (0..<2000).map { net.hostInterfaceName(podUID: "uid-\($0)") }
        #expect(names.allSatisfy { $0.count == 15 && $0.hasPrefix("veth") })
        #expect(Set(names).count == names.count)
        #expect(PodNetwork.macAddress(for: IPv4Address(10, 244, 0, 17)) == "0a:58:0a:f4:00:11")
    }

    @Test func rejectsUnsafeUIDsAndBadConfigurations() async throws {
        defer { cleanUp() }
        let net = try network()
        for uid in ["", "../etc", "a b", "-n", "x;y"] {
            await #expect(throws: PodNetworkError.invalidPodUID(uid)) {
                try await net.setUp(pod: PodIdentity(namespace: "default", name: "x", uid: uid))
            }
        }
        #expect(fake.commands.isEmpty)
        #expect(throws: PodNetworkError.self) {
            try PodNetwork(configuration: PodNetworkConfiguration(dataDir: dataDir, podCIDR: IPv4Network("10.1.0.0/24")!))
        }
        #expect(throws: PodNetworkError.self) {
            try PodNetwork(configuration: PodNetworkConfiguration(dataDir: dataDir, bridgeName: "a-very-long-bridge-name"))
        }
    }

    @Test func concurrentSetUpsGetDistinctAddresses() async throws {
        defer { cleanUp() }
        let net = try network()
        let ips = try await withThrowingTaskGroup(of: IPv4Address.self) { group in
            for i in 0..<40 {
                group.addTask { try await net.setUp(pod: PodIdentity(namespace: "default", name: "p\(i)", uid: "uid-\(i)")).ip }
            }
            return try await group.reduce(into: [IPv4Address]()) { $0.append($1) }
        }
        #expect(Set(ips).count == 40)
    }
}
