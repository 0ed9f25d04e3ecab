import Foundation
import KubeClient
import KubeModel
import NIOCore
import Testing

@testable import APIServer

/// A node that runs an exec's command as a host process (`/bin/sh` semantics, no namespaces):
/// enough to test the API server's side of `pods/exec` with the real kubectl.
final class HostProcessStreams: ContainerStreams, @unchecked Sendable {
    let resizes = NIOLockedBox<[String]>([])
    let requests = NIOLockedBox<[ExecRequest]>([])

    func logs(namespace: String, pod: String, container: String, options: PodLogOptions) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        throw KubeAPIError.badRequest("no logs here")
    }

    func exec(namespace: String, pod: String, container: String, request: ExecRequest) async throws -> any ExecSession {
        requests.set(requests.get() + [request])
        if request.command.first == "nosuchcommand" {
            throw KubeAPIError.internalError("error executing command in container: exec: \"nosuchcommand\": executable file not found in $PATH")
        }
        return try HostProcessSession(command: request.command, resizes: resizes)
    }
}

/// A host process with pipes (posix_spawn, O_CLOEXEC pipes) read by threads of its own.
final class HostProcessSession: ExecSession, @unchecked Sendable {
    let output: AsyncStream<ExecOutput>
    private let pid: pid_t
    private let stdinLock = NSLock()
    private var stdinFD: Int32
    private let resizes: NIOLockedBox<[String]>
    private let exitCode = NIOLockedBox<Int32?>(nil)
    private let exited: AsyncStream<Int32>

    init(command: [String], resizes: NIOLockedBox<[String]>) throws {
        self.resizes = resizes
        var fds: [[Int32]] = []
        for _ in 0..<3 {
            var pair: [Int32] = [-1, -1]
            guard pipe(&pair) == 0 else { throw KubeAPIError.internalError("pipe: \(errno)") }
            pair.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            fds.append(pair)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[2][1], 2)
        // Not the test's other pipes (kubectl's stdin would never see EOF): glibc ignores
        // closing descriptors that are not open.
        for fd in Int32(3)..<1024 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = (["/usr/bin/env"] + command).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var spawned: pid_t = 0
        let rc = posix_spawn(&spawned, "/usr/bin/env", &actions, nil, argv, environ)
        let pid = spawned
        close(fds[0][0])
        close(fds[1][1])
        close(fds[2][1])
        guard rc == 0 else { throw KubeAPIError.internalError("posix_spawn: \(rc)") }
        self.pid = pid
        stdinFD = fds[0][1]
        let (output, continuation) = AsyncStream<ExecOutput>.makeStream()
        self.output = output
        let (exited, exitedContinuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.exited = exited
        let remaining = Countdown(2)
        for (fd, isStdout) in [(fds[1][0], true), (fds[2][0], false)] {
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 32 * 1024)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    continuation.yield(isStdout ? .stdout(Array(buffer[0..<n])) : .stderr(Array(buffer[0..<n])))
                }
                close(fd)
                if remaining.decrement() == 0 {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                    continuation.finish()
                    exitedContinuation.yield(code)
                }
            }
        }
    }

    func writeStdin(_ bytes: [UInt8]) async throws {
        try stdinLock.withLock {
            var offset = 0
            while offset < bytes.count, stdinFD >= 0 {
                let n = bytes[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw KubeAPIError.internalError("write stdin: \(errno)") }
                offset += n
            }
        }
    }

    func closeStdin() async {
        stdinLock.withLock {
            if stdinFD >= 0 { close(stdinFD) }
            stdinFD = -1
        }
    }

    func resize(width: UInt16, height: UInt16) async { resizes.set(resizes.get() + ["\(width)x\(height)"]) }
    func cancel() async { if exitCode.get() == nil { kill(pid, SIGKILL) } }

    func wait() async -> Int32 {
        if let code = exitCode.get() { return code }
        for await code in exited {
            exitCode.set(code)
            return code
        }
        return exitCode.get() ?? 255
    }
}

final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int
    init(_ value: Int) { self.value = value }
    func decrement() -> Int { lock.lock(); defer { lock.unlock() }; value -= 1; return value }
}

/// `pods/exec` with the real kubectl: WebSocket (1.33) and SPDY/3.1 (1.27).
@Suite(.serialized, .enabled(if: kubectlDirectory != nil, "kubectl.1.27/kubectl.1.33 not installed"))
struct ExecTests {
    /// A cluster with pods `box` (one running container `main`) and `two` (containers a, b), and
    /// the host-process node attached.
    static func cluster() async throws -> (TestCluster, HostProcessStreams) {
        let cluster = try await TestCluster.start()
        let streams = HostProcessStreams()
        cluster.server.attach(streams)
        let client = cluster.server.client
        guard let pods = ResourceCatalog.resource(group: "", version: "v1", plural: "pods") else { throw KubeAPIError.resourceNotFound("pods") }
        for (name, containers) in [("box", ["main"]), ("two", ["a", "b"]), ("pending", ["main"])] {
            let spec: JSONValue = .object([
                "nodeName": .string("node-1"),
                "containers": .array(containers.map { .object(["name": .string($0), "image": .string("busybox")]) }),
            ])
            var pod = try await client.create(pods, namespace: "default", .object([
                "apiVersion": .string("v1"), "kind": .string("Pod"),
                "metadata": .object(["name": .string(name)]), "spec": spec,
            ]))
            guard name != "pending", case .object(var members) = pod else { continue }
            members["status"] = .object([
                "phase": .string("Running"),
                "containerStatuses": .array(containers.map {
                    .object(["name": .string($0), "ready": .bool(true), "restartCount": .int(0), "image": .string("busybox"), "imageID": .string(""),
                             "state": .object(["running": .object(["startedAt": .string("2026-11-30T00:00:00Z")])])])
                }),
            ])
            pod = .object(members)
            _ = try await client.updateStatus(pods, namespace: "default", pod)
        }
        return (cluster, streams)
    }

    func kubectl(_ minor: Int, _ cluster: TestCluster, _ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        try await runCommand(kubectlDirectory! + "/kubectl.1.\(minor)", ["--kubeconfig", cluster.kubeconfigPath] + arguments, stdin: stdin, timeout: 60)
    }

    @Test(arguments: [33, 27])
    func outputStderrAndExitCode(minor: Int) async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        let ok = try await kubectl(minor, cluster, ["exec", "box", "--", "sh", "-c", "echo hello; echo oops >&2"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "hello\n")
        #expect(ok.stderr == "oops\n")
        let three = try await kubectl(minor, cluster, ["exec", "box", "--", "sh", "-c", "echo partial; exit 3"])
        #expect(three.status == 3, "\(three.stderr)")
        #expect(three.stdout == "partial\n")
        #expect(three.stderr.contains("command terminated with exit code 3"), "\(three.stderr)")
        await cluster.stop()
    }

    @Test(arguments: [33, 27])
    func stdinIsCopiedUntilEOF(minor: Int) async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        let text = String(repeating: "0123456789abcdef\n", count: 20_000)
        let result = try await kubectl(minor, cluster, ["exec", "-i", "box", "--", "sh", "-c", "wc -c; echo done"], stdin: text)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["\(text.utf8.count)", "done"])
        await cluster.stop()
    }

    @Test(arguments: [33, 27])
    func largeStdinToASlowReaderArrivesWhole(minor: Int) async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        // 24 MiB while the command sleeps first: the server stops reading from the socket
        // instead of buffering it all, and nothing is lost.
        let text = String(repeating: String(repeating: "z", count: 1023) + "\n", count: 24 * 1024)
        let result = try await kubectl(minor, cluster, ["exec", "-i", "box", "--", "sh", "-c", "sleep 1; wc -c"], stdin: text)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(text.utf8.count)")
        await cluster.stop()
    }

    @Test(arguments: [33, 27])
    func containerChoiceAndErrors(minor: Int) async throws {
        let (cluster, streams) = try await Self.cluster()
        defer { cluster.remove() }
        let named = try await kubectl(minor, cluster, ["exec", "two", "-c", "b", "--", "true"])
        #expect(named.status == 0, "\(named.stderr)")
        let unknown = try await kubectl(minor, cluster, ["exec", "box", "-c", "nope", "--", "true"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("container nope is not valid for pod box") || unknown.stderr.contains("container nope not found in pod box"), "\(unknown.stderr)")
        let missing = try await kubectl(minor, cluster, ["exec", "ghost", "--", "true"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("pods \"ghost\" not found"), "\(missing.stderr)")
        let pending = try await kubectl(minor, cluster, ["exec", "pending", "--", "true"])
        #expect(pending.status != 0)
        #expect(pending.stderr.contains("container not found (\"main\")"), "\(pending.stderr)")
        let failing = try await kubectl(minor, cluster, ["exec", "box", "--", "nosuchcommand"])
        #expect(failing.status != 0)
        #expect(failing.stderr.contains("executable file not found"), "\(failing.stderr)")
        #expect(streams.requests.get().contains { $0.command == ["true"] })
        await cluster.stop()
    }

    @Test(arguments: [33, 27])
    func copyFilesOutAndIn(minor: Int) async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        // The "container" is the host: its paths are the test's temporary directory.
        let podDir = cluster.directory + "/pod-files"
        let localDir = cluster.directory + "/local-files"
        try FileManager.default.createDirectory(atPath: podDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: localDir, withIntermediateDirectories: true)
        let content = (0..<5000).map { "line \($0)\n" }.joined()
        try content.write(toFile: podDir + "/remote.txt", atomically: false, encoding: .utf8)
        let out = try await kubectl(minor, cluster, ["cp", "default/box:\(podDir)/remote.txt", localDir + "/copied.txt"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect((try? String(contentsOfFile: localDir + "/copied.txt", encoding: .utf8)) == content)
        try "uploaded\n".write(toFile: localDir + "/up.txt", atomically: false, encoding: .utf8)
        let into = try await kubectl(minor, cluster, ["cp", localDir + "/up.txt", "default/box:\(podDir)/up.txt"])
        #expect(into.status == 0, "\(into.stderr)")
        #expect((try? String(contentsOfFile: podDir + "/up.txt", encoding: .utf8)) == "uploaded\n")
        await cluster.stop()
    }

    @Test(arguments: [33, 27])
    func terminalRequestAndResize(minor: Int) async throws {
        let (cluster, streams) = try await Self.cluster()
        defer { cluster.remove() }
        // kubectl uses a terminal only when its stdin is one: run it under script(1)'s pty.
        let command = "stty cols 91 rows 33; \(kubectlDirectory!)/kubectl.1.\(minor) --kubeconfig \(cluster.kubeconfigPath) exec -it box -- sh -c 'echo in-tty; exit 4'"
        let result = try await runCommand("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], timeout: 60)
        #expect(result.status == 4, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("in-tty"), "\(result.stdout)")
        // The terminal's size came before the command started: the pty is made with it.
        #expect(streams.requests.get().last == ExecRequest(command: ["sh", "-c", "echo in-tty; exit 4"], stdin: true, stdout: true, stderr: false, tty: true,
                                                           terminalSize: TerminalSize(width: 91, height: 33)))
        #expect(streams.resizes.get().contains("91x33"), "\(streams.resizes.get())")
        await cluster.stop()
    }

    @Test func authenticationAndUpgradeAreRequired() async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        let path = "/api/v1/namespaces/default/pods/box/exec?command=true&stdout=true"
        let anonymous = try await cluster.request(.POST, path, anonymous: true)
        #expect(anonymous.status == 401)
        let plain = try await cluster.request(.POST, path)
        #expect(plain.status == 400)
        #expect(String(decoding: plain.body, as: UTF8.self).contains("Upgrade request required"))
        // Other requests on the server are untouched.
        let pod = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/box")
        #expect(pod.status == 200)
        await cluster.stop()
    }

    @Test(.enabled(if: (try? runCommandBlocking("/usr/bin/env", ["python3", "-c", "import kubernetes"]).status) == 0, "python kubernetes client not installed"))
    func pythonClientStream() async throws {
        let (cluster, _) = try await Self.cluster()
        defer { cluster.remove() }
        let script = """
        import sys
        from kubernetes import client, config
        from kubernetes.stream import stream
        config.load_kube_config(config_file=sys.argv[1])
        v1 = client.CoreV1Api()
        out = stream(v1.connect_get_namespaced_pod_exec, "box", "default",
                     command=["sh", "-c", "echo from-python; echo err >&2"], stderr=True, stdin=False, stdout=True, tty=False)
        assert "from-python" in out, out
        resp = stream(v1.connect_get_namespaced_pod_exec, "box", "default", command=["sh", "-c", "exit 5"],
                      stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
        resp.run_forever(timeout=20)
        assert resp.returncode == 5, resp.returncode
        print("ok")
        """
        let result = try await runCommand("/usr/bin/env", ["python3", "-c", script, cluster.kubeconfigPath], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"))
        await cluster.stop()
    }

    @Test func planResolvesContainersAsKubeAPIServer() throws {
        let pod = try JSONValue(json: Data(#"{"metadata":{"annotations":{"kubectl.kubernetes.io/default-container":"b"}},"spec":{"containers":[{"name":"a"},{"name":"b"}],"initContainers":[{"name":"init"}]}}"#.utf8))
        #expect(try APIHandler.execContainer(pod: pod, name: "p", requested: "") == "b")
        #expect(try APIHandler.execContainer(pod: pod, name: "p", requested: "init") == "init")
        #expect(throws: KubeAPIError.badRequest("container x is not valid for pod p")) {
            try APIHandler.execContainer(pod: pod, name: "p", requested: "x")
        }
        let plain = try JSONValue(json: Data(#"{"spec":{"containers":[{"name":"a"},{"name":"b"}],"initContainers":[{"name":"init"}]}}"#.utf8))
        #expect(throws: KubeAPIError.badRequest("a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]")) {
            try APIHandler.execContainer(pod: plain, name: "p", requested: "")
        }
    }

    @Test func webSocketFraming() throws {
        var transport = WebSocketExecTransport(version: 5)
        // A masked client frame: stdin "hi", then the v5 close of stdin, a resize and a ping.
        func masked(_ opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
            let mask: [UInt8] = [1, 2, 3, 4]
            return [0x80 | opcode, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        }
        let resize = [UInt8(4)] + Array(#"{"Width":100,"Height":30}"#.utf8)
        var bytes = masked(2, [0] + Array("hi".utf8)) + masked(2, [255, 0]) + masked(2, resize) + masked(9, [7])
        var buffer = ByteBuffer(bytes: bytes.prefix(5))
        #expect(try transport.receive(&buffer).isEmpty)
        buffer.writeBytes(bytes.dropFirst(5))
        let events = try transport.receive(&buffer)
        #expect(events == [.stdin(Array("hi".utf8)), .stdinClosed, .resize(width: 100, height: 30),
                           .reply(ByteBuffer(bytes: [0x8A, 1, 7]))])
        #expect(Array(transport.frame(.stdout, Array("x".utf8)).readableBytesView) == [0x82, 2, 1, UInt8(ascii: "x")])
        bytes = masked(8, [0x03, 0xE8])
        buffer = ByteBuffer(bytes: bytes)
        #expect(try transport.receive(&buffer) == [.reply(ByteBuffer(bytes: [0x88, 2, 0x03, 0xE8])), .closed])
        #expect(WebSocketExecTransport.acceptValue(key: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func spdyHeaderBlocksRoundTrip() throws {
        let compress = try SPDYHeaderCompression(compressing: true)
        let decompress = try SPDYHeaderCompression(compressing: false)
        for headers in [[("streamtype", "error")], [("streamtype", "stdout"), ("x", "a")]] {
            let block = try compress.process(SPDYHeaderBlock.encode(headers.map { (name: $0.0, value: $0.1) }))
            let decoded = try SPDYHeaderBlock.decode(try decompress.process(block))
            #expect(decoded.map { "\($0.name)=\($0.value)" } == headers.map { "\($0.0)=\($0.1)" })
        }
        #expect(SPDYHeaderCompression.dictionary.count == 1423)
    }
}

