import Foundation
import Testing

/// The `minikube-swift` executable next to the test bundle (SwiftPM builds both in one dir).
let minikubeSwiftBinary: String? = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("minikube-swift").path }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// `minikube-swift runtime run`: stdout/stderr pass through, the exit code is the container's.
@Suite(.enabled(if: isRoot, "needs root: namespaces, mounts and cgroups"),
       .enabled(if: minikubeSwiftBinary != nil, "minikube-swift executable not built next to the tests"))
struct RuntimeRunCommandTests {
    func run(_ args: [String]) throws -> (code: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: minikubeSwiftBinary ?? "/nonexistent")
        p.arguments = ["runtime", "run"] + args
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func passesOutputAndExitCodesThrough() throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let data = ["--data-dir", sb.dataDir, "--rootfs", sb.rootfs]
        let hello = try run(data + ["--hostname", "web-0", "--env", "WHO=world", "--", "sh", "-c", "hostname; echo hello $WHO; echo oops >&2; exit 3"])
        #expect(hello.code == 3)
        #expect(hello.stdout == "web-0\nhello world\n")
        #expect(hello.stderr == "oops\n")
        let missing = try run(data + ["--", "/bin/nginx"])
        #expect(missing.code == 127)
        #expect(missing.stderr.contains("execve /bin/nginx: ENOENT"))
        let segv = try run(data + ["--", "/probe", "segv"])
        #expect(segv.code == 139)
        let oom = try run(data + ["--memory", "32Mi", "--", "/probe", "alloc", "512"])
        #expect(oom.code == 137)
        #expect(oom.stderr.contains("OOMKilled"))
        let shared = sb.dir + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let ro = try run(data + ["--mount", "\(shared):/data:ro", "--", "/probe", "write", "/data/x", "y"])
        #expect(ro.stdout == "write=EROFS\n")
        #expect(sb.leftoverMounts().isEmpty)
    }
}
