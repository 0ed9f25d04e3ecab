import CNamespaces
import Foundation
import Glibc
import KubeClient
import KubeModel
import Kubelet
import Testing

@testable import APIServer

/// A node's logs for the tests: real CRI files written by `LogWriter` through pipes, laid out
/// as the kubelet lays them out, read by `ContainerLogReader`. Restart count 1: the current
/// instance is `1.log`, the previous one `0.log`.
final class FileContainerStreams: ContainerStreams, @unchecked Sendable {
    let layout: ContainerLogLayout
    private let lock = NSLock()
    private var writers: [String: (writer: LogWriter, stdout: Int32, stderr: Int32)] = [:]
    private var stopped: [String: AsyncStream<Void>] = [:]
    private var stoppers: [String: AsyncStream<Void>.Continuation] = [:]

    init(root: String) { layout = ContainerLogLayout(root: root) }

    private func path(_ namespace: String, _ pod: String, _ container: String, restartCount: Int) -> String {
        layout.logPath(namespace: namespace, pod: pod, uid: "uid", container: container, restartCount: restartCount)
    }

    /// Starts the "container": its current log, and the previous instance's log if given.
    func start(_ namespace: String, _ pod: String, _ container: String, previous: String? = nil) throws {
        try layout.createContainerDirectory(namespace: namespace, pod: pod, uid: "uid", container: container)
        if let previous {
            let old = try LogWriter(path: path(namespace, pod, container, restartCount: 0))
            var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
            _ = cn_pipe_cloexec(&out)
            _ = cn_pipe_cloexec(&err)
            try old.attach(stdout: out[0], stderr: err[0])
            _ = previous.withCString { Glibc.write(out[1], $0, strlen($0)) }
            close(out[1])
            close(err[1])
        }
        let writer = try LogWriter(path: path(namespace, pod, container, restartCount: 1))
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        _ = cn_pipe_cloexec(&out)
        _ = cn_pipe_cloexec(&err)
        try writer.attach(stdout: out[0], stderr: err[0])
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        lock.withLock {
            writers["\(namespace)/\(pod)/\(container)"] = (writer, out[1], err[1])
            stopped["\(namespace)/\(pod)/\(container)"] = stream
            stoppers["\(namespace)/\(pod)/\(container)"] = continuation
        }
    }

    /// Writes to the container's stdout (or stderr) and waits until it is in the file.
    func write(_ namespace: String, _ pod: String, _ container: String, _ text: String, stderr: Bool = false) async throws {
        let key = "\(namespace)/\(pod)/\(container)"
        guard let entry = lock.withLock({ writers[key] }) else { throw KubeAPIError.badRequest("no container \(key)") }
        let file = path(namespace, pod, container, restartCount: 1)
        let before = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        _ = text.withCString { Glibc.write(stderr ? entry.stderr : entry.stdout, $0, strlen($0)) }
        for _ in 0..<200 {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            if size > before { return }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// The container exits: its pipes close, the writer drains, followers end.
    func stop(_ namespace: String, _ pod: String, _ container: String) async {
        let key = "\(namespace)/\(pod)/\(container)"
        guard let entry = lock.withLock({ writers[key] }) else { return }
        close(entry.stdout)
        close(entry.stderr)
        await entry.writer.drained()
        lock.withLock { stoppers[key] }?.finish()
    }

    func logs(namespace: String, pod: String, container: String, options: PodLogOptions) async throws
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let key = "\(namespace)/\(pod)/\(container)"
        guard let stopped = lock.withLock({ stopped[key] }) else {
            throw KubeAPIError.containerWaiting(container: container, pod: pod, reason: "ContainerCreating")
        }
        let file = path(namespace, pod, container, restartCount: options.previous ? 0 : 1)
        if options.previous && !FileManager.default.fileExists(atPath: file) {
            throw KubeAPIError.previousContainerNotFound(container: container, pod: pod)
        }
        return try ContainerLogReader(path: file).logs(options: options) {
            for await _ in stopped {}
        }
    }

    func exec(namespace: String, pod: String, container: String, request: ExecRequest) async throws -> any ExecSession {
        throw KubeAPIError.badRequest("exec is not part of these tests")
    }
}

/// A cluster with a node, pods on it and their logs.
struct LogCluster {
    let cluster: TestCluster
    let streams: FileContainerStreams

    static func start(minor: Int = 33) async throws -> LogCluster {
        let cluster = try await TestCluster.start(minor: minor)
        let streams = FileContainerStreams(root: cluster.directory + "/pod-logs")
        cluster.server.attach(streams)
        let registry = cluster.server.registry
        _ = try registry.create(Registry.resource("nodes"), namespace: nil, try JSONValue(json: Data(#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"node1"}}"#.utf8)))
        func pod(_ name: String, containers: [String], node: String? = "node1") throws {
            let list = containers.map { #"{"name":"\#($0)","image":"busybox"}"# }.joined(separator: ",")
            let nodeName = node.map { #","nodeName":"\#($0)""# } ?? ""
            let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)"},"spec":{"containers":[\#(list)]\#(nodeName)}}"#
            _ = try registry.create(Registry.resource("pods"), namespace: "default", try JSONValue(json: Data(json.utf8)))
        }
        try pod("one", containers: ["app"])
        try pod("two", containers: ["a", "b"])
        try pod("pending", containers: ["app"], node: nil)
        try pod("starting", containers: ["app"])
        try streams.start("default", "one", "app", previous: "crashed once\n")
        try streams.start("default", "two", "a")
        try streams.start("default", "two", "b")
        try await streams.write("default", "one", "app", "hello\n")
        try await streams.write("default", "one", "app", "oops\n", stderr: true)
        try await streams.write("default", "one", "app", "world\n")
        try await streams.write("default", "two", "a", "from a\n")
        try await streams.write("default", "two", "b", "from b\n")
        return LogCluster(cluster: cluster, streams: streams)
    }
}

@Suite(.serialized) struct PodLogTests {
    @Test func logsOverHTTP() async throws {
        let logs = try await LogCluster.start()
        defer { logs.cluster.remove() }
        let cluster = logs.cluster
        let plain = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/one/log")
        #expect(plain.status == 200)
        #expect(String(decoding: plain.body, as: UTF8.self) == "hello\noops\nworld\n")
        #expect(plain.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/plain") })
        let tail = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/one/log?container=app&tailLines=1&timestamps=true")
        let line = String(decoding: tail.body, as: UTF8.self)
        #expect(line.hasSuffix("Z world\n") && line.count == "2026-11-29T10:00:00.000000000Z world\n".count, "\(line)")
        let previous = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/one/log?previous=true")
        #expect(String(decoding: previous.body, as: UTF8.self) == "crashed once\n")
        let limited = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/one/log?limitBytes=8")
        #expect(String(decoding: limited.body, as: UTF8.self) == "hello\noo")
        let pending = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/pending/log")
        #expect(pending.status == 200 && pending.body.isEmpty)

        func status(_ path: String) async throws -> (Int, String) {
            let response = try await cluster.request(.GET, path)
            let body = try JSONValue(json: response.body)
            return (response.status, body["message"]?.stringValue ?? "")
        }
        #expect(try await status("/api/v1/namespaces/default/pods/nope/log") == (404, #"pods "nope" not found"#))
        #expect(try await status("/api/v1/namespaces/default/pods/two/log")
                == (400, "a container name must be specified for pod two, choose one of: [a b]"))
        #expect(try await status("/api/v1/namespaces/default/pods/one/log?container=x") == (400, "container x is not valid for pod one"))
        #expect(try await status("/api/v1/namespaces/default/pods/one/log?tailLines=-1")
                == (422, "PodLogOptions \"one\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0"))
        #expect(try await status("/api/v1/namespaces/default/pods/starting/log")
                == (400, #"container "app" in pod "starting" is waiting to start: ContainerCreating"#))
        #expect(try await status("/api/v1/namespaces/default/pods/two/log?container=b&previous=true")
                == (400, "previous terminated container \"b\" in pod \"two\" not found"))
        await logs.cluster.stop()
    }

    @Test func withoutAKubeletTheNodeCannotBeReached() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let registry = cluster.server.registry
        _ = try registry.create(Registry.resource("pods"), namespace: "default", try JSONValue(json: Data(
            #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"elsewhere","containers":[{"name":"c","image":"busybox"}]}}"#.utf8)))
        let missingNode = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/p/log")
        #expect(missingNode.status == 404)
        #expect(try JSONValue(json: missingNode.body)["message"]?.stringValue == #"nodes "elsewhere" not found"#)
        _ = try registry.create(Registry.resource("nodes"), namespace: nil, try JSONValue(json: Data(#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"elsewhere"}}"#.utf8)))
        let noKubelet = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/p/log")
        #expect(noKubelet.status == 500)
        await cluster.stop()
    }
}

/// `kubectl logs` (1.27 and 1.33) against real CRI files.
@Suite(.serialized, .enabled(if: kubectlDirectory != nil, "kubectl.1.27/kubectl.1.33 not installed"))
struct KubectlLogsTests {
    @Test(arguments: [27, 33])
    func kubectlLogs(minor: Int) async throws {
        let logs = try await LogCluster.start(minor: minor)
        defer { logs.cluster.remove() }
        let kubectl = kubectlDirectory! + "/kubectl.1.\(minor)"
        func run(_ arguments: String...) async throws -> CommandResult {
            try await runCommand(kubectl, ["--kubeconfig", logs.cluster.kubeconfigPath, "logs"] + arguments)
        }
        var result = try await run("one")
        #expect(result.status == 0 && result.stdout == "hello\noops\nworld\n", "\(result.stdout) \(result.stderr)")
        result = try await run("one", "--tail=2")
        #expect(result.stdout == "oops\nworld\n", "\(result.stderr)")
        result = try await run("pod/one", "--timestamps", "--tail=1")
        #expect(result.stdout.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z world\n$"#, options: .regularExpression) != nil, "\(result.stdout)")
        result = try await run("one", "--previous")
        #expect(result.stdout == "crashed once\n", "\(result.stderr)")
        result = try await run("one", "--since=1h", "--limit-bytes=5")
        #expect(result.stdout == "hello", "\(result.stderr)")
        result = try await run("two", "-c", "b")
        #expect(result.stdout == "from b\n", "\(result.stderr)")
        // kubectl picks the first container itself and says so.
        result = try await run("two")
        #expect(result.stdout == "from a\n", "\(result.stderr)")
        #expect(result.stderr.contains("Defaulted container \"a\" out of: a, b"), "\(result.stderr)")
        result = try await run("two", "--all-containers", "--prefix")
        #expect(result.stdout.contains("[pod/two/a] from a\n") && result.stdout.contains("[pod/two/b] from b\n"), "\(result.stdout) \(result.stderr)")

        result = try await run("nope")
        // (1.33 looks the pod up itself first: `error: error from server (NotFound): pods "nope" not found in namespace "default"`.)
        #expect(result.status != 0 && result.stderr.contains(#"(NotFound): pods "nope" not found"#), "\(result.stderr)")
        result = try await run("one", "-c", "x")
        #expect(result.status != 0 && result.stderr.contains("container x is not valid for pod one"), "\(result.stderr)")
        result = try await run("starting")
        #expect(result.status != 0 && result.stderr.contains(#"Error from server (BadRequest): container "app" in pod "starting" is waiting to start: ContainerCreating"#), "\(result.stderr)")
        result = try await run("two", "-c", "b", "--previous")
        #expect(result.status != 0 && result.stderr.contains(#"previous terminated container "b" in pod "two" not found"#), "\(result.stderr)")

        // -f: what is there, then a line written after it started, then the end of the container.
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: kubectl)
        follower.arguments = ["--kubeconfig", logs.cluster.kubeconfigPath, "logs", "-f", "one"]
        let pipe = Pipe()
        follower.standardOutput = pipe
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        let collected = NIOLockedBox("")
        let handle = pipe.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                collected.set(collected.get() + String(decoding: data, as: UTF8.self))
            }
        }
        func waitFor(_ text: String) async throws -> Bool {
            for _ in 0..<500 where !collected.get().contains(text) {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            return collected.get().contains(text)
        }
        #expect(try await waitFor("world\n"), "\(collected.get())")
        try await logs.streams.write("default", "one", "app", "appended\n")
        #expect(try await waitFor("appended\n"), "\(collected.get())")
        #expect(follower.isRunning)
        await logs.streams.stop("default", "one", "app")
        for _ in 0..<250 where follower.isRunning { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(!follower.isRunning, "kubectl logs -f did not end with the container")
        if follower.isRunning { follower.terminate() }
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)
        #expect(collected.get() == "hello\noops\nworld\nappended\n")
        await logs.cluster.stop()
    }
}

/// The Python client's `read_namespaced_pod_log`.
@Suite(.enabled(if: (try? runCommandBlocking("/usr/bin/env", ["python3", "-c", "import kubernetes"]).status) == 0, "python kubernetes client not installed"))
struct PythonPodLogTests {
    @Test func readNamespacedPodLog() async throws {
        let logs = try await LogCluster.start()
        defer { logs.cluster.remove() }
        let script = """
        import sys
        from kubernetes import client, config
        config.load_kube_config(config_file=sys.argv[1])
        v1 = client.CoreV1Api()
        assert v1.read_namespaced_pod_log("one", "default") == "hello\\noops\\nworld\\n"
        assert v1.read_namespaced_pod_log("one", "default", container="app", tail_lines=1, timestamps=True).endswith("Z world\\n")
        assert v1.read_namespaced_pod_log("two", "default", container="b") == "from b\\n"
        try:
            v1.read_namespaced_pod_log("two", "default")
            raise SystemExit("expected 400")
        except client.exceptions.ApiException as e:
            assert e.status == 400 and "choose one of: [a b]" in e.body, e.body
        print("ok")
        """
        let result = try await runCommand("/usr/bin/env", ["python3", "-c", script, logs.cluster.kubeconfigPath], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"))
        await logs.cluster.stop()
    }
}

/// The inotify instances of this process that watch `directory` (one per log follower).
func inotifyWatchCount(_ directory: String) -> Int {
    var st = stat()
    guard stat(directory, &st) == 0 else { return 0 }
    let inode = "ino:" + String(UInt64(st.st_ino), radix: 16) + " "
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.filter { fd in
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd))?.contains("inotify") == true,
              let info = try? String(contentsOfFile: "/proc/self/fdinfo/" + fd, encoding: .utf8) else { return false }
        return info.contains(inode)
    }.count
}

@Suite(.serialized, .enabled(if: kubectlDirectory != nil, "kubectl not installed"))
struct KubectlLogsDisconnectTests {
    /// A follower whose client goes away releases its inotify watch and thread.
    @Test func clientGoingAwayEndsTheFollower() async throws {
        let logs = try await LogCluster.start()
        defer { logs.cluster.remove() }
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: kubectlDirectory! + "/kubectl.1.33")
        follower.arguments = ["--kubeconfig", logs.cluster.kubeconfigPath, "logs", "-f", "one"]
        follower.standardOutput = FileHandle.nullDevice
        follower.standardError = FileHandle.nullDevice
        let directory = logs.streams.layout.containerDirectory(namespace: "default", pod: "one", uid: "uid", container: "app")
        #expect(inotifyWatchCount(directory) == 0)
        try follower.run()
        for _ in 0..<500 where inotifyWatchCount(directory) == 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(inotifyWatchCount(directory) == 1, "the follower watches the log")
        follower.terminate()
        follower.waitUntilExit()
        var after = inotifyWatchCount(directory)
        for _ in 0..<100 where after > 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            after = inotifyWatchCount(directory)
        }
        #expect(after == 0, "the follower's watch outlived its client")
        await logs.cluster.stop()
    }
}

/// `HTTPKubeClient.logs`, the call behind `minikube-swift logs`.
@Suite(.serialized) struct HTTPClientLogsTests {
    @Test func readsAndFollows() async throws {
        let logs = try await LogCluster.start()
        defer { logs.cluster.remove() }
        let client = try logs.cluster.client()
        func collect(_ stream: AsyncThrowingStream<[UInt8], any Error>) async throws -> String {
            var out: [UInt8] = []
            for try await chunk in stream { out += chunk }
            return String(decoding: out, as: UTF8.self)
        }
        #expect(try await collect(client.logs(namespace: "default", pod: "one", container: nil)) == "hello\noops\nworld\n")
        #expect(try await collect(client.logs(namespace: "default", pod: "two", container: "b", options: PodLogOptions(tailLines: 1))) == "from b\n")
        await #expect(throws: KubeAPIError.notFound("pods", "nope")) {
            _ = try await client.logs(namespace: "default", pod: "nope", container: nil)
        }
        let following = try await client.logs(namespace: "default", pod: "two", container: "a", options: PodLogOptions(follow: true))
        let reader = Task { try await collect(following) }
        try await Task.sleep(nanoseconds: 200_000_000)
        try await logs.streams.write("default", "two", "a", "later\n")
        await logs.streams.stop("default", "two", "a")
        #expect(try await reader.value == "from a\nlater\n")
        try await client.shutdown()
        await logs.cluster.stop()
    }
}
