import CNamespaces
import Glibc
import Testing
@testable import Kubelet

@Suite struct LogWriterTests {
    @Test func timestampIsFixedWidthRFC3339Nano() {
        #expect(LogWriter.timestamp(seconds: 1_795_946_400, nanoseconds: 0) == "2026-11-29T10:00:00.000000000Z")
        #expect(LogWriter.timestamp(seconds: 0, nanoseconds: 1_234) == "1970-01-01T00:00:00.000001234Z")
    }

    @Test func recordFormat() {
        let r = LogWriter.record(seconds: 1_795_946_400, nanoseconds: 5, stream: .stderr, partial: true,
                                 content: Array("hi".utf8)[...])
        #expect(String(decoding: r, as: UTF8.self) == "2026-11-29T10:00:00.000000005Z stderr P hi\n")
    }

    @Test func splitsLinesAndMarksPartials() async throws {
        var template = Array("/tmp/kubelet-log-XXXXXX".utf8CString)
        let dir = try #require(mkdtemp(&template)).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        defer { _ = try? removeTree(dir) }
        let path = dir + "/c.log"
        let writer = try LogWriter(path: path)
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        #expect(cn_pipe_cloexec(&out) == 0 && cn_pipe_cloexec(&err) == 0)
        try writer.attach(stdout: out[0], stderr: err[0])
        let long = String(repeating: "x", count: LogWriter.maxLineBytes + 10)
        for (fd, text) in [(out[1], "one\ntwo\n"), (err[1], "oops\n"), (out[1], long + "\nlast")] {
            _ = text.withCString { write(fd, $0, strlen($0)) }
        }
        close(out[1])
        close(err[1])
        await writer.drained()
        let lines = (readSmallFile(path) ?? "").split(separator: "\n").map { line in
            line.split(separator: " ", maxSplits: 3).dropFirst().map { String($0.prefix(20)) }.joined(separator: " ")
        }
        #expect(lines.contains("stdout F one"))
        #expect(lines.contains("stderr F oops"))
        let stdoutLines = lines.filter { $0.hasPrefix("stdout") }
        #expect(stdoutLines == ["stdout F one", "stdout F two", "stdout P " + String(repeating: "x", count: 20),
                                "stdout F xxxxxxxxxx", "stdout F last"])
    }
}
