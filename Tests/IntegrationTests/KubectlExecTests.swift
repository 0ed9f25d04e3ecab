import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Kubelet

/// The node side of `pods/exec` for these tests only: every pod's container is the one running
/// container of the sandbox (the kubelet's real mapping is its own business).
struct SandboxStreams: ContainerStreams {
    let runtime: ContainerRuntime
    let containerID: String
    let env: [String]

    func logs(namespace: String, pod: String, container: String, options: PodLogOptions) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        throw KubeAPIError.badRequest("logs are not served here")
    }

    func exec(namespace: String, pod: String, container: String, request: ExecRequest) async throws -> any ExecSession {
        do {
            return try await runtime.exec(containerID, process: .init(args: request.command, env: env, cwd: "/"),
                                          tty: request.tty, stdin: request.stdin, terminalSize: request.terminalSize)
        } catch {
            throw KubeAPIError.internalError("error executing command in container: \(error)")
        }
    }
}

/// The real kubectl (1.33 over WebSocket, 1.27 over SPDY) → the API server → `ContainerRuntime.exec`
/// into a running busybox container. Root only.
@Suite(.serialized, .enabled(if: isRoot && integrationKubectl != nil, "needs root and kubectl.1.27/kubectl.1.33"))
struct KubectlExecTests {
    /// A busybox container `sleep 600` (hostname web-0) behind pod `web-0`, and a server.
    func withPod(_ body: (_ kubectl: @escaping (Int, [String], String?) async throws -> (status: Int32, stdout: String, stderr: String), _ sb: RuntimeSandbox, _ dir: String) async throws -> Void) async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let spec = sb.spec(["/bin/sleep", "600"])
        try await sb.runtime.create(spec)
        do {
            try await sb.runtime.start(spec.id)
            try await serve(sb, spec, body)
        } catch {
            try? await sb.runtime.remove(spec.id)
            throw error
        }
        try await sb.runtime.remove(spec.id)
        #expect(sb.leftoverMounts().isEmpty)
    }

    private func serve(_ sb: RuntimeSandbox, _ spec: ContainerSpec, _ body: (_ kubectl: @escaping (Int, [String], String?) async throws -> (status: Int32, stdout: String, stderr: String), _ sb: RuntimeSandbox, _ dir: String) async throws -> Void) async throws {
        let dir = sb.dir + "/apiserver"
        let server = try APIServer(configuration: .init(dataDirectory: dir, port: try freeLoopbackPort(), kubeconfigPath: dir + "/home-kubeconfig",
                                                         mergeKubeconfig: false))
        server.attach(SandboxStreams(runtime: sb.runtime, containerID: spec.id, env: spec.process.env))
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let serverTask = Task { try await server.run { readyContinuation.yield() } }
        for await _ in ready { break }
        let pods = try #require(ResourceCatalog.resource(group: "", version: "v1", plural: "pods"))
        let created = try await server.client.create(pods, namespace: "default", try JSONValue(json: Data("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},
             "spec":{"nodeName":"node-1","containers":[{"name":"nginx","image":"busybox"}]}}
            """.utf8)))
        guard case .object(var members) = created else { throw SandboxError("the created pod is not an object: \(created)") }
        members["status"] = try JSONValue(json: Data("""
            {"phase":"Running","containerStatuses":[{"name":"nginx","ready":true,"restartCount":0,"image":"busybox","imageID":"",
             "state":{"running":{"startedAt":"2026-11-30T00:00:00Z"}}}]}
            """.utf8))
        _ = try await server.client.updateStatus(pods, namespace: "default", .object(members))
        let kubeconfig = dir + "/kubeconfig"
        let kubectl = { (minor: Int, arguments: [String], stdin: String?) in
            try await runKubectl(integrationKubectl! + "/kubectl.1.\(minor)", ["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        }
        do {
            try await body(kubectl, sb, dir)
        } catch {
            serverTask.cancel()
            throw error
        }
        serverTask.cancel()
        _ = await serverTask.result
    }

    @Test(arguments: [33, 27])
    func execEntersTheContainer(minor: Int) async throws {
        try await withPod { kubectl, _, _ in
            let hostname = try await kubectl(minor, ["exec", "web-0", "--", "hostname"], nil)
            #expect(hostname.status == 0, "\(hostname.stderr)")
            #expect(hostname.stdout == "web-0\n")
            let pid1 = try await kubectl(minor, ["exec", "web-0", "--", "cat", "/proc/1/cmdline"], nil)
            #expect(pid1.stdout == "/bin/sleep\u{0}600\u{0}")
            let failing = try await kubectl(minor, ["exec", "web-0", "--", "sh", "-c", "echo oops >&2; exit 3"], nil)
            #expect(failing.status == 3)
            #expect(failing.stderr.hasPrefix("oops\n"), "\(failing.stderr)")
            let stdin = try await kubectl(minor, ["exec", "-i", "web-0", "--", "sh", "-c", "cat > /tmp/in; wc -c < /tmp/in"], String(repeating: "x", count: 100_000))
            #expect(stdin.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "100000", "\(stdin.stderr)")
            let missing = try await kubectl(minor, ["exec", "web-0", "--", "nosuchcommand"], nil)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("execve nosuchcommand: ENOENT"), "\(missing.stderr)")
        }
    }

    @Test(arguments: [33, 27])
    func clientGoneKillsTheProcess(minor: Int) async throws {
        try await withPod { kubectl, _, dir in
            let client = Process()
            client.executableURL = URL(fileURLWithPath: integrationKubectl! + "/kubectl.1.\(minor)")
            client.arguments = ["--kubeconfig", dir + "/kubeconfig", "exec", "web-0", "--", "sleep", "321"]
            client.standardOutput = FileHandle.nullDevice
            client.standardError = FileHandle.nullDevice
            try client.run()
            // Whether `sleep 321` runs; a failed `ps` is an error, never "gone".
            func sleeping() async throws -> Bool {
                let ps = try await kubectl(minor, ["exec", "web-0", "--", "ps", "-o", "args"], nil)
                guard ps.status == 0 else { throw SandboxError("kubectl exec ps failed (\(ps.status)): \(ps.stderr)") }
                return ps.stdout.contains("sleep 321")
            }
            var started = false
            for _ in 0..<50 where !started {
                started = try await sleeping()
                if !started { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(started)
            client.terminate()
            client.waitUntilExit()
            var gone = false
            for _ in 0..<50 where !gone {
                gone = try await !sleeping()
                if !gone { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(gone, "the exec'd process outlived its client")
        }
    }

    @Test(arguments: [33, 27])
    func terminal(minor: Int) async throws {
        try await withPod { _, _, dir in
            let command = "stty cols 101 rows 29; \(integrationKubectl!)/kubectl.1.\(minor) --kubeconfig \(dir)/kubeconfig exec -it web-0 -- sh -c 'tty; stty size; exit 2'"
            let result = try await runKubectl("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], stdin: nil)
            #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("/dev/pts/0"), "\(result.stdout)")
            #expect(result.stdout.contains("29 101"), "\(result.stdout)")
        }
    }

    @Test(arguments: [33, 27])
    func copyInAndOut(minor: Int) async throws {
        try await withPod { kubectl, sb, _ in
            let local = sb.dir + "/local.txt"
            let content = (0..<3000).map { "line \($0)\n" }.joined()
            try content.write(toFile: local, atomically: false, encoding: .utf8)
            let into = try await kubectl(minor, ["cp", local, "default/web-0:/tmp/copied.txt"], nil)
            #expect(into.status == 0, "\(into.stderr)")
            let inside = try await kubectl(minor, ["exec", "web-0", "--", "md5sum", "/tmp/copied.txt"], nil)
            let hostSum = try runOnHost(["/usr/bin/md5sum", local]).split(separator: " ").first.map(String.init)
            #expect(inside.stdout.split(separator: " ").first.map(String.init) == hostSum)
            let back = sb.dir + "/back.txt"
            let out = try await kubectl(minor, ["cp", "default/web-0:/tmp/copied.txt", back], nil)
            #expect(out.status == 0, "\(out.stderr)")
            #expect((try? String(contentsOfFile: back, encoding: .utf8)) == content)
        }
    }
}

/// The folder of `kubectl.1.27` … `kubectl.1.33`, or nil.
let integrationKubectl: String? = {
    for candidate in ["/usr/bin/kubectl", "/usr/local/bin/kubectl"] {
        let resolved = URL(fileURLWithPath: candidate).resolvingSymlinksInPath().deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: resolved + "/kubectl.1.33") { return resolved }
    }
    return nil
}()

/// A free TCP port on 127.0.0.1.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw SandboxError("bind: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a program off the cooperative pool (the in-process server needs it), at most 60 s.
func runKubectl(_ executable: String, _ arguments: [String], stdin: String?) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let out = Pipe(), err = Pipe(), input = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = input
                try process.run()
                let outData = LockedData(), errData = LockedData()
                let readers = [(out, outData), (err, errData)].map { pipe, box in
                    let thread = Thread { box.set(pipe.fileHandleForReading.readDataToEndOfFile()) }
                    thread.start()
                    return thread
                }
                if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
                let deadline = Date().addingTimeInterval(60)
                while process.isRunning && Date() < deadline { usleep(20_000) }
                if process.isRunning { process.terminate() }
                process.waitUntilExit()
                while readers.contains(where: { !$0.isFinished }) { usleep(5_000) }
                return (process.terminationStatus, String(decoding: outData.get(), as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
            })
        }
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
