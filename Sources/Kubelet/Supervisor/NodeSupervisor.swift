import CNamespaces
import Glibc

/// The first process of a node (`up --foreground`): the child subreaper of everything the node
/// starts. It runs the node process (API server, controllers, scheduler, kubelet) as its child
/// and starts it again when it dies (even of `kill -9`); containers are its children too (the
/// runtime clones them with CLONE_PARENT), so it reaps them and writes each exit status to
/// `<exitsDirectory>/<pid>.<starttime>` for a node process that was not there to see it, and it
/// holds a copy of their log pipes (so a container writing its log neither blocks for long nor
/// dies of SIGPIPE while the node process restarts). SIGTERM/SIGINT go to the node process,
/// which stops the pods; the supervisor exits with it.
public final class NodeSupervisor {
    public struct Configuration: Sendable {
        /// The unix socket the runtime connects to (`SupervisorConnection`).
        public var socketPath: String
        public var exitsDirectory: String
        /// argv of the node process (argv[0] is the executable's path).
        public var nodeArguments: [String]
        /// Extra `K=V` environment of the node process.
        public var nodeEnvironment: [String]
        /// Where the node process's PID is written.
        public var nodePIDPath: String

        public init(socketPath: String, exitsDirectory: String, nodeArguments: [String], nodeEnvironment: [String] = [], nodePIDPath: String) {
            self.socketPath = socketPath
            self.exitsDirectory = exitsDirectory
            self.nodeArguments = nodeArguments
            self.nodeEnvironment = nodeEnvironment
            self.nodePIDPath = nodePIDPath
        }
    }

    /// The environment variable that tells the node process where the supervisor listens.
    public static let socketEnvironment = "MINIKUBE_SWIFT_SUPERVISOR"

    let configuration: Configuration
    private var listener: Int32 = -1
    private var clients: [Int32] = []
    /// Held fds by container id, with the container's pid.
    private var held: [String: (pid: pid_t, fds: [Int32])] = [:]
    private var node: pid_t = 0
    private var nodeStartedAt: UInt64 = 0
    /// Node processes in a row that died within 10 s of their start.
    private var quickFailures = 0

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Runs until the node process exits after a stop signal; returns its exit code.
    public func run(log: (String) -> Void) throws(SpawnError) -> Int32 {
        let rc = cn_set_child_subreaper()
        guard rc == 0 else { throw SpawnError(step: "prctl(PR_SET_CHILD_SUBREAPER)", errno: -rc) }
        try listen()
        defer {
            close(listener)
            clients.forEach { close($0) }
            for entry in held.values { entry.fds.forEach { close($0) } }
            unlink(configuration.socketPath)
            unlink(configuration.nodePIDPath)
        }
        let signals = [SIGTERM, SIGINT, SIGCHLD].withUnsafeBufferPointer { cn_signal_pipe($0.baseAddress, $0.count) }
        guard signals >= 0 else { throw SpawnError(step: "sigaction", errno: -signals) }
        defer { close(signals) }

        try startNode()
        var stopping = false
        var restartAt: UInt64?
        while true {
            var pollfds = [pollfd(fd: signals, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            pollfds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let timeout: Int32 = restartAt.map { Int32(max(0, Int64($0) - Int64(cn_monotonic_ns())) / 1_000_000) } ?? -1
            let ready = poll(&pollfds, nfds_t(pollfds.count), timeout)
            if ready < 0 && errno != EINTR { throw SpawnError.last("poll") }
            if let at = restartAt, cn_monotonic_ns() >= at {
                restartAt = nil
                try startNode()
            }
            if pollfds[0].revents != 0 {
                while case let signal = cn_signal_pipe_read(signals), signal > 0 {
                    if signal == SIGTERM || signal == SIGINT {
                        stopping = true
                        restartAt = nil
                        if node > 0 { kill(node, SIGTERM) } else { return 0 }
                    }
                }
            }
            // Reap every exited child: the node process, containers, anything reparented here.
            while true {
                var pid: Int32 = 0
                var start: Int64 = 0
                var exited: Int32 = 0
                var code: Int32 = 0
                guard cn_reap_any(&pid, &start, &exited, &code) == 1 else { break }
                if pid == node {
                    node = 0
                    unlink(configuration.nodePIDPath)
                    let status = exited == 1 ? code : 128 + code
                    if stopping { return status }
                    quickFailures = cn_monotonic_ns() - nodeStartedAt < 10_000_000_000 ? quickFailures + 1 : 0
                    if quickFailures >= 5 {
                        log("supervisor: the node process failed 5 times in a row within 10 s of starting; giving up")
                        return status == 0 ? 1 : status
                    }
                    let delay = min(UInt64(5_000), UInt64(100) << UInt64(quickFailures))
                    log("supervisor: the node process exited (\(exited == 1 ? "exit code \(code)" : "signal \(code)")); starting it again in \(delay) ms")
                    restartAt = cn_monotonic_ns() + delay * 1_000_000
                } else {
                    recordExit(pid: pid, startTime: start, exited: exited == 1, code: code)
                }
            }
            if pollfds[1].revents != 0 {
                let client = cn_accept(listener)
                if client >= 0 { clients.append(client) }
            }
            for entry in pollfds.dropFirst(2) where entry.revents != 0 {
                if !serve(entry.fd) {
                    close(entry.fd)
                    clients.removeAll { $0 == entry.fd }
                }
            }
        }
    }

    private func listen() throws(SpawnError) {
        unlink(configuration.socketPath)
        listener = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SpawnError.last("socket(AF_UNIX)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(configuration.socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SpawnError(step: "bind \(configuration.socketPath): path too long", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw SpawnError.last("bind \(configuration.socketPath)") }
        chmod(configuration.socketPath, 0o600)
        guard Glibc.listen(listener, 16) == 0 else { throw SpawnError.last("listen \(configuration.socketPath)") }
    }

    /// posix_spawn of the node process, with the supervisor's socket in its environment.
    private func startNode() throws(SpawnError) {
        var environment: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if !text.hasPrefix(Self.socketEnvironment + "=") { environment.append(text) }
            index += 1
        }
        environment += configuration.nodeEnvironment + ["\(Self.socketEnvironment)=\(configuration.socketPath)"]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = configuration.nodeArguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, configuration.nodeArguments[0], nil, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnError(step: "posix_spawn \(configuration.nodeArguments[0])", errno: rc) }
        node = pid
        nodeStartedAt = cn_monotonic_ns()
        let text = "\(pid)\n"
        let fd = open(configuration.nodePIDPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 {
            _ = text.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
    }

    /// `<exitsDirectory>/<pid>.<starttime>`: `exited <code>` or `signaled <signal>`.
    private func recordExit(pid: pid_t, startTime: Int64, exited: Bool, code: Int32) {
        for (id, entry) in held where entry.pid == pid {
            entry.fds.forEach { close($0) }
            held[id] = nil
        }
        guard startTime > 0 else { return }
        mkdir(configuration.exitsDirectory, 0o700)
        let path = "\(configuration.exitsDirectory)/\(pid).\(startTime)"
        let text = "\(exited ? "exited" : "signaled") \(code)\n"
        let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        rename(path + ".tmp", path)
    }

    /// One message from a client; false when the client is gone.
    private func serve(_ client: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        var fds = [Int32](repeating: -1, count: 8)
        var count: Int32 = 0
        let n = buffer.withUnsafeMutableBytes { raw in
            fds.withUnsafeMutableBufferPointer { cn_recv_fds(client, raw.baseAddress, raw.count, $0.baseAddress, 8, &count) }
        }
        guard n > 0 else { return false }
        let received = Array(fds.prefix(Int(count)))
        let words = String(decoding: buffer.prefix(n), as: UTF8.self).split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("HOLD", 3):
            if let old = held[words[1]] { old.fds.forEach { close($0) } }
            held[words[1]] = (pid_t(words[2]) ?? 0, received)
        case ("TAKE", 2):
            let copies = (held[words[1]]?.fds ?? []).map { fcntl($0, F_DUPFD_CLOEXEC, 0) }.filter { $0 >= 0 }
            let reply = Array("FDS \(words[1])".utf8)
            _ = reply.withUnsafeBytes { raw in
                copies.withUnsafeBufferPointer { cn_send_fds(client, raw.baseAddress, raw.count, $0.baseAddress, Int32(copies.count)) }
            }
            copies.forEach { close($0) }
            received.forEach { close($0) }
        case ("RELEASE", 2):
            held[words[1]]?.fds.forEach { close($0) }
            held[words[1]] = nil
            received.forEach { close($0) }
        default:
            received.forEach { close($0) }
        }
        return true
    }
}
