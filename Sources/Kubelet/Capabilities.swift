/// A Linux capability, by its kernel number (`CAP_CHOWN` = 0 … `CAP_CHECKPOINT_RESTORE` = 40).
public enum Capability: Int, CaseIterable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case chown = 0, dacOverride, dacReadSearch, fowner, fsetid, kill, setgid, setuid, setpcap,
        linuxImmutable, netBindService, netBroadcast, netAdmin, netRaw, ipcLock, ipcOwner,
        sysModule, sysRawio, sysChroot, sysPtrace, sysPacct, sysAdmin, sysBoot, sysNice,
        sysResource, sysTime, sysTtyConfig, mknod, lease, auditWrite, auditControl, setfcap,
        macOverride, macAdmin, syslog, wakeAlarm, blockSuspend, auditRead, perfmon, bpf,
        checkpointRestore

    /// The kernel's name without the prefix, as Kubernetes writes it in `securityContext`
    /// (`NET_BIND_SERVICE`).
    public var name: String {
        switch self {
        case .chown: "CHOWN"
        case .dacOverride: "DAC_OVERRIDE"
        case .dacReadSearch: "DAC_READ_SEARCH"
        case .fowner: "FOWNER"
        case .fsetid: "FSETID"
        case .kill: "KILL"
        case .setgid: "SETGID"
        case .setuid: "SETUID"
        case .setpcap: "SETPCAP"
        case .linuxImmutable: "LINUX_IMMUTABLE"
        case .netBindService: "NET_BIND_SERVICE"
        case .netBroadcast: "NET_BROADCAST"
        case .netAdmin: "NET_ADMIN"
        case .netRaw: "NET_RAW"
        case .ipcLock: "IPC_LOCK"
        case .ipcOwner: "IPC_OWNER"
        case .sysModule: "SYS_MODULE"
        case .sysRawio: "SYS_RAWIO"
        case .sysChroot: "SYS_CHROOT"
        case .sysPtrace: "SYS_PTRACE"
        case .sysPacct: "SYS_PACCT"
        case .sysAdmin: "SYS_ADMIN"
        case .sysBoot: "SYS_BOOT"
        case .sysNice: "SYS_NICE"
        case .sysResource: "SYS_RESOURCE"
        case .sysTime: "SYS_TIME"
        case .sysTtyConfig: "SYS_TTY_CONFIG"
        case .mknod: "MKNOD"
        case .lease: "LEASE"
        case .auditWrite: "AUDIT_WRITE"
        case .auditControl: "AUDIT_CONTROL"
        case .setfcap: "SETFCAP"
        case .macOverride: "MAC_OVERRIDE"
        case .macAdmin: "MAC_ADMIN"
        case .syslog: "SYSLOG"
        case .wakeAlarm: "WAKE_ALARM"
        case .blockSuspend: "BLOCK_SUSPEND"
        case .auditRead: "AUDIT_READ"
        case .perfmon: "PERFMON"
        case .bpf: "BPF"
        case .checkpointRestore: "CHECKPOINT_RESTORE"
        }
    }

    public var description: String { "CAP_" + name }

    /// Parses `NET_ADMIN`, `CAP_NET_ADMIN` or `net_admin`.
    public init?(name: String) {
        var n = name.uppercased()
        if n.hasPrefix("CAP_") { n.removeFirst(4) }
        guard let cap = Capability.allCases.first(where: { $0.name == n }) else { return nil }
        self = cap
    }

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rawValue < rhs.rawValue }

    /// containerd's and Docker's default set (`oci.WithDefaultCapabilities`): what a container
    /// gets unless its `securityContext` adds or drops capabilities.
    public static let defaultSet: Set<Capability> = [
        .chown, .dacOverride, .fsetid, .fowner, .mknod, .netRaw, .setgid, .setuid, .setfcap,
        .setpcap, .netBindService, .sysChroot, .kill, .auditWrite,
    ]

    /// The kernel's bit mask of a set (as in `/proc/self/status` `CapEff`).
    public static func mask(_ set: Set<Capability>) -> UInt64 {
        set.reduce(0) { $0 | (1 << UInt64($1.rawValue)) }
    }

    /// The set a Kubernetes `securityContext.capabilities` asks for, combined as containerd does:
    /// the default set; `ALL` in `add` gives every capability, `ALL` in `drop` removes all; then
    /// the named `add`s are added and the named `drop`s removed.
    public static func effectiveSet(add: [String] = [], drop: [String] = []) -> Set<Capability> {
        var set = defaultSet
        if add.contains(where: { $0.uppercased() == "ALL" }) { set = Set(allCases) }
        if drop.contains(where: { $0.uppercased() == "ALL" }) { set = [] }
        set.formUnion(add.compactMap(Capability.init(name:)))
        set.subtract(drop.compactMap(Capability.init(name:)))
        return set
    }
}
