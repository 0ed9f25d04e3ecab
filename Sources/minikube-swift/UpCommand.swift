import APIServer
import ClusterDNS
import ArgumentParser
import Controllers
import Foundation
import KubeClient
import KubeModel
import Kubelet
import Logging
import Scheduler
import ServiceProxy

/// `minikube-swift up`: starts the cluster (API server, controllers, scheduler, node agent)
/// and writes the kubeconfig.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the cluster: API server on 127.0.0.1, controllers, scheduler and the node; kubeconfig merged into ~/.kube/config.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Run in this process instead of in the background.")
    var foreground = false

    @Option(help: "The API server's port.")
    var port: Int = 6443

    @Option(help: "The kubeconfig to merge the cluster into (default: $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: .hidden)
    var kubernetesMinor: Int = 33

    @Option(help: "The node's name (default: this host's name).")
    var nodeName: String?

    @Option(help: "OCI image layouts to load when the store lacks them (the built-in images).")
    var images: [String] = []

    @Option(name: .customLong("dns-upstream"),
            help: "A resolver for names outside cluster.local: address[:port], repeatable; 'none' answers them NXDOMAIN (default: the nameservers in /etc/resolv.conf).")
    var dnsUpstreams: [String] = []

    @Option(name: .customLong("nodeport-address"),
            help: "An IPv4 address of this machine where NodePort Services answer (repeatable; default: none, NodePorts are allocated but not served).")
    var nodePortAddresses: [String] = []

    @Flag(help: .hidden)
    var node = false

    /// Bad `--dns-upstream` / `--nodeport-address` values fail before anything starts.
    func validate() throws {
        _ = try upstreams()
        _ = try nodePortIPs()
    }

    func run() async throws {
        try Prerequisites.check()
        try FileManager.default.createDirectory(atPath: global.dataDir, withIntermediateDirectories: true)
        if !foreground {
            try await startInBackground()
        } else if node {
            try await runNode()
        } else {
            try runSupervisor()
        }
    }

    /// The arguments that start this cluster again (without `--foreground` / `--node`).
    func clusterArguments(images: Bool = true) -> [String] {
        var arguments = ["--data-dir", global.dataDir, "--port", String(port), "--kubernetes-minor", String(kubernetesMinor)]
        if let kubeconfig { arguments += ["--kubeconfig", kubeconfig] }
        if let nodeName { arguments += ["--node-name", nodeName] }
        for upstream in dnsUpstreams { arguments += ["--dns-upstream", upstream] }
        for address in nodePortAddresses { arguments += ["--nodeport-address", address] }
        if images { for layout in self.images { arguments += ["--images", layout] } }
        return arguments
    }

    /// The supervisor (`NodeSupervisor`): writes the pid file, runs the node process and starts it
    /// again when it dies, until SIGTERM/SIGINT.
    func runSupervisor() throws {
        let pidPath = PIDFile.path(dataDir: global.dataDir)
        if let pid = PIDFile.runningPID(dataDir: global.dataDir), pid != getpid() {
            throw ValidationError("minikube-swift is already running (pid \(pid), \(pidPath))")
        }
        try "\(getpid())\n".write(toFile: pidPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pidPath) }
        try ImageLoading.loadMissing(images, dataDir: global.dataDir)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let supervisor = NodeSupervisor(configuration: .init(
            socketPath: global.dataDir + "/supervisor.sock", exitsDirectory: global.dataDir + "/exits",
            nodeArguments: [executable, "up", "--foreground", "--node"] + clusterArguments(images: false),
            nodePIDPath: PIDFile.nodePath(dataDir: global.dataDir)))
        let status = try supervisor.run { message in
            FileHandle.standardError.write(Data("minikube-swift: \(message)\n".utf8))
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// The node process: API server, controllers, scheduler and kubelet.
    func runNode() async throws {
        let server = try APIServer(configuration: .init(
            dataDirectory: global.dataDir, port: port, kubeconfigPath: kubeconfig,
            kubernetesVersion: KubernetesVersion(minor: kubernetesMinor)))
        let client = server.client
        var supervisor: SupervisorConnection?
        if let socket = ProcessInfo.processInfo.environment[NodeSupervisor.socketEnvironment] {
            do {
                supervisor = try SupervisorConnection(path: socket)
            } catch {
                print("minikube-swift: no supervisor at \(socket) (\(error)); containers will not outlive this process")
            }
        }
        let runtime = ContainerRuntime(dataDir: global.dataDir, supervisor: supervisor)
        let kubelet = try Kubelet(configuration: KubeletConfiguration(nodeName: resolvedNodeName, dataDirectory: global.dataDir),
                                  client: client, runtime: runtime)
        server.attach(kubelet)
        let proxy = ServiceProxy(configuration: ServiceProxyConfiguration(network: kubelet.network.configuration,
                                                                          nodePortAddresses: try nodePortIPs()),
                                 client: client)
        let serving = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await server.run {
                        print("minikube-swift: API server listening on \(server.serverURL); kubeconfig \(global.dataDir)/kubeconfig")
                    }
                }
                group.addTask { await ControllerManager.run(client: client) }
                group.addTask { await Scheduler(client: client).run() }
                group.addTask { try await kubelet.run() }
                group.addTask { await proxy.run() }
                // Cluster DNS on kube-dns's address, which the node network puts on the bridge.
                let clusterDNS = kubelet.network.configuration.clusterDNS
                let upstreams = try upstreams(excluding: Set([clusterDNS?.description].compactMap { $0 }))
                let dns = ClusterDNSServer(client: client, upstreams: upstreams)
                print("minikube-swift: names outside cluster.local go to "
                      + (upstreams.isEmpty ? "no upstream (NXDOMAIN)" : upstreams.map(\.description).joined(separator: ", ")))
                group.addTask { await dns.watch() }
                if let address = clusterDNS {
                    group.addTask { try await dns.serve(host: address.description) }
                }
                // The first part to stop (or fail) stops the others.
                try await group.next()
                group.cancelAll()
            }
        }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { serving.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        var failure: (any Error)?
        do {
            try await serving.value
        } catch is CancellationError {
        } catch {
            failure = error
        }
        if let failure, supervisor != nil {
            // A failure is not a stop: the pods keep running for the supervisor's next node process.
            print("minikube-swift: node process failed: \(failure)")
            throw failure
        }
        print("minikube-swift: stopping pods and the node network")
        await kubelet.shutDown()
        await proxy.cleanUp()
        print("minikube-swift: stopped")
        if let failure { throw failure }
    }

    /// `--dns-upstream`: none with `none`, else the given ones, else the node's resolv.conf
    /// nameservers (without `excluding`, kube-dns's own address: that would loop).
    func upstreams(excluding: Set<String> = []) throws -> [DNSUpstream] {
        if dnsUpstreams.contains("none") { return [] }
        if dnsUpstreams.isEmpty {
            let conf = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
            return DNSUpstream.fromResolvConf(conf, excluding: excluding)
        }
        return try dnsUpstreams.map { text in
            guard let upstream = DNSUpstream(text) else {
                throw ValidationError("--dns-upstream \(text): not an IP address with an optional port (1.1.1.1, 127.0.0.1:5353, [::1]:53) or 'none'")
            }
            return upstream
        }
    }

    /// `--nodeport-address`, each an IPv4 address off loopback.
    func nodePortIPs() throws -> [IPv4Address] {
        try nodePortAddresses.map { text in
            guard let address = IPv4Address(text) else {
                throw ValidationError("--nodeport-address \(text): not an IPv4 address")
            }
            guard address.octets[0] != 127 else {
                throw ValidationError("--nodeport-address \(text): NodePorts on loopback are not supported (they need route_localnet, which would open the node's localhost to pods); use an address of this machine, or the Service's ClusterIP, which the node reaches")
            }
            return address
        }
    }

    /// `--node-name`, else the host's name in lower case.
    var resolvedNodeName: String {
        if let nodeName, !nodeName.isEmpty { return nodeName }
        let host = ProcessInfo.processInfo.hostName.lowercased().split(separator: ".").first.map(String.init) ?? ""
        return host.isEmpty ? "minikube-swift" : host
    }

    /// Re-runs this command with `--foreground` in a new session, logging to
    /// `<data-dir>/minikube-swift.log`, and waits until it is ready.
    func startInBackground() async throws {
        if let pid = PIDFile.runningPID(dataDir: global.dataDir) {
            print("minikube-swift is already running (pid \(pid))")
            return
        }
        let logPath = global.dataDir + "/minikube-swift.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw ValidationError("open(\(logPath)) failed") }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0].hasPrefix("/")
            ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0])
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            process.executableURL = URL(fileURLWithPath: resolved)
        }
        process.arguments = ["up", "--foreground"] + clusterArguments()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            if !process.isRunning {
                let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw ValidationError("minikube-swift up exited early; see \(logPath)\n\(tail)")
            }
            if PIDFile.runningPID(dataDir: global.dataDir) != nil, Self.portOpen(port), await Self.nodeReady(dataDir: global.dataDir, node: resolvedNodeName) {
                print("minikube-swift: running (pid \(process.processIdentifier)), node \(resolvedNodeName) Ready; log \(logPath)")
                print("kubeconfig: \(global.dataDir)/kubeconfig (merged into \(kubeconfig ?? "~/.kube/config"), context minikube-swift)")
                print("""

                    Next:
                      kubectl get nodes,pods -A
                      hack/demo-seed.sh              # the seed's StatefulSet demo
                      minikube-swift status --data-dir \(global.dataDir)
                      minikube-swift down --data-dir \(global.dataDir)   # stop (the store and PV data stay)
                    """)
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("minikube-swift up did not become ready in 30 s; see \(logPath)")
    }

    /// The node's Ready condition is True (read straight from the store's API over HTTPS).
    static func nodeReady(dataDir: String, node: String) async -> Bool {
        guard let client = try? HTTPKubeClient(kubeconfigPath: dataDir + "/kubeconfig") else { return false }
        let node = try? await client.getIfExists(Node.self, name: node)
        try? await client.shutdown()
        return node?.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    static func portOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// `<data-dir>/minikube-swift.pid`: the PID of the running `up` (its supervisor);
/// `<data-dir>/minikube-swift-node.pid`: the node process it runs.
enum PIDFile {
    static func path(dataDir: String) -> String { dataDir + "/minikube-swift.pid" }
    static func nodePath(dataDir: String) -> String { dataDir + "/minikube-swift-node.pid" }

    /// The supervisor's PID when it is alive, else the node process's (a supervisor killed
    /// with `kill -9` leaves its node process running).
    static func runningPID(dataDir: String) -> pid_t? {
        alive(path(dataDir: dataDir)) ?? alive(nodePath(dataDir: dataDir))
    }

    private static func alive(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }
}
