import CNamespaces
import Glibc

/// The runtime's line to the node supervisor (`NodeSupervisor`), over a unix seqpacket socket:
/// it hands the supervisor a copy of each container's log pipes to hold (`HOLD`), takes them
/// back after a restart (`TAKE`) and lets them go when the container is removed (`RELEASE`).
public final class SupervisorConnection: Sendable {
    public let path: String
    private let fd: Int32
    private let lock = Mutex()

    /// Connects to the supervisor's socket.
    public init(path: String) throws(SpawnError) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SpawnError.last("socket(AF_UNIX)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SpawnError(step: "connect \(path): path too long", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let error = SpawnError.last("connect \(path)")
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Gives the supervisor copies of `fds` for container `id` (PID `pid`); it keeps them until
    /// `release` or until that process ends.
    public func hold(id: String, pid: pid_t, fds: [Int32]) throws(SpawnError) {
        try lock.withLock { () throws(SpawnError) in try send("HOLD \(id) \(pid)", fds: fds) }
    }

    /// Copies of the fds the supervisor holds for `id` (empty when it holds none).
    public func take(id: String) throws(SpawnError) -> [Int32] {
        try lock.withLock { () throws(SpawnError) -> [Int32] in
            try send("TAKE \(id)", fds: [])
            var buffer = [UInt8](repeating: 0, count: 512)
            var fds = [Int32](repeating: -1, count: 8)
            var count: Int32 = 0
            let n = buffer.withUnsafeMutableBytes { raw in
                fds.withUnsafeMutableBufferPointer { cn_recv_fds(fd, raw.baseAddress, raw.count, $0.baseAddress, 8, &count) }
            }
            guard n > 0 else { throw SpawnError(step: "receive from the supervisor", errno: n == 0 ? ECONNRESET : Int32(-n)) }
            return Array(fds.prefix(Int(count)))
        }
    }

    /// The supervisor closes what it holds for `id`.
    public func release(id: String) {
        lock.withLock { try? send("RELEASE \(id)", fds: []) }
    }

    private func send(_ message: String, fds: [Int32]) throws(SpawnError) {
        let bytes = Array(message.utf8)
        let rc = bytes.withUnsafeBytes { raw in
            fds.withUnsafeBufferPointer { cn_send_fds(fd, raw.baseAddress, raw.count, $0.baseAddress, Int32(fds.count)) }
        }
        guard rc == 0 else { throw SpawnError(step: "send to the supervisor", errno: -rc) }
    }
}
