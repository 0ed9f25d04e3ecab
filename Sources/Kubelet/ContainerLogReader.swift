import Glibc
import KubeClient

/// Reads a container's CRI log (`x.log` and its rotated files `x.log.1` … oldest first) the way
/// the kubelet serves `kubectl logs`: partial lines joined, `tailLines`, `sinceSeconds` /
/// `sinceTime`, `limitBytes`, `timestamps` (each line prefixed with its RFC3339Nano time), and
/// `follow`: lines as they are written (inotify, across rotations) until the container stops
/// and the file is drained, or the consumer cancels.
///
///     let reader = ContainerLogReader(path: layout.logPath(namespace: "default", pod: "web-0",
///                                                          uid: uid, container: "nginx", restartCount: 0))
///     let chunks = try reader.logs(options: options) { await writer.drained() }
public struct ContainerLogReader: Sendable {
    /// The live file, `<restartCount>.log`.
    public let path: String
    /// How many files rotation keeps (the live one included), to find the rotated ones.
    public let maxFiles: Int

    public init(path: String, maxFiles: Int = LogWriter.Rotation.default.maxFiles) {
        self.path = path
        self.maxFiles = max(1, maxFiles)
    }

    /// The log as `\n`-terminated lines in chunks. With `options.follow` the stream goes on
    /// until `stopped` returns (the container exited and its `LogWriter` is drained — e.g.
    /// `{ await writer.drained() }`) and everything written before is sent; with no `stopped` it
    /// follows until the consumer cancels. A missing log reads as empty; following needs the
    /// log's directory (`inotify_add_watch …: ENOENT` otherwise). `now` is for `sinceSeconds`.
    public func logs(options: PodLogOptions, now: LogTime = .now(), stopped: (@Sendable () async -> Void)? = nil) throws(SpawnError)
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let cursor = try LogCursor(reader: self, options: options, now: now, stopped: stopped)
        return AsyncThrowingStream(unfolding: { try await cursor.next() })
    }

    /// The whole log at once (no follow).
    public func read(options: PodLogOptions = PodLogOptions(), now: LogTime = .now()) throws(SpawnError) -> [UInt8] {
        var options = options
        options.follow = false
        let cursor = try LogCursor(reader: self, options: options, now: now, stopped: nil)
        var out: [UInt8] = []
        while true {
            let chunk = try cursor.step()
            if chunk.isEmpty { break }
            out += chunk
        }
        return out + cursor.finish()
    }

    /// The existing files oldest first: `x.log.(maxFiles-1)` … `x.log.1`, `x.log`.
    var paths: [String] {
        stride(from: maxFiles - 1, through: 0, by: -1).map { ContainerLogLayout.rotatedPath(path, $0) }
    }

    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// An open log file.
struct LogFile {
    var fd: Int32
    var device: UInt64
    var inode: UInt64

    static func open(_ path: String) -> LogFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            return nil
        }
        return LogFile(fd: fd, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    var size: Int {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    func isFile(at path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }
}

/// The reading state of one `logs` call; used by one consumer at a time.
final class LogCursor: @unchecked Sendable {
    private let reader: ContainerLogReader
    private let follow: Bool
    private let timestamps: Bool
    private let since: LogTime?
    private var remaining: Int?
    /// Files still to read, oldest first; the last is the live file.
    private var files: [LogFile] = []
    /// Inodes already read, so a rotation seen late never replays a file.
    private var seen: Set<UInt64> = []
    /// An incomplete record at the end of what was read.
    private var carry: [UInt8] = []
    /// Partial lines per stream: the first record's timestamp and the content so far.
    private var pending: [LogWriter.Stream: (timestamp: ArraySlice<UInt8>, content: [UInt8])] = [:]
    private var done = false
    private let wakeup = LogWakeup()
    private var watcher: LogDirectoryWatcher?
    private var stopTask: Task<Void, Never>?

    static let chunkSize = 64 * 1024

    init(reader: ContainerLogReader, options: PodLogOptions, now: LogTime, stopped: (@Sendable () async -> Void)?) throws(SpawnError) {
        self.reader = reader
        follow = options.follow
        timestamps = options.timestamps
        remaining = options.limitBytes
        if let sinceTime = options.sinceTime {
            guard let time = LogTime(rfc3339: sinceTime) else {
                throw SpawnError(step: "parse sinceTime \(sinceTime)", errno: EINVAL)
            }
            since = time
        } else if let seconds = options.sinceSeconds {
            since = LogTime(seconds: now.seconds - seconds, nanoseconds: now.nanoseconds)
        } else {
            since = nil
        }
        // Watch before the first read, so nothing written in between is missed.
        if follow {
            watcher = try LogDirectoryWatcher(directory: reader.directory, wakeup: wakeup)
            if let stopped {
                stopTask = Task { [wakeup] in
                    await stopped()
                    wakeup.markStopped()
                }
            }
        }
        // Newest first: a rotation between two opens then shows up as the same file twice
        // (skipped), never as a file missed.
        for path in reader.paths.reversed() {
            guard let file = LogFile.open(path) else { continue }
            if seen.insert(file.inode).inserted { files.insert(file, at: 0) } else { close(file.fd) }
        }
        if let tail = options.tailLines { seekToTail(lines: tail) }
        if remaining == 0 || options.tailLines == 0 && !follow { done = true }
    }

    deinit { cleanUp() }

    private func cleanUp() {
        for file in files { close(file.fd) }
        files = []
        watcher?.stop()
        watcher = nil
        stopTask?.cancel()
        stopTask = nil
    }

    /// The next chunk, nil at the end.
    func next() async throws -> [UInt8]? {
        while !done {
            let stoppedBefore = !follow || wakeup.isStopped
            let chunk = try step()
            if !chunk.isEmpty { return chunk }
            if done { break }
            if stoppedBefore {
                done = true
                let rest = finish()
                cleanUp()
                return rest.isEmpty ? nil : rest
            }
            await wakeup.wait()
            if Task.isCancelled { done = true }
        }
        cleanUp()
        return nil
    }

    /// Reads what is there, up to about one chunk of output; empty when nothing new is
    /// available (or the byte limit is reached).
    func step() throws(SpawnError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while !done && out.count < Self.chunkSize {
            guard let file = files.first else {
                if follow, let next = openNextAfterRotation(previous: nil) { files = [next] } else { break }
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpawnError.last("read \(reader.path)")
            }
            if n > 0 {
                consume(buffer[0..<n], into: &out)
                continue
            }
            // End of this file: go on with the next one, if any.
            if files.count > 1 {
                endOfFile(into: &out)
                close(file.fd)
                files.removeFirst()
                continue
            }
            guard follow, !file.isFile(at: reader.path), let next = openNextAfterRotation(previous: file) else { break }
            // Rotated: what was written just before the rename is still to be read.
            while true {
                let n = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                consume(buffer[0..<n], into: &out)
            }
            endOfFile(into: &out)
            close(file.fd)
            files = [next]
        }
        return out
    }

    /// What is left at the very end: a record without its newline, partial lines.
    func finish() -> [UInt8] {
        var out: [UInt8] = []
        endOfFile(into: &out)
        for stream in [LogWriter.Stream.stdout, .stderr] {
            guard let line = pending.removeValue(forKey: stream) else { continue }
            emit(timestamp: line.timestamp, content: line.content[...], newline: false, into: &out)
        }
        return out
    }

    /// After a rotation: the file that follows `previous` (`x.log.k` → `x.log.(k-1)`), or the
    /// oldest one not read yet when `previous` is gone. Names shift while rotations go on, so
    /// the pair is checked again once the file is open.
    private func openNextAfterRotation(previous: LogFile?) -> LogFile? {
        let paths = reader.paths
        for _ in 0..<100 {
            if let previous, let index = paths.firstIndex(where: { previous.isFile(at: $0) }) {
                guard index + 1 < paths.count, let file = LogFile.open(paths[index + 1]) else { return nil }
                if previous.isFile(at: paths[index]) {
                    guard seen.insert(file.inode).inserted else {
                        close(file.fd)
                        return nil
                    }
                    return file
                }
                close(file.fd)
                continue
            }
            for path in paths {
                guard let file = LogFile.open(path) else { continue }
                if seen.insert(file.inode).inserted { return file }
                close(file.fd)
            }
            return nil
        }
        return nil
    }

    private func endOfFile(into out: inout [UInt8]) {
        guard !carry.isEmpty else { return }
        let record = carry
        carry = []
        handle(record[...], into: &out)
    }

    private func consume(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var start = bytes.startIndex
        if !carry.isEmpty {
            guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
                carry += bytes
                return
            }
            let record = carry + bytes[start..<newline]
            carry = []
            handle(record[...], into: &out)
            start = newline + 1
        }
        while start < bytes.endIndex, let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            handle(bytes[start..<newline], into: &out)
            start = newline + 1
        }
        if start < bytes.endIndex { carry = Array(bytes[start...]) }
    }

    private func handle(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) {
        guard !done, let record = CRILogRecord(line) else { return }
        if record.partial {
            if var entry = pending[record.stream] {
                entry.content += record.content
                pending[record.stream] = entry
            } else {
                pending[record.stream] = (record.timestamp, Array(record.content))
            }
            return
        }
        if let entry = pending.removeValue(forKey: record.stream) {
            emit(timestamp: entry.timestamp, content: (entry.content + record.content)[...], newline: true, into: &out)
        } else {
            emit(timestamp: record.timestamp, content: record.content, newline: true, into: &out)
        }
    }

    private func emit(timestamp: ArraySlice<UInt8>, content: ArraySlice<UInt8>, newline: Bool, into out: inout [UInt8]) {
        guard !done else { return }
        if let since, let time = LogTime(rfc3339: timestamp), time < since { return }
        let start = out.count
        if timestamps {
            out += timestamp
            out.append(UInt8(ascii: " "))
        }
        out += content
        if newline { out.append(UInt8(ascii: "\n")) }
        guard let left = remaining else { return }
        let added = out.count - start
        if added >= left {
            out.removeLast(added - left)
            remaining = 0
            done = true
        } else {
            remaining = left - added
        }
    }

    // MARK: Tail

    /// Positions the files at the start of the last `lines` lines (full records counted from
    /// the end, across rotated files), closing the files before it.
    private func seekToTail(lines: Int) {
        var counted = 0
        for index in files.indices.reversed() {
            if let offset = tailOffset(files[index], lines: lines, counted: &counted) {
                for file in files[..<index] { close(file.fd) }
                files.removeFirst(index)
                lseek(files[0].fd, off_t(offset), SEEK_SET)
                return
            }
        }
    }

    /// Scans `file` backwards counting full records; returns the offset just after the
    /// `(lines+1)`-th full record from the end, or nil (with `counted` updated) when the file
    /// holds fewer.
    private func tailOffset(_ file: LogFile, lines: Int, counted: inout Int) -> Int? {
        let size = file.size
        var position = size
        var recordEnd = size
        // The first bytes after the block being scanned (for records starting at its end).
        var following: [UInt8] = []
        var block = [UInt8](repeating: 0, count: Self.chunkSize)
        while position > 0 {
            let length = min(Self.chunkSize, position)
            position -= length
            let n = block.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, length, off_t(position)) }
            guard n == length else { return nil }
            let window = block[0..<length] + following.prefix(128)
            var index = length - 1
            while index >= -1 {
                // A record starts at index+1 (after a newline, or at the start of the file).
                if index == -1 && position > 0 { break }
                if index >= 0 && block[index] != UInt8(ascii: "\n") {
                    index -= 1
                    continue
                }
                let recordStart = position + index + 1
                if recordStart < recordEnd {
                    let prefix = window[(index + 1)...].prefix(128)
                    if CRILogRecord.isFull(prefix: prefix) ?? true {
                        counted += 1
                        if counted == lines + 1 { return recordEnd }
                    }
                }
                recordEnd = recordStart
                index -= 1
            }
            following = Array(block[0..<length].prefix(128))
        }
        return nil
    }
}
