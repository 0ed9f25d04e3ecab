import Controllers
import Foundation
import ImageStore
import KubeClient
import KubeModel
import Logging

/// The node agent's settings (the real kubelet's flags of the same names).
public struct KubeletConfiguration: Sendable {
    public var nodeName: String
    /// The data dir: `pods/<uid>` (volumes, /etc files), `logs/`, `containers/`, `network/`.
    public var dataDirectory: String
    public var network: PodNetworkConfiguration
    public var clusterDNS: String
    public var clusterDomain: String
    public var maxPods: Int
    /// How often the Node's status is written (the Lease is renewed as often).
    public var nodeStatusUpdateFrequency: Duration
    public var nodeLeaseDurationSeconds: Int32
    /// The node's address (`status.hostIP`); nil finds the first global IPv4 address.
    public var hostIP: String?
    /// Pod workers (each pod is synced by one worker at a time).
    public var workers: Int
    /// `/etc/resolv.conf` of the node, for pods with `dnsPolicy: Default`.
    public var hostResolvConfPath: String

    public init(nodeName: String, dataDirectory: String, network: PodNetworkConfiguration? = nil,
                clusterDNS: String = "10.96.0.10", clusterDomain: String = "cluster.local", maxPods: Int = 110,
                nodeStatusUpdateFrequency: Duration = .seconds(10), nodeLeaseDurationSeconds: Int32 = 40,
                hostIP: String? = nil, workers: Int = 16, hostResolvConfPath: String = "/etc/resolv.conf") {
        self.nodeName = nodeName
        self.dataDirectory = dataDirectory
        self.network = network ?? PodNetworkConfiguration(dataDir: dataDirectory)
        self.clusterDNS = clusterDNS
        self.clusterDomain = clusterDomain
        self.maxPods = maxPods
        self.nodeStatusUpdateFrequency = nodeStatusUpdateFrequency
        self.nodeLeaseDurationSeconds = nodeLeaseDurationSeconds
        self.hostIP = hostIP
        self.workers = workers
        self.hostResolvConfPath = hostResolvConfPath
    }
}

/// The node agent: registers the Node and keeps its Lease, watches the pods bound to it and
/// drives each one to its spec with the runtime (network, volumes, containers, restarts,
/// graceful deletion), reporting status as it changes. Sees the cluster only through
/// `KubeClient`.
public actor Kubelet {
    public nonisolated let configuration: KubeletConfiguration
    public nonisolated let client: any KubeClient
    public nonisolated let runtime: ContainerRuntime
    public nonisolated let network: PodNetwork
    public nonisolated let images: ImageStore
    nonisolated let events: EventRecorder
    nonisolated let queue = WorkQueue<String>(backoff: .init(base: .milliseconds(200), max: .seconds(30)))
    nonisolated let logger: Logger
    nonisolated let hostIP: String

    /// The latest version of every pod bound to this node, by `namespace/name`.
    var pods: [String: Pod] = [:]
    /// What runs for each pod, by `namespace/name`.
    var states: [String: PodRuntimeState] = [:]
    /// Set on `shutDown`: no new containers start.
    var stopping = false

    /// `containerID` values read `minikube-swift://<id>`, as containerd's read `containerd://…`.
    public static let containerIDPrefix = "minikube-swift://"

    public init(configuration: KubeletConfiguration, client: any KubeClient, runtime: ContainerRuntime? = nil,
                network: PodNetwork? = nil, images: ImageStore? = nil, logger: Logger = Logger(label: "minikube-swift.kubelet")) throws {
        self.configuration = configuration
        self.client = client
        self.runtime = runtime ?? ContainerRuntime(dataDir: configuration.dataDirectory)
        self.network = try network ?? PodNetwork(configuration: configuration.network)
        self.images = try images ?? ImageStore(root: configuration.dataDirectory + "/images")
        self.events = EventRecorder(client: client, component: "kubelet", host: configuration.nodeName)
        self.logger = logger
        self.hostIP = configuration.hostIP ?? NodeAddresses.primaryIPv4() ?? "127.0.0.1"
    }

    /// Registers the node, then runs the heartbeat, the pod watch and the pod workers until
    /// the task is cancelled. Pods keep running after it returns: `shutDown()` stops them.
    public func run() async throws {
        try await network.prepareNode()
        await adoptContainers()
        try await registerNode()
        let pods = try Pod.resource
        let watcher = ResourceWatcher(client: client, resource: pods, fieldSelector: "spec.nodeName=\(configuration.nodeName)")
        let controller = Controller(name: "kubelet", queue: queue, logger: logger) { [weak self] key in
            try await self?.sync(key)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.heartbeat() }
            group.addTask {
                await watcher.run { [weak self] event in await self?.observe(event) }
            }
            group.addTask { await controller.run(workers: self.configuration.workers) }
            group.addTask { await self.collectOrphansWhenListed() }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                Task { await self.queue.shutDown() }
            }
        }
    }

    /// Stops every pod (SIGTERM, grace period, SIGKILL), removes their containers, volumes
    /// and networks, then the node's bridge and routes. PV and hostPath data stay.
    public func shutDown(gracePeriod: Duration = .seconds(10)) async {
        stopping = true
        await queue.shutDown()
        let keys = Array(states.keys)
        await withTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask { await self.killPod(key, gracePeriod: gracePeriod, reason: "Stopping") }
            }
        }
        for id in await runtime.ids { try? await runtime.remove(id) }
        await runtime.removeCgroupParent()
        do { try await network.cleanUpNode() } catch { logger.warning("clean up the node network: \(error)") }
    }

    // MARK: - Watch

    func observe(_ event: KubeWatchEvent) async {
        guard event.type != .bookmark, event.type != .error, let pod = try? event.object.decode(Pod.self) else { return }
        let key = pod.key
        if event.type == .deleted {
            pods[key] = nil
        } else {
            pods[key] = pod
        }
        await queue.add(key)
    }

    /// Once the API answers: pod networks and containers of pods this node no longer has (a
    /// crash or `kill -9` of an earlier run) are removed. Decided from a list of its own, not
    /// from the watch, which delivers its first list one pod at a time.
    func collectOrphansWhenListed() async {
        var listed: [Pod]?
        while listed == nil {
            if Task.isCancelled { return }
            listed = try? await client.list(Pod.self, fieldSelector: "spec.nodeName=\(configuration.nodeName)")
            if listed == nil { try? await Task.sleep(for: .milliseconds(200)) }
        }
        let pods = listed ?? []
        let live = Set(pods.compactMap(\.metadata.uid))
        do { try await network.garbageCollect(keeping: live) } catch { logger.warning("network garbage collection: \(error)") }
        // Adopted containers of pods deleted while no kubelet ran.
        let keys = Set(pods.map(\.key))
        for (key, state) in states where !keys.contains(key) || !live.contains(state.uid) { await queue.add(key) }
    }

    /// Re-syncs a pod (a container exited, a back-off or a probe period elapsed).
    nonisolated func enqueue(_ key: String, after delay: Duration? = nil) {
        Task {
            if let delay { await queue.add(key, after: delay) } else { await queue.add(key) }
        }
    }

    func now() -> String { RFC3339.string(from: Date()) }
}
