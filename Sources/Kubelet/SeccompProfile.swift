import CNamespaces
import Glibc

/// A seccomp profile as Kubernetes names them (`securityContext.seccompProfile.type`).
///
/// `runtimeDefault` is a deny list in the spirit of containerd's default profile: everything a
/// container could use to leave its namespaces, touch the kernel or the host's clocks and keys
/// fails with `EPERM`; `clone3` fails with `ENOSYS` so libc falls back to `clone`, whose
/// namespace flags the filter can inspect.
public enum SeccompProfile: Sendable, Hashable, Codable {
    case runtimeDefault
    case unconfined

    /// A syscall the profile refuses, and the errno it returns.
    public struct Rule: Sendable, Hashable, Codable {
        public var syscall: String
        public var errno: Int32
    }

    /// Syscalls refused by `runtimeDefault` with `EPERM`.
    public static let deniedSyscalls: [String] = [
        // mounts and namespaces
        "mount", "umount", "umount2", "pivot_root", "unshare", "setns", "fsopen", "fsconfig",
        "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        // kernel and modules
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "create_module", "get_kernel_syms", "query_module", "reboot", "swapon", "swapoff",
        "syslog", "acct", "quotactl", "quotactl_fd", "nfsservctl", "lookup_dcookie", "_sysctl",
        "uselib", "ustat", "sysfs", "vhangup", "iopl", "ioperm",
        // tracing, bpf, perf, other processes' memory
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "bpf", "perf_event_open",
        "userfaultfd",
        // keys
        "keyctl", "add_key", "request_key",
        // handles that bypass the mount namespace
        "open_by_handle_at", "name_to_handle_at",
        // clocks
        "settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime",
        "clock_adjtime64", "adjtimex",
        // NUMA policy (needs CAP_SYS_NICE in containerd's profile)
        "mbind", "migrate_pages", "move_pages", "set_mempolicy", "get_mempolicy",
        // io_uring bypasses seccomp for the operations it performs
        "io_uring_setup", "io_uring_enter", "io_uring_register",
    ]

    /// The rules of this profile (empty when unconfined).
    public var rules: [Rule] {
        switch self {
        case .unconfined:
            return []
        case .runtimeDefault:
            return Self.deniedSyscalls.map { Rule(syscall: $0, errno: EPERM) }
                + [Rule(syscall: "clone3", errno: ENOSYS)]
        }
    }

    /// Whether `clone` with any `CLONE_NEW*` flag is refused.
    public var deniesCloneNamespaces: Bool { self == .runtimeDefault }

    /// The compiled BPF program (`struct sock_filter[]` bytes), or nil when unconfined.
    public func compile() throws(SpawnError) -> [UInt8]? {
        if self == .unconfined { return nil }
        let rules = self.rules
        var names = rules.map { strdup($0.syscall) }
        defer { names.forEach { free($0) } }
        let errnos = rules.map { Int32($0.errno) }
        var filter: UnsafeMutableRawPointer?
        var length = 0
        let rc = names.withUnsafeMutableBufferPointer { namesBuffer in
            namesBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constNames in
                errnos.withUnsafeBufferPointer { errnoBuffer in
                    cn_seccomp_build(constNames.baseAddress, errnoBuffer.baseAddress, rules.count,
                                     deniesCloneNamespaces ? 1 : 0, &filter, &length)
                }
            }
        }
        guard rc == 0, let filter else { throw SpawnError(step: "seccomp_export_bpf", errno: -rc) }
        defer { free(filter) }
        return Array(UnsafeRawBufferPointer(start: filter, count: length * 8))
    }

    /// `runtimeDefault` compiled once per process.
    static let runtimeDefaultProgram: Result<[UInt8], SpawnError> = {
        do throws(SpawnError) {
            return .success(try SeccompProfile.runtimeDefault.compile() ?? [])
        } catch {
            return .failure(error)
        }
    }()
}
