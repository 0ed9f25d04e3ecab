import Glibc

/// Copies a container's stdout and stderr pipes into one log file in the CRI format the
/// kubelet's `kubectl logs` reads:
///
///     2026-11-29T10:00:00.000000000Z stdout F a full line
///     2026-11-29T10:00:00.000000000Z stderr P the first 16 KiB of a longer line
///
/// A line longer than `maxLineBytes` is split into partial (`P`) records ending in one full
/// (`F`) record; output that ends without a newline is written as a full record at EOF.
///
/// The file is rotated by size as the kubelet does (`containerLogMaxSize`,
/// `containerLogMaxFiles`): once it would grow past `maxSize`, `x.log` becomes `x.log.1`
/// (`x.log.1` becomes `x.log.2`, …, the oldest is dropped) and a new `x.log` starts. Rotation
/// happens between records, and only while no stream is in the middle of a partial line (unless
/// one line alone outgrows twice `maxSize`), so readers never see a line split across files.
public final class LogWriter: @unchecked Sendable {  // state behind `lock` and `writeLock`
    public enum Stream: String, Sendable { case stdout, stderr }

    /// When to rotate and how many files to keep (the live one included).
    public struct Rotation: Sendable, Equatable {
        /// kubelet's `containerLogMaxSize` (default 10Mi).
        public var maxSize: Int
        /// kubelet's `containerLogMaxFiles` (default 5, at least 2).
        public var maxFiles: Int

        public init(maxSize: Int = 10 * 1024 * 1024, maxFiles: Int = 5) {
            self.maxSize = maxSize
            self.maxFiles = max(2, maxFiles)
        }

        public static let `default` = Rotation()
    }

    public static let maxLineBytes = 16 * 1024

    public let path: String
    public let rotation: Rotation
    private let lock = Mutex()
    // Guarded by `lock`.
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let writeLock = Mutex()
    // Guarded by `writeLock`.
    private var fd: Int32
    private var size: Int
    /// Streams whose last record was partial (`P`).
    private var midLine: Set<Stream> = []

    /// Opens (appends to) the log file.
    public init(path: String, rotation: Rotation = .default) throws(SpawnError) {
        self.path = path
        self.rotation = rotation
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SpawnError.last("open \(path)") }
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    deinit { close(fd) }

    /// Starts copying from the read ends of the stdout and stderr pipes on one thread (closed
    /// at EOF). A thread blocked in poll(2) is the simplest thing that never misses an EOF.
    public func attach(stdout: Int32, stderr: Int32) throws(SpawnError) {
        lock.withLock { running += 1 }
        do {
            try detachThread { self.copy(stdout: stdout, stderr: stderr) }
        } catch {
            close(stdout)
            close(stderr)
            finish()
            throw error
        }
    }

    /// Returns once every attached pipe reached EOF and its records are written.
    public func drained() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = lock.withLock {
                if running == 0 { return true }
                waiters.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    private func finish() {
        let ready = lock.withLock {
            running -= 1
            guard running == 0 else { return [CheckedContinuation<Void, Never>]() }
            defer { waiters = [] }
            return waiters
        }
        ready.forEach { $0.resume() }
    }

    private func copy(stdout: Int32, stderr: Int32) {
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        let streams: [Stream] = [.stdout, .stderr]
        var pending: [[UInt8]] = [[], []]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = 2
        while open > 0 {
            let rc = poll(&fds, nfds_t(fds.count), -1)
            if rc < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    if !pending[i].isEmpty { emit(streams[i], partial: false, pending[i][...]) }
                    pending[i].removeAll()
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                    continue
                }
                pending[i].append(contentsOf: buffer[0..<n])
                drain(&pending[i], stream: streams[i])
            }
        }
        for f in fds where f.fd >= 0 { close(f.fd) }
        finish()
    }

    private func drain(_ pending: inout [UInt8], stream: Stream) {
        var start = 0
        while let nl = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[start..<nl]
            while line.count > Self.maxLineBytes {
                emit(stream, partial: true, line.prefix(Self.maxLineBytes))
                line = line.dropFirst(Self.maxLineBytes)
            }
            emit(stream, partial: false, line)
            start = nl + 1
        }
        while pending.count - start >= Self.maxLineBytes {
            emit(stream, partial: true, pending[start..<(start + Self.maxLineBytes)])
            start += Self.maxLineBytes
        }
        pending.removeFirst(start)
    }

    private func emit(_ stream: Stream, partial: Bool, _ content: ArraySlice<UInt8>) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let record = Self.record(seconds: Int(ts.tv_sec), nanoseconds: Int(ts.tv_nsec),
                                 stream: stream, partial: partial, content: content)
        writeLock.withLock {
            if size > 0, size + record.count > rotation.maxSize, midLine.isEmpty || size >= 2 * rotation.maxSize {
                rotate()
            }
            let written = record.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                var off = 0
                while off < raw.count {
                    let n = write(fd, base + off, raw.count - off)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    off += n
                }
                return off
            }
            size += written
            if partial { midLine.insert(stream) } else { midLine.remove(stream) }
        }
    }

    /// `x.log.(n-2)` → `x.log.(n-1)`, …, `x.log` → `x.log.1`, then a new `x.log`. On failure
    /// the live file keeps growing (and rotation is tried again on the next record).
    private func rotate() {
        for index in stride(from: rotation.maxFiles - 2, through: 1, by: -1) {
            _ = rename(ContainerLogLayout.rotatedPath(path, index), ContainerLogLayout.rotatedPath(path, index + 1))
        }
        let rotated = ContainerLogLayout.rotatedPath(path, 1)
        guard rename(path, rotated) == 0 else { return }
        let next = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard next >= 0 else {
            _ = rename(rotated, path)
            return
        }
        close(fd)
        fd = next
        size = 0
    }

    /// One CRI log record, newline included.
    public static func record(seconds: Int, nanoseconds: Int, stream: Stream, partial: Bool,
                              content: ArraySlice<UInt8>) -> [UInt8] {
        var out = Array(timestamp(seconds: seconds, nanoseconds: nanoseconds).utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: stream.rawValue.utf8)
        out.append(contentsOf: partial ? Array(" P ".utf8) : Array(" F ".utf8))
        out.append(contentsOf: content)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// RFC 3339 in UTC with nanoseconds, fixed width: `2026-11-29T10:00:00.000000000Z`.
    public static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(Int(tm.tm_year) + 1900, 4))-\(pad(Int(tm.tm_mon) + 1, 2))-\(pad(Int(tm.tm_mday), 2))"
            + "T\(pad(Int(tm.tm_hour), 2)):\(pad(Int(tm.tm_min), 2)):\(pad(Int(tm.tm_sec), 2))"
            + ".\(pad(nanoseconds, 9))Z"
    }
}
