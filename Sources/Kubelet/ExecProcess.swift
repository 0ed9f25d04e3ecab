import CNamespaces
import Glibc
import KubeClient

/// A process started in a running container by `ContainerRuntime.exec`: its output (read by
/// one thread blocked in poll(2)), its stdin (a pipe, or the pty master with a terminal), the
/// terminal size, and its exit code (128 + signal when a signal killed it).
public final class ExecProcess: ExecSession, @unchecked Sendable {  // mutable state behind `lock`
    /// Read it: once `bufferedChunks` chunks wait, the process blocks on its output as it would
    /// on a full pipe (`cancel` drops what is left).
    public let output: AsyncStream<ExecOutput>
    public let pid: pid_t
    /// clone → execve, measured in the parent.
    public let spawnNanoseconds: UInt64
    public let tty: Bool

    /// Which output an fd carries.

    /// Output chunks buffered for a slow client before the reader waits (at most 2 MiB).
    static let bufferedChunks = 64

    private let pidfd: Int32
    private let lock = Mutex()
    // Guarded by `lock`.
    private var stdinFD: Int32
    private var ptyMaster: Int32
    private var exitCode: Int32?
    /// Set by `cancel`: the reader stops waiting for a consumer and drops output.
    private var discarding = false
    private var waiters: [CheckedContinuation<Int32, Never>] = []

    /// Takes ownership of the fds: `stdin` (a pipe's write end, the pty master, or -1),
    /// `ptyMaster` (or -1), and the read ends in `outputs` (with a tty: the master, dup'ed).
    init(process: SpawnedProcess, tty: Bool, stdin: Int32, ptyMaster: Int32,
         outputs: [(fd: Int32, stream: LogWriter.Stream)]) throws(SpawnError) {
        pid = process.pid
        pidfd = process.pidfd
        spawnNanoseconds = process.spawnNanoseconds
        self.tty = tty
        self.stdinFD = stdin
        self.ptyMaster = ptyMaster
        // Bounded: when the client reads slower than the process writes, the reader thread
        // waits and the process blocks on its pipe, as with a real kubelet.
        let (stream, continuation) = AsyncStream<ExecOutput>.makeStream(bufferingPolicy: .bufferingOldest(Self.bufferedChunks))
        output = stream
        for fd in [stdin] + (ptyMaster >= 0 ? [ptyMaster] : []) where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        do {
            try detachThread { [self] in
                self.copy(outputs, to: continuation)
                let code = Self.waitExit(pidfd)
                continuation.finish()
                self.exited(code)
            }
        } catch {
            // deinit closes the other fds.
            _ = cn_pidfd_send_signal(process.pidfd, SIGKILL)
            outputs.forEach { close($0.fd) }
            continuation.finish()
            throw error
        }
    }

    deinit {
        if stdinFD >= 0 && stdinFD != ptyMaster { close(stdinFD) }
        if ptyMaster >= 0 { close(ptyMaster) }
        close(pidfd)
    }

    public func writeStdin(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let result: Int = lock.withLock {
                guard stdinFD >= 0 else { return -Int(EPIPE) }
                let n = bytes[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                return n < 0 ? -Int(errno) : n
            }
            if result >= 0 {
                offset += result
            } else if result == -Int(EAGAIN) || result == -Int(EINTR) {
                try await Task.sleep(for: .milliseconds(2))
            } else {
                throw SpawnError(step: "exec: write stdin", errno: Int32(-result))
            }
        }
    }

    public func closeStdin() async {
        lock.withLock {
            // A terminal has no half-close: its master is also the output.
            if stdinFD >= 0 && stdinFD != ptyMaster { close(stdinFD) }
            stdinFD = -1
        }
    }

    public func resize(width: UInt16, height: UInt16) async {
        lock.withLock {
            if ptyMaster >= 0 { _ = cn_pty_resize(ptyMaster, height, width) }
        }
    }

    public func cancel() async {
        lock.withLock { discarding = true }
        _ = cn_pidfd_send_signal(pidfd, SIGKILL)
    }

    public func wait() async -> Int32 {
        await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let code: Int32? = lock.withLock {
                if let exitCode { return exitCode }
                waiters.append(c)
                return nil
            }
            if let code { c.resume(returning: code) }
        }
    }

    private func exited(_ code: Int32) {
        let waiting = lock.withLock {
            exitCode = code
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume(returning: code) }
    }

    /// Reads every fd until EOF (EIO for a pty master whose slave is gone), closing each.
    private func copy(_ outputs: [(fd: Int32, stream: LogWriter.Stream)],
                             to continuation: AsyncStream<ExecOutput>.Continuation) {
        var open = outputs
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            var finished: [Int32] = []
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    let chunk = Array(buffer[0..<n])
                    let output: ExecOutput = open[index].stream == .stdout ? .stdout(chunk) : .stderr(chunk)
                    while case .dropped = continuation.yield(output) {
                        if lock.withLock({ discarding }) { break }
                        usleep(1000)
                    }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    finished.append(entry.fd)
                }
            }
            for fd in finished { close(fd) }
            open.removeAll { finished.contains($0.fd) }
        }
        open.forEach { close($0.fd) }
    }

    private static func waitExit(_ pidfd: Int32) -> Int32 {
        var exited: Int32 = 0
        var code: Int32 = 0
        guard cn_pidfd_wait(pidfd, 0, &exited, &code) == 1 else { return 255 }
        return exited == 1 ? code : 128 + code
    }
}
