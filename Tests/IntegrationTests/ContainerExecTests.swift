import Foundation
import KubeClient
import Testing
@testable import Kubelet

/// `ContainerRuntime.exec`: processes entering a running busybox container. Root only.
@Suite(.enabled(if: isRoot, "needs root: namespaces, mounts and cgroups (run: sudo make test)"), .serialized)
struct ContainerExecTests {
    /// Starts `sleep 600` as PID 1 (hostname web-0), runs `body`, removes the container.
    func withRunningContainer(_ body: (RuntimeSandbox, String) async throws -> Void) async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        var spec = sb.spec(["/bin/sleep", "600"])
        spec.resources = ResourceLimits(pids: 64)
        try await sb.runtime.create(spec)
        do {
            try await sb.runtime.start(spec.id)
            try await body(sb, spec.id)
        } catch {
            try? await sb.runtime.remove(spec.id)
            throw error
        }
        try await sb.runtime.remove(spec.id)
        #expect(sb.leftoverMounts().isEmpty)
    }

    static func process(_ args: [String]) -> ContainerSpec.Process {
        .init(args: args, env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], cwd: "/")
    }

    /// Collects the output and the exit code.
    static func finish(_ session: ExecProcess) async -> (stdout: String, stderr: String, code: Int32) {
        var out: [UInt8] = []
        var err: [UInt8] = []
        for await chunk in session.output {
            switch chunk {
            case .stdout(let b): out += b
            case .stderr(let b): err += b
            }
        }
        let code = await session.wait()
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), code)
    }

    @Test func entersTheContainersNamespacesAndRoot() async throws {
        try await withRunningContainer { sb, id in
            let session = try await sb.runtime.exec(
                id, process: Self.process(["sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /probe; echo $$; cat /proc/self/cgroup | grep pids"]),
                tty: false, stdin: false)
            let (out, err, code) = await Self.finish(session)
            #expect(code == 0, "stderr: \(err)")
            let lines = out.split(separator: "\n").map(String.init)
            #expect(lines.first == "web-0")
            #expect(lines.count > 4 && lines[1] == "/bin/sleep 600 ")
            #expect(lines.count > 4 && lines[2] == "/probe")
            // PID 1 is sleep; the exec'd shell has a small PID in the container's namespace.
            #expect(lines.count > 4 && (Int(lines[3]) ?? 0) > 1 && (Int(lines[3]) ?? 1000) < 100)
            #expect(lines.count > 4 && lines[4].contains("minikube-swift/\(id)"))
        }
    }

    @Test func psSeesOnlyTheContainer() async throws {
        try await withRunningContainer { sb, id in
            let session = try await sb.runtime.exec(id, process: Self.process(["ps", "-o", "pid,args"]), tty: false, stdin: false)
            let (out, _, code) = await Self.finish(session)
            #expect(code == 0)
            let rows = out.split(separator: "\n").dropFirst().map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
            #expect(rows.contains { $0 == ["1", "/bin/sleep 600"] })
            #expect(rows.allSatisfy { $0.last == "/bin/sleep 600" || $0.last == "ps -o pid,args" })
        }
    }

    @Test func exitCodesStderrAndSignals() async throws {
        try await withRunningContainer { sb, id in
            let three = try await sb.runtime.exec(id, process: Self.process(["sh", "-c", "echo oops >&2; exit 3"]), tty: false, stdin: false)
            let (out, err, code) = await Self.finish(three)
            #expect(code == 3 && out.isEmpty && err == "oops\n")
            let killed = try await sb.runtime.exec(id, process: Self.process(["sleep", "60"]), tty: false, stdin: false)
            await killed.cancel()
            #expect(await Self.finish(killed).code == 137)
        }
    }

    @Test func largeOutputArrivesWholeAndCancelEndsAnUnreadProcess() async throws {
        try await withRunningContainer { sb, id in
            let big = try await sb.runtime.exec(id, process: Self.process(["head", "-c", "20000000", "/dev/zero"]), tty: false, stdin: false)
            var count = 0
            for await chunk in big.output {
                if case .stdout(let bytes) = chunk { count += bytes.count }
                if count < 1_000_000 { try await Task.sleep(for: .milliseconds(1)) }  // a slow reader at first
            }
            #expect(count == 20_000_000)
            #expect(await big.wait() == 0)
            // Nobody reads: the process blocks on its output; cancel still ends it.
            let endless = try await sb.runtime.exec(id, process: Self.process(["cat", "/dev/zero"]), tty: false, stdin: false)
            try await Task.sleep(for: .milliseconds(200))
            await endless.cancel()
            #expect(await endless.wait() == 137)
        }
    }

    @Test func userEnvAndWorkingDirectoryAndPrivileges() async throws {
        try await withRunningContainer { sb, id in
            var process = Self.process(["sh", "-c", "id -u; id -g; pwd; echo $GREETING; grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status"])
            process.user = .init(uid: 33, gid: 33)
            process.cwd = "/tmp"
            process.env.append("GREETING=hello")
            let (out, err, code) = await Self.finish(try await sb.runtime.exec(id, process: process, tty: false, stdin: false))
            #expect(code == 0, "stderr: \(err)")
            let lines = out.split(separator: "\n").map { $0.split(separator: "\t").joined(separator: " ") }
            #expect(Array(lines.prefix(4)) == ["33", "33", "/tmp", "hello"])
            #expect(lines.contains("CapEff: 0000000000000000"))
            #expect(lines.contains("NoNewPrivs: 1"))
            #expect(lines.contains("Seccomp: 2"))
        }
    }

    @Test func stdinIsCopiedAndClosed() async throws {
        try await withRunningContainer { sb, id in
            let session = try await sb.runtime.exec(id, process: Self.process(["cat"]), tty: false, stdin: true)
            try await session.writeStdin(Array("hello\n".utf8))
            try await session.writeStdin(Array(repeating: UInt8(ascii: "x"), count: 200_000))
            await session.closeStdin()
            let (out, _, code) = await Self.finish(session)
            #expect(code == 0)
            #expect(out.hasPrefix("hello\n") && out.utf8.count == 6 + 200_000)
        }
    }

    @Test func terminalAndResize() async throws {
        try await withRunningContainer { sb, id in
            let session = try await sb.runtime.exec(id, process: Self.process(["sh"]), tty: true, stdin: true)
            await session.resize(width: 123, height: 45)
            try await session.writeStdin(Array("tty; stty size; echo $TERM; exit 7\n".utf8))
            let (out, err, code) = await Self.finish(session)
            #expect(code == 7)
            #expect(err.isEmpty)
            #expect(out.contains("/dev/pts/0"))
            #expect(out.contains("45 123"))
            #expect(out.contains("xterm"))
            #expect(!out.contains("\u{0}"), "\(Array(out.utf8.prefix(16)))")
        }
    }

    @Test func failuresAreClear() async throws {
        try await withRunningContainer { sb, id in
            await #expect(throws: SpawnError(step: "execve nosuchcommand", errno: ENOENT)) {
                _ = try await sb.runtime.exec(id, process: Self.process(["nosuchcommand"]), tty: false, stdin: false)
            }
            try await sb.runtime.kill(id, signal: SIGKILL)
            _ = try await sb.runtime.wait(id)
            await #expect(throws: SpawnError(step: "exec \(id): container is not running", errno: EINVAL)) {
                _ = try await sb.runtime.exec(id, process: Self.process(["true"]), tty: false, stdin: false)
            }
        }
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        await #expect(throws: SpawnError(step: "container nope not found", errno: ENOENT)) {
            _ = try await sb.runtime.exec("nope", process: Self.process(["true"]), tty: false, stdin: false)
        }
    }
}
