import APIServer
import Foundation
import KubeClient
import KubeModel
import Scheduler
import Testing
@testable import Controllers

/// The seed through the real API server, controllers and scheduler, driven by the real
/// kubectl. A stand-in for the node agent (a test double: it only reports scheduled pods
/// Running and Ready) plays the kubelet's part, which the node agent issue builds.
@Suite(.serialized, .enabled(if: kubectlDirectory != nil, "kubectl.1.27/kubectl.1.33 not installed"))
struct SeedKubectlTests {
    @Test(arguments: [33, 27])
    func seedStatefulSetBindsItsClaimsInOrder(minor: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seed-kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kubeconfig = directory + "/kubeconfig"
        let server = try APIServer(configuration: .init(
            dataDirectory: directory, port: try freePort(), kubeconfigPath: kubeconfig, mergeKubeconfig: false,
            kubernetesVersion: KubernetesVersion(minor: minor)))
        let client = server.client
        let (ready, started) = AsyncStream<Void>.makeStream()
        let cluster = Task {
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run { started.yield() } }
                group.addTask { await ControllerManager.run(client: client) }
                group.addTask { await Scheduler(client: client).run() }
                group.addTask { await standInKubelet(client: client, node: "node-1") }
                try? await group.next()
                group.cancelAll()
            }
        }
        defer { cluster.cancel() }
        for await _ in ready { break }

        let kubectl = Kubectl(binary: "\(kubectlDirectory ?? "")/kubectl.1.\(minor)", kubeconfig: kubeconfig)
        let validate = minor >= 29 ? [] : ["--validate=false"]
        let seed = try TestAPI.seed(hostPathRoot: directory + "/data")
        let applied = try await kubectl.run(["apply", "-f", "-"] + validate, stdin: seed)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(!applied.stderr.contains("warning"), "\(applied.stderr)")

        let rollout = try await kubectl.run(["rollout", "status", "sts/web", "--timeout=60s"])
        #expect(rollout.status == 0, "\(rollout.stdout)\(rollout.stderr)")

        let pods = try await kubectl.run(["get", "pods"]).stdout
        for name in ["web-0", "web-1", "web-2"] { #expect(pods.contains(name), "\(pods)") }
        let sts = try await kubectl.run(["get", "statefulset"]).stdout
        #expect(sts.contains("web    3/3"), "\(sts)")
        let pvc = try await kubectl.run(["get", "pvc"]).stdout
        for ordinal in 0..<3 {
            #expect(pvc.range(of: "www-web-\(ordinal) +Bound +datadir[1-4] +5Gi +RWO +local-class", options: .regularExpression) != nil, "\(pvc)")
        }
        let pv = try await kubectl.run(["get", "pv"]).stdout
        #expect(pv.components(separatedBy: "\n").filter { $0.contains("Bound") && $0.contains("default/www-web-") }.count == 3, "\(pv)")
        #expect(pv.range(of: "datadir[1-4] +5Gi +RWO +Retain +Available", options: .regularExpression) != nil, "\(pv)")

        // Pods were created in order: web-0 first, web-2 last.
        let created = try await client.list(Pod.self, namespace: "default").sorted { $0.name < $1.name }
            .compactMap { $0.metadata.creationTimestamp.flatMap(RFC3339.date(from:)) }
        #expect(created == created.sorted())

        let describe = try await kubectl.run(["describe", "sts", "web"]).stdout
        #expect(describe.contains("create Pod web-2 in StatefulSet web successful"), "\(describe)")
        #expect(describe.contains("create Claim www-web-0 Pod web-0 in StatefulSet web success"), "\(describe)")

        // Scale to 5: only four volumes exist, so web-4's claim stays Pending.
        #expect(try await kubectl.run(["scale", "sts", "web", "--replicas=5"]).status == 0)
        try await waitFor { try await kubectl.run(["get", "pods", "web-3"]).stdout.contains("Running") }
        try await waitFor { try await kubectl.run(["get", "pods", "web-4"]).stdout.contains("Pending") }
        let describePod = try await kubectl.run(["describe", "pod", "web-4"]).stdout
        #expect(describePod.contains("didn't find available persistent volumes to bind"), "\(describePod)")

        // Back to 2: web-4, web-3 and web-2 go, their claims stay.
        #expect(try await kubectl.run(["scale", "sts", "web", "--replicas=2"]).status == 0)
        try await waitFor { try await kubectl.run(["get", "pods", "-o", "name"]).stdout == "pod/web-0\npod/web-1\n" }
        #expect(try await kubectl.run(["get", "pvc", "-o", "name"]).stdout.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 5)

        // Deleting the set deletes its pods, never its claims.
        #expect(try await kubectl.run(["delete", "sts", "web"]).status == 0)
        try await waitFor { try await kubectl.run(["get", "pods", "-o", "name"]).stdout.isEmpty }
        #expect(try await kubectl.run(["get", "pvc", "www-web-0"]).stdout.contains("Bound"))
    }
}

/// Reports every pod bound to `node` Running and Ready, with an IP — what the node agent does
/// once its containers run. A test double only: no container is started.
func standInKubelet(client: any KubeClient, node: String) async {
    let nodeObject: JSONValue = [
        "apiVersion": "v1", "kind": "Node",
        "metadata": ["name": .string(node), "labels": ["kubernetes.io/hostname": .string(node)]],
    ]
    _ = try? await client.create(Node.resource, namespace: nil, nodeObject)
    _ = try? await client.mergePatch(Node.self, name: node, ["status": [
        "allocatable": ["cpu": "2", "memory": "8Gi", "pods": "110"],
        "conditions": [["type": "Ready", "status": "True"]],
    ]], subresource: "status")
    guard let pods = try? Pod.resource else { return }
    let addresses = Counter()
    await ResourceWatcher(client: client, resource: pods, fieldSelector: "spec.nodeName=\(node)").run { event in
        guard event.type != .deleted, let pod = try? event.object.decode(Pod.self) else { return }
        if pod.metadata.deletionTimestamp != nil {
            try? await client.delete(Pod.self, namespace: pod.metadata.namespace, name: pod.name,
                                     options: DeleteOptions(gracePeriodSeconds: 0))
            return
        }
        guard pod.status?.phase == "Pending" else { return }
        let host = await addresses.increment() + 1
        _ = try? await client.mergePatch(Pod.self, namespace: pod.metadata.namespace, name: pod.name, ["status": [
            "phase": "Running", "podIP": .string("10.244.0.\(host)"),
            "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(RFC3339.now())]],
        ]], subresource: "status")
    }
}

let kubectlDirectory: String? = {
    guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/usr/bin/kubectl") else { return nil }
    let directory = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: "/usr/bin")).deletingLastPathComponent().path
    return FileManager.default.fileExists(atPath: directory + "/kubectl.1.33") ? directory : nil
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

struct Kubectl {
    var binary: String
    var kubeconfig: String

    func run(_ arguments: [String], stdin: String? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--kubeconfig", kubeconfig] + arguments
        let out = Pipe(), input = Pipe()
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString).err").path
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        // Blocking reads and waits stay off Swift's cooperative pool (two threads on this
        // machine), which the server in this process needs to answer kubectl.
        let (o, e) = await withCheckedContinuation { (continuation: CheckedContinuation<(Data, Data), Never>) in
            DispatchQueue.global().async {
                if let stdin {
                    input.fileHandleForWriting.write(Data(stdin.utf8))
                    try? input.fileHandleForWriting.close()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let errData = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
                continuation.resume(returning: (outData, errData))
            }
        }
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// Polls `condition` for up to 30 seconds.
func waitFor(_ condition: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<300 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("condition not met in 30 s", sourceLocation: sourceLocation)
}

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
