import Foundation

/// The node's pod network, the job a CNI bridge plugin with host-local IPAM does for a real
/// kubelet: one network namespace per pod (its sandbox, `/run/netns/<prefix><uid>`), a veth pair
/// from it to the bridge `cni0`, an IP from the node's podCIDR, and node-wide `unreachable`
/// routes for the cluster and Service CIDRs.
///
/// Everything is done by iproute2's `ip` through a `HostCommandRunner` (each command names its
/// namespace with `ip -n`, so no thread of this process ever changes namespace) and every
/// operation is idempotent: `setUp` on a pod that is set up returns what it has, `tearDown` of a
/// pod that is gone does nothing. State lives in `<dataDir>/network` (IPAM files and one record
/// per pod), so a restarted kubelet finds its sandboxes again. Calls for different pods run
/// concurrently; calls for the same pod are serialized.
public actor PodNetwork {
    public nonisolated let configuration: PodNetworkConfiguration
    let runner: any HostCommandRunner
    nonisolated let ipam: IPAM
    private var nodePrepared = false
    private var podLocks: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// The pod side of every veth pair.
    public static let podInterfaceName = "eth0"

    public init(configuration: PodNetworkConfiguration,
                runner: any HostCommandRunner = PosixSpawnHostCommandRunner()) throws(PodNetworkError) {
        try configuration.validate()
        self.configuration = configuration
        self.runner = runner
        let range = "\(configuration.podCIDR.address)-\(configuration.podCIDR.prefixLength)"
        self.ipam = try IPAM(directory: configuration.stateDirectory + "/ipam/" + range,
                             network: configuration.podCIDR, gateway: configuration.gateway)
    }

    // MARK: - Pods

    /// Gives the pod its sandbox: the netns, the veth pair on the bridge, an IP, `lo` up and a
    /// default route via the gateway. Returns the existing sandbox when it is intact; rebuilds a
    /// broken one (the pod keeps its IP). On failure nothing of this attempt is left behind.
    public func setUp(pod: PodIdentity) async throws(PodNetworkError) -> PodNetworkStatus {
        try Self.validate(uid: pod.uid)
        await lock(pod.uid)
        defer { unlock(pod.uid) }
        if !nodePrepared { try await prepareNode() }

        let ip = try ipam.allocate(for: pod.uid)
        let status = makeStatus(pod: pod, ip: ip)
        if let record = try readRecord(uid: pod.uid), record == status, try await isIntact(status) {
            return status
        }
        do {
            try await build(status)
            try writeRecord(status)
        } catch {
            await removeSandbox(uid: pod.uid)
            try? ipam.release(podUID: pod.uid)
            removeRecord(uid: pod.uid)
            throw error
        }
        return status
    }

    /// Removes the pod's veth pair and netns, frees its IP and forgets it. A pod with nothing
    /// set up is not an error. Containers still in the netns keep it alive until they exit.
    public func tearDown(podUID: String) async throws(PodNetworkError) {
        try Self.validate(uid: podUID)
        await lock(podUID)
        defer { unlock(podUID) }
        try await deleteHostVeth(uid: podUID)
        try await deleteNetns(uid: podUID)
        try ipam.release(podUID: podUID)
        removeRecord(uid: podUID)
    }

    /// The pod's network as last set up, or nil if it has none.
    public func status(podUID: String) throws(PodNetworkError) -> PodNetworkStatus? {
        try Self.validate(uid: podUID)
        return try readRecord(uid: podUID)
    }

    /// Every pod that has a network, by UID.
    public func pods() throws(PodNetworkError) -> [PodNetworkStatus] {
        var result: [PodNetworkStatus] = []
        for uid in try recordUIDs() {
            if let record = try readRecord(uid: uid) { result.append(record) }
        }
        return result
    }

    /// Reconciles with the pods that should exist: tears down every sandbox and frees every IP
    /// whose pod UID is not in `keeping` (also addresses a crash left without an owner).
    /// Returns the UIDs torn down.
    @discardableResult
    public func garbageCollect(keeping live: Set<String>) async throws(PodNetworkError) -> [String] {
        var known = Set(try recordUIDs())
        for (ip, owner) in try ipam.allocations() {
            if Self.isValid(uid: owner) {
                known.insert(owner)
            } else {
                try ipam.release(ip)
            }
        }
        let stale = known.subtracting(live).sorted()
        // Concurrently: deleting a veth waits for an RCU grace period (~30 ms each).
        let failures = await withTaskGroup(of: PodNetworkError?.self) { group in
            for uid in stale {
                group.addTask {
                    do throws(PodNetworkError) {
                        try await self.tearDown(podUID: uid)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [PodNetworkError] = []
            for await failure in group {
                if let failure { failures.append(failure) }
            }
            return failures
        }
        if let first = failures.first { throw first }
        return stale
    }

    // MARK: - Node

    /// Node-wide state: the bridge with the gateway address, up, and the `unreachable` routes for
    /// the cluster and Service CIDRs (the bridge's own podCIDR route is more specific and wins).
    /// Idempotent.
    public func prepareNode() async throws(PodNetworkError) {
        let c = configuration
        let add = ip(["link", "add", c.bridgeName, "address", Self.macAddress(for: c.gateway), "type", "bridge"],
                     in: c.nodeNetns)
        try await run(add, step: "create the bridge \(c.bridgeName)", tolerating: ["File exists"])
        var batch = [
            "addr replace \(c.gateway)/\(c.podCIDR.prefixLength) dev \(c.bridgeName)",
            "link set \(c.bridgeName) up",
            "route replace unreachable \(c.clusterCIDR)",
            "route replace unreachable \(c.serviceCIDR)",
        ]
        // The DNS Service's address is local: packets to it never meet the unreachable route.
        if let dns = c.clusterDNS { batch.append("addr replace \(dns)/32 dev \(c.bridgeName)") }
        try await run(ipBatch(batch, in: c.nodeNetns), step: "configure the bridge and the unreachable routes")
        nodePrepared = true
    }

    /// Tears down every pod network this node knows, then removes the bridge and the routes.
    /// The IPAM directory stays (it is empty by then).
    public func cleanUpNode() async throws(PodNetworkError) {
        try await garbageCollect(keeping: [])
        let c = configuration
        try await run(ip(["link", "del", c.bridgeName], in: c.nodeNetns),
                      step: "delete the bridge \(c.bridgeName)", tolerating: ["Cannot find device"])
        for cidr in [c.clusterCIDR, c.serviceCIDR] {
            try await run(ip(["route", "del", "unreachable", cidr.description], in: c.nodeNetns),
                          step: "delete the unreachable route \(cidr)", tolerating: ["No such process"])
        }
        nodePrepared = false
    }

    // MARK: - Names

    /// The sandbox's name under `/run/netns`.
    public nonisolated func netnsName(podUID: String) -> String { configuration.netnsPrefix + podUID }

    /// `veth` + 11 hex digits of a hash of the pod: stable (found again after a restart), within
    /// the kernel's 15 characters, and distinct per pod.
    public nonisolated func hostInterfaceName(podUID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64
        for byte in (configuration.netnsPrefix + podUID).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "veth" + (String(repeating: "0", count: 16 - hex.count) + hex).prefix(11)
    }

    /// `0a:58:` + the address's octets, as ovn-kubernetes does: locally administered, unicast, and
    /// the same for whoever holds the address, so neighbours' ARP entries stay right when an
    /// address is reused, and the bridge keeps its MAC when ports come and go.
    public static func macAddress(for ip: IPv4Address) -> String {
        ([0x0a, 0x58] + ip.octets).map { b in
            let hex = String(b, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    nonisolated func makeStatus(pod: PodIdentity, ip: IPv4Address) -> PodNetworkStatus {
        let netns = netnsName(podUID: pod.uid)
        return PodNetworkStatus(
            pod: pod, netnsName: netns, netnsPath: PodNetworkConfiguration.netnsDirectory + "/" + netns,
            ip: ip, prefixLength: configuration.podCIDR.prefixLength, gateway: configuration.gateway,
            interfaceName: Self.podInterfaceName, macAddress: Self.macAddress(for: ip),
            hostInterfaceName: hostInterfaceName(podUID: pod.uid), bridgeName: configuration.bridgeName)
    }

    // MARK: - Steps

    /// Creates the netns and the veth pair (replacing leftovers of an earlier attempt), then
    /// configures both ends.
    private func build(_ s: PodNetworkStatus) async throws(PodNetworkError) {
        let node = configuration.nodeNetns
        let addNetns = ip(["netns", "add", s.netnsName], in: nil)
        if try await run(addNetns, step: "create the pod's netns", tolerating: ["File exists"]) != nil {
            try await deleteHostVeth(uid: s.pod.uid)
            try await deleteNetns(uid: s.pod.uid)
            try await run(addNetns, step: "create the pod's netns")
        }
        let addVeth = ip(["link", "add", s.hostInterfaceName, "type", "veth",
                          "peer", "name", s.interfaceName, "netns", s.netnsName], in: node)
        if try await run(addVeth, step: "create the pod's veth pair", tolerating: ["File exists"]) != nil {
            try await deleteHostVeth(uid: s.pod.uid)
            try await run(addVeth, step: "create the pod's veth pair")
        }
        try await run(ip(["link", "set", s.hostInterfaceName, "master", s.bridgeName, "up"], in: node),
                      step: "attach \(s.hostInterfaceName) to \(s.bridgeName)")
        let pod = [
            "link set lo up",
            "link set \(s.interfaceName) address \(s.macAddress)",
            "addr replace \(s.cidr) dev \(s.interfaceName)",
            "link set \(s.interfaceName) up",
            "route replace default via \(s.gateway) dev \(s.interfaceName)",
        ]
        try await run(ipBatch(pod, in: s.netnsName), step: "configure \(s.interfaceName) in \(s.netnsName)")
    }

    /// True when the pod's eth0 has its address and the node side is a port of the bridge.
    private func isIntact(_ s: PodNetworkStatus) async throws(PodNetworkError) -> Bool {
        let pod = try await output(of: ip(["-o", "-4", "addr", "show", "dev", s.interfaceName], in: s.netnsName))
        guard pod.contains("inet \(s.cidr) ") else { return false }
        let host = try await output(of: ip(["-o", "link", "show", "dev", s.hostInterfaceName],
                                           in: configuration.nodeNetns))
        return host.contains("master \(s.bridgeName) ")
    }

    private func deleteHostVeth(uid: String) async throws(PodNetworkError) {
        let name = hostInterfaceName(podUID: uid)
        try await run(ip(["link", "del", name], in: configuration.nodeNetns),
                      step: "delete the pod's veth \(name)", tolerating: ["Cannot find device"])
    }

    private func deleteNetns(uid: String) async throws(PodNetworkError) {
        try await run(ip(["netns", "del", netnsName(podUID: uid)], in: nil),
                      step: "delete the pod's netns", tolerating: ["No such file or directory"])
    }

    /// Best effort, for rolling back a failed setUp.
    private func removeSandbox(uid: String) async {
        try? await deleteHostVeth(uid: uid)
        try? await deleteNetns(uid: uid)
    }

    // MARK: - Commands

    /// `ip [-n NETNS] ARGS…`.
    func ip(_ arguments: [String], in netns: String?) -> HostCommand {
        HostCommand(configuration.ipPath, (netns.map { ["-n", $0] } ?? []) + arguments)
    }

    /// `ip [-n NETNS] -batch -` fed one command a line: one process for several changes.
    func ipBatch(_ lines: [String], in netns: String?) -> HostCommand {
        HostCommand(configuration.ipPath, (netns.map { ["-n", $0] } ?? []) + ["-batch", "-"],
                    stdin: lines.joined(separator: "\n") + "\n")
    }

    /// Runs `command`; a non-zero exit is an error naming `step`, unless its stderr contains one of
    /// `tolerated` — then the result is returned (nil means it succeeded).
    @discardableResult
    private func run(_ command: HostCommand, step: String,
                     tolerating tolerated: [String] = []) async throws(PodNetworkError) -> HostCommandResult? {
        let result: HostCommandResult
        do {
            result = try await runner.run(command)
        } catch {
            throw .cannotRun(step: step, command: command.description, reason: "\(error)")
        }
        if result.status == 0 { return nil }
        if tolerated.contains(where: { result.stderr.contains($0) }) { return result }
        throw .commandFailed(step: step, command: command.description, status: result.status, stderr: result.stderr)
    }

    /// The command's stdout, or "" when it failed (a missing device or netns).
    private func output(of command: HostCommand) async throws(PodNetworkError) -> String {
        do {
            let result = try await runner.run(command)
            return result.status == 0 ? result.stdout : ""
        } catch {
            throw .cannotRun(step: "inspect the pod network", command: command.description, reason: "\(error)")
        }
    }

    // MARK: - Per-pod serialization

    private func lock(_ uid: String) async {
        if podLocks[uid] == nil {
            podLocks[uid] = []
            return
        }
        await withCheckedContinuation { podLocks[uid, default: []].append($0) }
    }

    private func unlock(_ uid: String) {
        guard var waiters = podLocks[uid], !waiters.isEmpty else {
            podLocks[uid] = nil
            return
        }
        let next = waiters.removeFirst()
        podLocks[uid] = waiters
        next.resume()
    }

    // MARK: - Validation

    static func isValid(uid: String) -> Bool { PodIdentity.isSafeName(uid) }

    static func validate(uid: String) throws(PodNetworkError) {
        guard isValid(uid: uid) else { throw .invalidPodUID(uid) }
    }
}
