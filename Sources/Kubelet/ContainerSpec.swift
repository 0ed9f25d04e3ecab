/// Everything the runtime needs to run one container: the value a kubelet builds from a Pod's
/// container, its image and its volumes (see `ContainerSpec+Kubernetes.swift`).
public struct ContainerSpec: Sendable, Equatable, Codable {
    /// Unique per runtime; names the container's directory and cgroup.
    public var id: String
    public var rootfs: RootFilesystem
    public var process: Process
    /// The UTS hostname (`web-0`); nil keeps the host's (only with `namespaces` lacking uts).
    public var hostname: String?
    public var network: Network = .none
    public var mounts: [Mount] = []
    public var resources: ResourceLimits?
    public var security: Security = .init()
    public var maskedPaths: [String] = ContainerSpec.defaultMaskedPaths
    public var readonlyPaths: [String] = ContainerSpec.defaultReadonlyPaths
    public var stdio: Stdio = .logFile
    /// Where the CRI log goes when `stdio` is `.logFile` (default `<container dir>/container.log`).
    public var logPath: String?
    /// The caller's own facts about the container (the kubelet's pod, container name, restart
    /// count), stored with it and given back when a later runtime adopts it.
    public var annotations: [String: String] = [:]

    public init(id: String, rootfs: RootFilesystem, process: Process, hostname: String? = nil) {
        self.id = id
        self.rootfs = rootfs
        self.process = process
        self.hostname = hostname
    }

    /// The container's root filesystem.
    public enum RootFilesystem: Sendable, Equatable, Codable {
        /// Use this directory as it is (writes reach it), like an OCI bundle's `rootfs`.
        case directory(String)
        /// An overlay of these read-only layers, LOWEST FIRST (an image's `layerPaths`), with a
        /// per-container upper dir: writes never reach the layers.
        case overlay(layers: [String])
    }

    /// The process: argv, environment, working directory, user.
    public struct Process: Sendable, Equatable, Codable {
        public var args: [String]
        /// `K=V` entries.
        public var env: [String]
        public var cwd: String
        public var user: User

        public init(args: [String], env: [String] = [], cwd: String = "/", user: User = .root) {
            self.args = args
            self.env = env
            self.cwd = cwd
            self.user = user
        }
    }

    /// Numeric identity of the process.
    public struct User: Sendable, Equatable, Codable {
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]

        public init(uid: UInt32, gid: UInt32, additionalGids: [UInt32] = []) {
            self.uid = uid
            self.gid = gid
            self.additionalGids = additionalGids
        }

        public static let root = User(uid: 0, gid: 0)
    }

    /// The network namespace.
    public enum Network: Sendable, Equatable, Codable {
        /// A new namespace with only `lo` (up).
        case none
        /// Join the namespace at this path (`/run/netns/<pod>`), like a pod's sandbox.
        case join(path: String)
        /// Stay in the host's network namespace.
        case host
    }

    /// A bind mount of a host path into the container.
    public struct Mount: Sendable, Equatable, Codable {
        public var source: String
        /// Absolute path inside the container.
        public var destination: String
        public var readOnly: Bool

        public init(source: String, destination: String, readOnly: Bool = false) {
            self.source = source
            self.destination = destination
            self.readOnly = readOnly
        }
    }

    /// Privilege settings, from the container's `securityContext`.
    public struct Security: Sendable, Equatable, Codable {
        public var capabilities: Set<Capability> = Capability.defaultSet
        /// `allowPrivilegeEscalation: false` sets it; the runtime sets it by default as Docker does.
        public var noNewPrivileges = true
        public var seccomp: SeccompProfile = .runtimeDefault
        public var readOnlyRootFilesystem = false

        public init() {}
    }

    /// Where stdout and stderr go.
    public enum Stdio: Sendable, Equatable, Codable {
        /// The runtime's own stdin/stdout/stderr (the `runtime run` CLI).
        case inherit
        /// A CRI-format log file; stdin is /dev/null.
        case logFile
    }

    /// runc's and containerd's masked paths: read as empty files or empty directories.
    public static let defaultMaskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// runc's and containerd's read-only paths.
    public static let defaultReadonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]
}

/// Resource limits, enforced through cgroups.
public struct ResourceLimits: Sendable, Equatable, Codable {
    /// `resources.limits.memory` in bytes.
    public var memoryBytes: Int64?
    /// `resources.limits.cpu` in millicores (CFS quota).
    public var cpuLimitMillis: Int64?
    /// `resources.requests.cpu` in millicores (shares / weight).
    public var cpuRequestMillis: Int64?
    /// Maximum number of tasks.
    public var pids: Int64?

    public init(memoryBytes: Int64? = nil, cpuLimitMillis: Int64? = nil,
                cpuRequestMillis: Int64? = nil, pids: Int64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuLimitMillis = cpuLimitMillis
        self.cpuRequestMillis = cpuRequestMillis
        self.pids = pids
    }
}
