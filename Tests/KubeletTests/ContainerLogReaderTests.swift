import CNamespaces
import Glibc
import KubeClient
import Testing
@testable import Kubelet

/// A temporary directory removed at the end of the test.
private final class LogDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/kubelet-logs-XXXXXX".utf8CString)
        path = try #require(mkdtemp(&template)).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
    }

    deinit { _ = try? removeTree(path) }

    /// Writes records `(seconds, stream, partial, text)` as CRI lines.
    func write(_ name: String, _ records: [(Int, LogWriter.Stream, Bool, String)], append: Bool = false) {
        var bytes: [UInt8] = []
        for (seconds, stream, partial, text) in records {
            bytes += LogWriter.record(seconds: seconds, nanoseconds: 0, stream: stream, partial: partial, content: Array(text.utf8)[...])
        }
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// Feeds a `LogWriter` through real pipes, as a container's stdout and stderr.
private final class PipedWriter {
    let writer: LogWriter
    private var out: [Int32] = [-1, -1]
    private var err: [Int32] = [-1, -1]

    init(path: String, rotation: LogWriter.Rotation = .default) throws {
        writer = try LogWriter(path: path, rotation: rotation)
        #expect(cn_pipe_cloexec(&out) == 0 && cn_pipe_cloexec(&err) == 0)
        try writer.attach(stdout: out[0], stderr: err[0])
    }

    func stdout(_ text: String) { _ = text.withCString { Glibc.write(out[1], $0, strlen($0)) } }
    func stderr(_ text: String) { _ = text.withCString { Glibc.write(err[1], $0, strlen($0)) } }

    /// Closes the pipes (the container exited) and waits until everything is written.
    func exit() async {
        close(out[1])
        close(err[1])
        await writer.drained()
    }
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Collects a stream's chunks until it ends (or `limit` seconds pass).
private final class Collector: @unchecked Sendable {
    private let lock = Mutex()
    private var value = ""
    private var ended = false
    var text: String { lock.withLock { value } }
    var isEnded: Bool { lock.withLock { ended } }

    func run(_ stream: AsyncThrowingStream<[UInt8], any Error>) -> Task<Void, any Error> {
        Task {
            for try await chunk in stream {
                lock.withLock { value += String(decoding: chunk, as: UTF8.self) }
            }
            lock.withLock { ended = true }
        }
    }

    /// Waits until `predicate` holds on what was collected (at most 5 s).
    func wait(until predicate: (String) -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if predicate(text) { return true }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return predicate(text)
    }
}

@Suite struct ContainerLogReaderTests {
    @Test func layoutIsTheKubeletsOwn() throws {
        let layout = ContainerLogLayout(root: "/var/log/pods")
        #expect(layout.logPath(namespace: "default", pod: "web-0", uid: "1234", container: "nginx", restartCount: 2)
                == "/var/log/pods/default_web-0_1234/nginx/2.log")
        #expect(ContainerLogLayout.rotatedPath("/x/0.log", 0) == "/x/0.log")
        #expect(ContainerLogLayout.rotatedPath("/x/0.log", 3) == "/x/0.log.3")
        let dir = try LogDirectory()
        let created = try ContainerLogLayout(root: dir.path + "/pods").createContainerDirectory(namespace: "ns", pod: "p", uid: "u", container: "c")
        var st = stat()
        #expect(stat(created, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR)
        try ContainerLogLayout(root: dir.path + "/pods").removePodDirectory(namespace: "ns", pod: "p", uid: "u")
        #expect(stat(dir.path + "/pods/ns_p_u", &st) != 0)
    }

    @Test func parsesTimes() {
        #expect(LogTime(rfc3339: "2026-11-29T10:00:00Z") == LogTime(seconds: 1_795_946_400))
        #expect(LogTime(rfc3339: "2026-11-29T10:00:00.000000005Z") == LogTime(seconds: 1_795_946_400, nanoseconds: 5))
        #expect(LogTime(rfc3339: "2026-11-29T11:00:00.5+01:00") == LogTime(seconds: 1_795_946_400, nanoseconds: 500_000_000))
        #expect(LogTime(rfc3339: "2026-11-29 10:00:00") == nil)
        #expect(LogTime(rfc3339: "yesterday") == nil)
    }

    @Test func joinsPartialLinesAndAppliesOptions() throws {
        let dir = try LogDirectory()
        let t = 1_795_946_400
        dir.write("0.log", [
            (t, .stdout, false, "one"),
            (t + 1, .stdout, true, "tw"),
            (t + 1, .stderr, false, "oops"),
            (t + 2, .stdout, false, "o"),
            (t + 3, .stdout, false, ""),
            (t + 4, .stdout, false, "four"),
        ])
        let reader = ContainerLogReader(path: dir.path + "/0.log")
        #expect(text(try reader.read()) == "one\noops\ntwo\n\nfour\n")
        #expect(text(try reader.read(options: PodLogOptions(tailLines: 2))) == "\nfour\n")
        #expect(text(try reader.read(options: PodLogOptions(tailLines: 0))) == "")
        #expect(text(try reader.read(options: PodLogOptions(tailLines: 100))) == "one\noops\ntwo\n\nfour\n")
        #expect(text(try reader.read(options: PodLogOptions(timestamps: true, tailLines: 1)))
                == "2026-11-29T10:00:04.000000000Z four\n")
        #expect(text(try reader.read(options: PodLogOptions(sinceTime: "2026-11-29T10:00:03Z"))) == "\nfour\n")
        #expect(text(try reader.read(options: PodLogOptions(sinceSeconds: 2), now: LogTime(seconds: t + 5))) == "\nfour\n")
        #expect(text(try reader.read(options: PodLogOptions(limitBytes: 6))) == "one\noo")
        #expect(throws: SpawnError.self) { try reader.read(options: PodLogOptions(sinceTime: "soon")) }
        // A log that is not there (yet) is empty.
        #expect(try ContainerLogReader(path: dir.path + "/9.log").read().isEmpty)
    }

    @Test func readsRotatedFilesInOrderAndTailsAcrossThem() throws {
        let dir = try LogDirectory()
        let t = 1_795_946_400
        dir.write("0.log.2", [(t, .stdout, false, "a"), (t, .stdout, false, "b")])
        dir.write("0.log.1", [(t, .stdout, false, "c"), (t, .stdout, true, "d1")])
        dir.write("0.log", [(t, .stdout, false, "d2"), (t, .stdout, false, "e")])
        let reader = ContainerLogReader(path: dir.path + "/0.log", maxFiles: 3)
        #expect(text(try reader.read()) == "a\nb\nc\nd1d2\ne\n")
        #expect(text(try reader.read(options: PodLogOptions(tailLines: 3))) == "c\nd1d2\ne\n")
        #expect(text(try reader.read(options: PodLogOptions(tailLines: 4))) == "b\nc\nd1d2\ne\n")
        // Files beyond maxFiles are not the container's any more.
        #expect(text(try ContainerLogReader(path: dir.path + "/0.log", maxFiles: 2).read()) == "c\nd1d2\ne\n")
    }

    @Test func tailsLargeFiles() throws {
        let dir = try LogDirectory()
        let records = (0..<20_000).map { (1_795_946_400 + $0, LogWriter.Stream.stdout, false, "line \($0)") }
        dir.write("0.log", records)
        let tail = text(try ContainerLogReader(path: dir.path + "/0.log").read(options: PodLogOptions(tailLines: 3)))
        #expect(tail == "line 19997\nline 19998\nline 19999\n")
        let all = text(try ContainerLogReader(path: dir.path + "/0.log").read())
        #expect(all.split(separator: "\n").count == 20_000)
    }

    @Test func writerRotatesBySizeWithoutSplittingLines() async throws {
        let dir = try LogDirectory()
        let path = dir.path + "/0.log"
        let piped = try PipedWriter(path: path, rotation: .init(maxSize: 300, maxFiles: 3))
        for i in 0..<100 {
            piped.stdout("line \(i)\n")
            if i % 10 == 0 { usleep(1_000) }
        }
        await piped.exit()
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_size <= 300)
        #expect(stat(path + ".2", &st) == 0)
        #expect(stat(path + ".3", &st) != 0)
        for name in ["0.log", "0.log.1", "0.log.2"] {
            let content = readSmallFile(dir.path + "/" + name) ?? ""
            #expect(content.hasSuffix("\n"))
            for line in content.split(separator: "\n") {
                #expect(CRILogRecord(Array(line.utf8)[...]) != nil, "\(name): \(line)")
            }
        }
        // What is kept is the end of the log, whole and in order.
        let lines = text(try ContainerLogReader(path: path, maxFiles: 3).read()).split(separator: "\n")
        let first = try #require(lines.first.flatMap { Int($0.dropFirst("line ".count)) })
        #expect(lines == (first..<100).map { "line \($0)"[...] })
        #expect(first > 0)
    }

    @Test func rotationWaitsForTheEndOfALongLine() async throws {
        let dir = try LogDirectory()
        let path = dir.path + "/0.log"
        let piped = try PipedWriter(path: path, rotation: .init(maxSize: 20 * 1024, maxFiles: 2))
        let long = String(repeating: "x", count: LogWriter.maxLineBytes * 2 + 100)
        piped.stdout("start\n" + long + "\n" + "end\n")
        await piped.exit()
        let log = text(try ContainerLogReader(path: path, maxFiles: 2).read())
        #expect(log == "start\n" + long + "\nend\n" || log == long + "\nend\n")
    }

    @Test func followsNewLinesAcrossRotationsUntilStopped() async throws {
        let dir = try LogDirectory()
        let path = dir.path + "/0.log"
        let piped = try PipedWriter(path: path, rotation: .init(maxSize: 200, maxFiles: 20))
        piped.stdout("before\n")
        try await Task.sleep(nanoseconds: 50_000_000)
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let stream = try ContainerLogReader(path: path, maxFiles: 20).logs(options: PodLogOptions(follow: true)) {
            for await _ in stopped {}
        }
        let collector = Collector()
        let task = collector.run(stream)
        #expect(try await collector.wait { $0 == "before\n" })
        piped.stderr("after\n")
        #expect(try await collector.wait { $0 == "before\nafter\n" })
        // Enough to rotate several times while following.
        for i in 0..<30 { piped.stdout("more \(i)\n") }
        #expect(try await collector.wait { $0.hasSuffix("more 29\n") }, "\(collector.text)")
        var st = stat()
        #expect(stat(path + ".1", &st) == 0)
        #expect(!collector.isEnded)
        piped.stdout("last words")
        await piped.exit()
        stop.finish()
        try await task.value
        #expect(collector.text == "before\nafter\n" + (0..<30).map { "more \($0)\n" }.joined() + "last words\n")
    }

    @Test func followEndsWhenTheConsumerCancels() async throws {
        let dir = try LogDirectory()
        let path = dir.path + "/0.log"
        dir.write("0.log", [(1_795_946_400, .stdout, false, "only")])
        let stream = try ContainerLogReader(path: path).logs(options: PodLogOptions(follow: true, tailLines: 0))
        let collector = Collector()
        let task = collector.run(stream)
        dir.write("0.log", [(1_795_946_401, .stdout, false, "new")], append: true)
        #expect(try await collector.wait { $0 == "new\n" })
        task.cancel()
        _ = await task.result
        #expect(collector.text == "new\n")
    }

    @Test func followOfAStoppedContainerDrainsAndEnds() async throws {
        let dir = try LogDirectory()
        dir.write("0.log", [(1_795_946_400, .stdout, false, "done")])
        let stream = try ContainerLogReader(path: dir.path + "/0.log").logs(options: PodLogOptions(follow: true)) {}
        var out: [UInt8] = []
        for try await chunk in stream { out += chunk }
        #expect(text(out) == "done\n")
        #expect(throws: SpawnError.self) {
            try ContainerLogReader(path: dir.path + "/missing/0.log").logs(options: PodLogOptions(follow: true))
        }
    }
}
