import Foundation
import Testing
@testable import Kubelet

/// The pod network for real, as root, with the bridge and routes inside a "node" network namespace
/// made for each test: nothing touches the host's interfaces or routes, and every namespace, veth
/// and bridge is removed even when a test fails.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root: creates network namespaces, veths and bridges"))
struct PodNetworkIntegrationTests {
    @Test func twoPodsGetDistinctAddressesAndTalk() async throws {
        try await withPodNetworkNode { node, net in
            let a = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-0", uid: node.uid("a")))
            let b = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-1", uid: node.uid("b")))
            let podCIDR = try #require(IPv4Network("10.244.0.0/24"))
            #expect(podCIDR.contains(a.ip) && podCIDR.contains(b.ip))
            #expect(a.ip != b.ip)
            #expect(![podCIDR.address, podCIDR.firstHost, podCIDR.broadcast].contains(a.ip))

            // The sandbox holds lo and eth0 only, eth0 with the pod IP, a default route via the bridge.
            let links = try await node.sh(["ip", "-n", a.netnsName, "-o", "link", "show"])
            #expect(links.split(separator: "\n").map { $0.split(separator: ":")[1].split(separator: "@")[0]
                .trimmingCharacters(in: .whitespaces) } == ["lo", "eth0"])
            #expect(try await node.sh(["ip", "-n", a.netnsName, "-o", "-4", "addr", "show", "dev", "eth0"])
                .contains("inet \(a.ip)/24 "))
            #expect(try await node.sh(["ip", "-n", a.netnsName, "link", "show", "lo"]).contains(",UP,"))
            #expect(try await node.sh(["ip", "-n", a.netnsName, "route", "show", "default"])
                .contains("default via 10.244.0.1 dev eth0"))

            // The node: bridge with the gateway, the veth a port of it, the unreachable routes.
            #expect(try await node.sh(["ip", "-n", node.name, "-o", "-4", "addr", "show", "dev", "cni0"])
                .contains("inet 10.244.0.1/24 "))
            #expect(try await node.sh(["ip", "-n", node.name, "-o", "link", "show", "dev", a.hostInterfaceName])
                .contains("master cni0 "))
            let routes = try await node.sh(["ip", "-n", node.name, "route", "show"])
            #expect(routes.contains("unreachable 10.244.0.0/16"))
            #expect(routes.contains("unreachable 10.96.0.0/12"))
            // A cluster address off this node's /24 is refused, never routed out.
            let off = try await node.run(["ip", "-n", node.name, "route", "get", "10.244.7.7"])
            #expect(off.status != 0 && off.stderr.contains("No route to host"))

            // Node → pod A and pod B → pod A over TCP, to a listener running in A's sandbox.
            let listener = try node.listen(in: a.netnsPath, port: 8080, reply: "hello-from-a")
            defer { listener.stop() }
            #expect(try await node.connect(from: "/run/netns/" + node.name, to: a.ip, port: 8080) == "hello-from-a")
            #expect(try await node.connect(from: b.netnsPath, to: a.ip, port: 8080) == "hello-from-a")
            // And ICMP from A to B and to the gateway.
            #expect(try await node.run(["nsenter", "--net=" + a.netnsPath, "/bin/busybox", "ping", "-c", "1", "-W", "2",
                                        b.ip.description]).status == 0)
            #expect(try await node.run(["nsenter", "--net=" + a.netnsPath, "/bin/busybox", "ping", "-c", "1", "-W", "2",
                                        "10.244.0.1"]).status == 0)
        }
    }

    @Test func aContainerJoinsThePodSandbox() async throws {
        try await withPodNetworkNode { node, net in
            let a = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-0", uid: node.uid("a")))
            let b = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-1", uid: node.uid("b")))
            let listener = try node.listen(in: b.netnsPath, port: 8080, reply: "hello-from-b")
            defer { listener.stop() }
            _ = try await node.connect(from: "/run/netns/" + node.name, to: b.ip, port: 8080)  // it listens

            // A real container (the runtime's setns on netnsPath) sees the pod's eth0 and reaches B.
            let sandbox = try RuntimeSandbox()
            defer { sandbox.cleanUp() }
            var spec = sandbox.spec(["/bin/sh", "-c",
                                     "ip -o -4 addr show dev eth0; ip -o link | wc -l; nc -w 2 \(b.ip) 8080 </dev/null"])
            spec.network = .join(path: a.netnsPath)
            let (status, output) = try await sandbox.run(spec)
            #expect(status.exitCode == 0, "\(output)")
            #expect(output.contains("inet \(a.ip)/24"))
            #expect(output.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "2" })  // lo, eth0
            #expect(output.contains("hello-from-b"))
        }
    }

    @Test func stateSurvivesANewPodNetworkObject() async throws {
        try await withPodNetworkNode { node, net in
            let pod = PodIdentity(namespace: "default", name: "web-0", uid: node.uid("a"))
            let first = try await net.setUp(pod: pod)
            let inode = try node.inode(first.netnsPath)

            let restarted = try PodNetwork(configuration: net.configuration)
            #expect(try await restarted.status(podUID: pod.uid) == first)
            let again = try await restarted.setUp(pod: pod)
            #expect(again == first)
            #expect(try node.inode(again.netnsPath) == inode, "an intact sandbox is kept, not rebuilt")
            let other = try await restarted.setUp(pod: PodIdentity(namespace: "default", name: "web-1", uid: node.uid("b")))
            #expect(other.ip != first.ip)

            // A sandbox whose veth vanished is rebuilt with the same address.
            _ = try await node.sh(["ip", "-n", node.name, "link", "del", first.hostInterfaceName])
            let rebuilt = try await restarted.setUp(pod: pod)
            #expect(rebuilt == first)
            #expect(try await node.sh(["ip", "-n", first.netnsName, "-o", "-4", "addr", "show", "dev", "eth0"])
                .contains("inet \(first.ip)/24 "))
            #expect(try await node.run(["nsenter", "--net=" + other.netnsPath, "/bin/busybox", "ping", "-c", "1",
                                        "-W", "2", first.ip.description]).status == 0)
        }
    }

    @Test func tearDownAndCleanUpNodeLeaveNothing() async throws {
        try await withPodNetworkNode { node, net in
            let a = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-0", uid: node.uid("a")))
            let b = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-1", uid: node.uid("b")))
            try await net.tearDown(podUID: a.pod.uid)
            #expect(!FileManager.default.fileExists(atPath: a.netnsPath))
            #expect(try await node.run(["ip", "-n", node.name, "link", "show", "dev", a.hostInterfaceName]).status != 0)
            #expect(try await net.status(podUID: a.pod.uid) == nil)
            #expect(try net.ipam.allocations() == [b.ip: b.pod.uid])
            try await net.tearDown(podUID: a.pod.uid)  // again: nothing to do

            // Reconciling with no live pods removes B too.
            #expect(try await net.garbageCollect(keeping: []) == [b.pod.uid])
            #expect(!FileManager.default.fileExists(atPath: b.netnsPath))

            _ = try await net.setUp(pod: PodIdentity(namespace: "default", name: "web-2", uid: node.uid("c")))
            try await net.cleanUpNode()
            #expect(try await node.run(["ip", "-n", node.name, "link", "show", "dev", "cni0"]).status != 0)
            let routes = try await node.sh(["ip", "-n", node.name, "route", "show", "table", "all"])
            #expect(!routes.contains("unreachable"))
            #expect(try await node.sh(["ip", "-n", node.name, "-o", "link", "show"]).split(separator: "\n").count == 1)  // lo
            #expect(try node.ourNamespaces() == [node.name])
        }
    }

    @Test func aFailedSetUpLeavesNothingBehind() async throws {
        try await withPodNetworkNode { node, net in
            // Without the node namespace's bridge the veth cannot be attached: the step fails.
            let pod = PodIdentity(namespace: "default", name: "web-0", uid: node.uid("a"))
            _ = try await net.setUp(pod: PodIdentity(namespace: "default", name: "x", uid: node.uid("x")))
            _ = try await node.sh(["ip", "-n", node.name, "link", "del", "cni0"])
            let error = await #expect(throws: PodNetworkError.self) { try await net.setUp(pod: pod) }
            #expect(error?.description.contains("attach veth") == true)
            #expect(error?.description.contains("master cni0") == true)
            #expect(!FileManager.default.fileExists(atPath: net.makeStatus(pod: pod, ip: IPv4Address(0)).netnsPath))
            #expect(try await net.status(podUID: pod.uid) == nil)
            #expect(try net.ipam.address(of: pod.uid) == nil)
        }
    }
}

// MARK: - The test node

/// A node network namespace, a data dir and a tag that names everything the test creates.
struct PodNetworkTestNode {
    let tag: String
    let dataDir: String
    var name: String { "mks-test-node-" + tag }
    var podPrefix: String { "mks-test-" + tag + "-" }
    private let runner = PosixSpawnHostCommandRunner()

    init() throws {
        tag = String(UUID().uuidString.prefix(8)).lowercased()
        dataDir = NSTemporaryDirectory() + "podnet-it-" + tag
    }

    func uid(_ suffix: String) -> String { "00000000-0000-4000-8000-" + tag + "000" + suffix }

    @discardableResult
    func run(_ args: [String]) async throws -> HostCommandResult {
        let path = args[0] == "ip" ? PodNetworkConfiguration.findIP()
            : ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].map { $0 + args[0] }
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? args[0]
        return try await runner.run(HostCommand(args[0].hasPrefix("/") ? args[0] : path, Array(args.dropFirst())))
    }

    /// stdout; a non-zero exit fails.
    func sh(_ args: [String]) async throws -> String {
        let result = try await run(args)
        guard result.status == 0 else { throw PodNetworkTestError("\(args.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// Namespaces in /run/netns named with this test's tag.
    func ourNamespaces() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: PodNetworkConfiguration.netnsDirectory)) ?? []
        return names.filter { $0.contains(tag) }.sorted()
    }

    func inode(_ path: String) throws -> UInt64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw PodNetworkTestError("stat \(path): errno \(errno)") }
        return UInt64(st.st_ino)
    }

    /// A busybox nc listener in the netns at `netnsPath` answering every connection with `reply`.
    func listen(in netnsPath: String, port: Int, reply: String) throws -> PodNetworkListener {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=" + netnsPath, "/bin/busybox", "nc", "-ll", "-p", "\(port)",
                             "-e", "/bin/busybox", "echo", reply]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return PodNetworkListener(process: process)
    }

    /// Connects from the netns at `netnsPath`, retrying while the listener starts; what it read.
    func connect(from netnsPath: String, to ip: IPv4Address, port: Int) async throws -> String {
        var last = ""
        for _ in 0..<40 {
            let result = try await run(["nsenter", "--net=" + netnsPath, "/bin/busybox", "nc", "-w", "2",
                                        ip.description, "\(port)"])
            let out = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if result.status == 0 && !out.isEmpty { return out }
            last = result.stderr
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PodNetworkTestError("nc \(ip) \(port) from \(netnsPath): \(last)")
    }

    /// Removes whatever the test left: its pod namespaces, the node namespace (taking the bridge
    /// and the veths' node ends with it) and the data dir.
    func destroy() async {
        for name in (try? ourNamespaces()) ?? [] {
            _ = try? await run(["ip", "netns", "del", name])
        }
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}

struct PodNetworkListener {
    let process: Foundation.Process
    /// SIGKILL: a child of `Process` inherits the spawning thread's blocked signals, SIGTERM too.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct PodNetworkTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a fresh node namespace and a `PodNetwork` in it; always cleans up, then
/// checks the host shows nothing of the test.
func withPodNetworkNode(_ body: (PodNetworkTestNode, PodNetwork) async throws -> Void) async throws {
    let node = try PodNetworkTestNode()
    do {
        _ = try await node.sh(["ip", "netns", "add", node.name])
        _ = try await node.sh(["ip", "-n", node.name, "link", "set", "lo", "up"])
        let config = PodNetworkConfiguration(dataDir: node.dataDir, nodeNetns: node.name, netnsPrefix: node.podPrefix)
        let net = try PodNetwork(configuration: config)
        try await net.prepareNode()
        do {
            try await body(node, net)
        } catch {
            try? await net.cleanUpNode()
            throw error
        }
        try await net.cleanUpNode()
    } catch {
        await node.destroy()
        throw error
    }
    await node.destroy()
    #expect(try node.ourNamespaces().isEmpty, "namespaces left in /run/netns")
    let hostLinks = try await node.sh(["ip", "-o", "link", "show"])
    #expect(!hostLinks.contains(node.tag))
    for suffix in ["a", "b", "c", "x"] {
        let veth = PodNetworkConfiguration(dataDir: node.dataDir, netnsPrefix: node.podPrefix)
        #expect(!hostLinks.contains(try PodNetwork(configuration: veth).hostInterfaceName(podUID: node.uid(suffix))))
    }
}
