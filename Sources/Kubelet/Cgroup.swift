import CNamespaces
import Glibc

/// How this machine's cgroups are mounted.
public struct CgroupLayout: Sendable, Equatable {
    public enum Version: Sendable, Equatable {
        /// v1 controllers, each at `<root>/<controller>` (plus, on hybrid hosts, the v2
        /// `unified` hierarchy used for `cgroup.kill` and `cgroup.events`).
        case v1(unified: String?)
        /// One v2 hierarchy at `<root>`.
        case v2
    }

    public var root: String
    public var version: Version

    public init(root: String = "/sys/fs/cgroup", version: Version) {
        self.root = root
        self.version = version
    }

    /// Detects the layout from the filesystem types under `/sys/fs/cgroup`.
    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupLayout? {
        let cgroup2Magic: Int64 = 0x6367_7270
        let type = cn_fs_type(root)
        guard type >= 0 else { return nil }
        if type == cgroup2Magic { return CgroupLayout(root: root, version: .v2) }
        let unified: String? = cn_fs_type(root + "/unified") == cgroup2Magic ? root + "/unified" : nil
        return CgroupLayout(root: root, version: .v1(unified: unified))
    }
}

/// One container's cgroup: a directory per v1 controller (memory, cpu, pids) or one v2
/// directory, named `<parent>/<id>`.
public struct Cgroup: Sendable, Equatable {
    public var layout: CgroupLayout
    /// Relative path below each hierarchy's root, e.g. `minikube-swift/3f2a…`.
    public var path: String

    /// The v1 controllers a container joins.
    public static let v1Controllers = ["memory", "cpu", "pids"]
    /// CFS period used for CPU limits, as the kubelet does.
    public static let cpuPeriodMicros: Int64 = 100_000

    public init(layout: CgroupLayout, parent: String = "minikube-swift", id: String) {
        self.layout = layout
        self.path = parent + "/" + id
    }

    /// Every directory of this cgroup (created in this order, removed in reverse).
    public var directories: [String] {
        switch layout.version {
        case .v2:
            return [layout.root + "/" + path]
        case .v1(let unified):
            return Self.v1Controllers.map { layout.root + "/" + $0 + "/" + path }
                + (unified.map { [$0 + "/" + path] } ?? [])
        }
    }

    /// The files and values that apply `limits`, in write order.
    public func limitFiles(_ limits: ResourceLimits) -> [(path: String, value: String)] {
        var files: [(String, String)] = []
        switch layout.version {
        case .v1:
            let base = layout.root
            if let m = limits.memoryBytes {
                files.append(("\(base)/memory/\(path)/memory.limit_in_bytes", String(m)))
            }
            if let shares = Self.cpuShares(requestMillis: limits.cpuRequestMillis) {
                files.append(("\(base)/cpu/\(path)/cpu.shares", String(shares)))
            }
            if let quota = Self.cpuQuota(limitMillis: limits.cpuLimitMillis) {
                files.append(("\(base)/cpu/\(path)/cpu.cfs_period_us", String(Self.cpuPeriodMicros)))
                files.append(("\(base)/cpu/\(path)/cpu.cfs_quota_us", String(quota)))
            }
            if let p = limits.pids {
                files.append(("\(base)/pids/\(path)/pids.max", String(p)))
            }
        case .v2:
            let dir = layout.root + "/" + path
            if let m = limits.memoryBytes {
                files.append(("\(dir)/memory.max", String(m)))
                files.append(("\(dir)/memory.swap.max", "0"))
            }
            if let shares = Self.cpuShares(requestMillis: limits.cpuRequestMillis) {
                files.append(("\(dir)/cpu.weight", String(Self.cpuWeight(shares: shares))))
            }
            if let quota = Self.cpuQuota(limitMillis: limits.cpuLimitMillis) {
                files.append(("\(dir)/cpu.max", "\(quota) \(Self.cpuPeriodMicros)"))
            }
            if let p = limits.pids {
                files.append(("\(dir)/pids.max", String(p)))
            }
        }
        return files
    }

    /// The kubelet's `MilliCPUToShares`: 1024 per core, at least 2.
    public static func cpuShares(requestMillis: Int64?) -> Int64? {
        guard let m = requestMillis else { return nil }
        return max(2, m * 1024 / 1000)
    }

    /// The kubelet's `MilliCPUToQuota`: quota for the 100 ms period, at least 1 ms.
    public static func cpuQuota(limitMillis: Int64?) -> Int64? {
        guard let m = limitMillis, m > 0 else { return nil }
        return max(1000, m * cpuPeriodMicros / 1000)
    }

    /// v1 shares to a v2 weight, as runc and the kubelet convert them.
    public static func cpuWeight(shares: Int64) -> Int64 {
        1 + ((shares - 2) * 9999) / 262_142
    }

    /// Creates the directories (and, on v2, enables the controllers in the parents) and writes
    /// the limits.
    public func create(limits: ResourceLimits) throws(SpawnError) {
        if case .v2 = layout.version {
            var parent = layout.root
            for component in path.split(separator: "/").dropLast() {
                try? writeFile(parent + "/cgroup.subtree_control", "+cpu +memory +pids")
                parent += "/" + component
                if mkdir(parent, 0o755) != 0 && errno != EEXIST {
                    throw SpawnError.last("mkdir \(parent)")
                }
            }
            try? writeFile(parent + "/cgroup.subtree_control", "+cpu +memory +pids")
        }
        for dir in directories {
            try Self.mkdirAll(dir)
        }
        for file in limitFiles(limits) {
            try writeFile(file.path, file.value)
        }
    }

    /// Moves a process into every directory of the cgroup.
    public func attach(pid: pid_t) throws(SpawnError) {
        for dir in directories {
            try writeFile(dir + "/cgroup.procs", String(pid))
        }
    }

    /// Kills every process with `cgroup.kill` when the hierarchy offers it (v2, or the unified
    /// hierarchy of a hybrid host). Returns false when unsupported.
    @discardableResult
    public func kill() -> Bool {
        let file: String
        switch layout.version {
        case .v2: file = layout.root + "/" + path + "/cgroup.kill"
        case .v1(let unified?): file = unified + "/" + path + "/cgroup.kill"
        case .v1(nil): return false
        }
        return (try? writeFile(file, "1")) != nil
    }

    /// How many times the kernel's OOM killer killed a process in this cgroup.
    public func oomKillCount() -> Int {
        let text: String?
        switch layout.version {
        case .v1: text = readSmallFile(layout.root + "/memory/" + path + "/memory.oom_control")
        case .v2: text = readSmallFile(layout.root + "/" + path + "/memory.events")
        }
        guard let text else { return 0 }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "oom_kill", let n = Int(parts[1]) { return n }
        }
        return 0
    }

    /// Removes the directories; retries briefly while the last processes exit.
    public func remove() throws(SpawnError) {
        for dir in directories.reversed() {
            var attempts = 0
            while rmdir(dir) != 0 {
                let e = errno
                if e == ENOENT { break }
                attempts += 1
                if e != EBUSY || attempts > 100 { throw SpawnError(step: "rmdir \(dir)", errno: e) }
                usleep(10_000)
            }
        }
    }

    static func mkdirAll(_ path: String) throws(SpawnError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw SpawnError.last("mkdir \(current)")
            }
        }
    }
}
