import Foundation

/// Host-local IP address management for one node's podCIDR, kept on disk like CNI's
/// `host-local` plugin: one file per allocated address (named after it, holding the pod UID) and
/// `last_reserved_ip.0`. Creating a file with `O_EXCL` is the allocation, so an address is never
/// handed out twice while its file exists — across restarts and across processes. Addresses are
/// handed out round-robin after the last one reserved, so a freed address is not reused at once
/// (stale ARP entries and connections of the old pod fade first).
///
/// Not thread-safe by itself: `PodNetwork` serializes the calls.
public struct IPAM: Sendable {
    /// `<state dir>/ipam/10.244.0.0-24`.
    public let directory: String
    public let network: IPv4Network
    /// Never allocated: the network address, this (the gateway) and the broadcast address.
    public let gateway: IPv4Address

    static let lastReservedFile = "last_reserved_ip.0"

    public init(directory: String, network: IPv4Network, gateway: IPv4Address) throws(PodNetworkError) {
        guard network.prefixLength <= 30 else {
            throw .invalidConfiguration("podCIDR \(network) has no room for pods (at most /30)")
        }
        guard network.contains(gateway), gateway != network.address, gateway != network.broadcast else {
            throw .invalidConfiguration("gateway \(gateway) is not a host address of \(network)")
        }
        self.directory = directory
        self.network = network
        self.gateway = gateway
    }

    /// The allocatable range: every host address except the gateway.
    public var capacity: Int { Int(network.lastHost.value - network.firstHost.value) }  // hosts − gateway

    /// The address held by `podUID`, allocating the next free one if it has none.
    public func allocate(for podUID: String) throws(PodNetworkError) -> IPv4Address {
        try ensureDirectory()
        if let existing = try address(of: podUID) { return existing }
        let first = network.firstHost.value, last = network.lastHost.value
        let count = last - first + 1
        let start = lastReserved().map { $0.value &+ 1 } ?? first
        for step in 0..<count {
            var candidate = start &+ step
            if candidate < first || candidate > last { candidate = first &+ (candidate &- first) % count }
            let ip = IPv4Address(candidate)
            if ip == gateway { continue }
            if try reserve(ip, for: podUID) {
                try? writeFile(Self.lastReservedFile, ip.description)
                return ip
            }
        }
        throw .addressPoolExhausted(network: network)
    }

    /// The address recorded for `podUID`, if any.
    public func address(of podUID: String) throws(PodNetworkError) -> IPv4Address? {
        try allocations().first { $0.value == podUID }?.key
    }

    /// Every allocated address and the pod UID its file names ("" if a crash left it empty).
    public func allocations() throws(PodNetworkError) -> [IPv4Address: String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return [:]
        } catch {
            throw .io(step: "list IP allocations", path: directory, reason: "\(error)")
        }
        var result: [IPv4Address: String] = [:]
        for name in names {
            guard let ip = IPv4Address(name), network.contains(ip) else { continue }
            let owner = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            result[ip] = owner.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    /// Frees every address `podUID` holds. Freeing nothing is not an error.
    public func release(podUID: String) throws(PodNetworkError) {
        for (ip, owner) in try allocations() where owner == podUID {
            try release(ip)
        }
    }

    /// Frees one address whatever its owner.
    public func release(_ ip: IPv4Address) throws(PodNetworkError) {
        let path = directory + "/" + ip.description
        if unlink(path) != 0 && errno != ENOENT {
            throw .io(step: "release IP \(ip)", path: path, reason: String(cString: strerror(errno)))
        }
    }

    // MARK: - Files

    /// Creates the address's file exclusively; false if another pod holds it.
    private func reserve(_ ip: IPv4Address, for podUID: String) throws(PodNetworkError) -> Bool {
        let path = directory + "/" + ip.description
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw .io(step: "reserve IP \(ip)", path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(podUID.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write"
            unlink(path)
            throw .io(step: "reserve IP \(ip)", path: path, reason: reason)
        }
        return true
    }

    private func lastReserved() -> IPv4Address? {
        guard let text = try? String(contentsOfFile: directory + "/" + Self.lastReservedFile, encoding: .utf8),
              let ip = IPv4Address(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              network.contains(ip) else { return nil }
        return ip
    }

    private func writeFile(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name), options: .atomic)
    }

    private func ensureDirectory() throws(PodNetworkError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(step: "create the IPAM directory", path: directory, reason: "\(error)")
        }
    }
}
