import CNamespaces
import Glibc

/// A started container process.
public struct SpawnedProcess: Sendable {
    public var pid: pid_t
    /// Owned by the runtime; closed when the container is removed.
    public var pidfd: Int32
    /// clone → execve, measured in the parent (includes the `beforeExec` work).
    public var spawnNanoseconds: UInt64
}

extension SpawnedProcess {
    /// Forwards these signals, when this process receives them, to the container's PID 1 (a C
    /// handler calling `pidfd_send_signal`; no thread). For a foreground CLI like `runtime run`.
    public func forwardSignals(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]) throws(SpawnError) {
        let rc = signals.withUnsafeBufferPointer { cn_forward_signals(pidfd, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw SpawnError(step: "sigaction", errno: -rc) }
    }
}

/// Turns a spec into a `cn_spawn_config` (all C memory prepared here, in the parent) and runs
/// the clone / go / exec handshake of `CNamespaces`.
struct Spawner {
    var spec: ContainerSpec
    /// The host path the container's `/` is built on.
    var rootfsPath: String
    /// When set, the child mounts an overlay with these options on `rootfsPath` first.
    var overlayOptions: String?
    var stdin: Int32 = -1
    var stdout: Int32 = -1
    var stderr: Int32 = -1
    /// Clone the child as our sibling (CLONE_PARENT): the node supervisor reaps it.
    var siblingOfCaller = false

    /// Clones the child, calls `beforeExec` with its pid (cgroups, network), then lets it exec.
    /// On any failure the child is gone (killed and reaped) when this throws.
    func spawn(beforeExec: (pid_t) throws(SpawnError) -> Void) throws(SpawnError) -> SpawnedProcess {
        let seccomp = try seccompProgram()
        var netnsFD: Int32 = -1
        if case .join(let path) = spec.network {
            netnsFD = open(path, O_RDONLY | O_CLOEXEC)
            guard netnsFD >= 0 else { throw SpawnError.last("open netns \(path)") }
        }
        defer { if netnsFD >= 0 { close(netnsFD) } }

        let arena = CArena()
        var flags = CN_CLONE_NEWNS | CN_CLONE_NEWUTS | CN_CLONE_NEWIPC | CN_CLONE_NEWPID
        if case .none = spec.network { flags |= CN_CLONE_NEWNET }
        if siblingOfCaller { flags |= CN_CLONE_PARENT }

        var mounts: [cn_bind_mount] = []
        for m in spec.mounts {
            var st = stat()
            guard stat(m.source, &st) == 0 else { throw SpawnError.last("stat \(m.source)") }
            mounts.append(cn_bind_mount(
                source: arena.string(m.source),
                target: arena.string(Self.relative(m.destination)),
                source_is_dir: (st.st_mode & S_IFMT) == S_IFDIR ? 1 : 0,
                readonly: m.readOnly ? 1 : 0,
                recursive: 1))
        }
        var config = cn_spawn_config()
        config.clone_flags = flags
        config.netns_fd = netnsFD
        config.hostname = spec.hostname.map { arena.constString($0) }
        config.rootfs = arena.constString(rootfsPath)
        config.overlay_options = overlayOptions.map { arena.constString($0) }
        config.readonly_rootfs = spec.security.readOnlyRootFilesystem ? 1 : 0
        config.mount_proc = 1
        config.mount_dev = 1
        config.mount_sys = 1
        config.mounts = UnsafePointer(arena.array(mounts))
        config.mount_count = mounts.count
        config.masked_paths = arena.constStrings(spec.maskedPaths)
        config.masked_count = spec.maskedPaths.count
        config.readonly_paths = arena.constStrings(spec.readonlyPaths)
        config.readonly_count = spec.readonlyPaths.count
        setProcess(&config, spec.process, seccomp: seccomp, arena: arena)
        config.loopback_up = spec.network == .none ? 1 : 0

        let started = cn_monotonic_ns()
        var child = cn_child()
        let rc = withExtendedLifetime(arena) { cn_spawn_start(&config, &child) }
        guard rc == 0 else { throw SpawnError(step: "clone", errno: -rc) }
        return try Self.release(&child, started: started, arena: arena, beforeExec: beforeExec) { report in
            switch Int(report.step) {
            case Int(CN_STEP_EXECVE.rawValue):
                return spec.process.args.first
            case Int(CN_STEP_MOUNT_TARGET.rawValue), Int(CN_STEP_MOUNT_BIND.rawValue),
                 Int(CN_STEP_REMOUNT_READONLY.rawValue):
                return spec.mounts.indices.contains(Int(report.index)) ? spec.mounts[Int(report.index)].destination : nil
            case Int(CN_STEP_MASK_PATH.rawValue):
                return spec.maskedPaths.indices.contains(Int(report.index)) ? spec.maskedPaths[Int(report.index)] : nil
            case Int(CN_STEP_READONLY_PATH.rawValue):
                return spec.readonlyPaths.indices.contains(Int(report.index)) ? spec.readonlyPaths[Int(report.index)] : nil
            case Int(CN_STEP_CHDIR_CWD.rawValue):
                return spec.process.cwd
            default:
                return nil
            }
        }
    }

    /// The rest of the handshake for a cloned child (container or exec): `beforeExec` with its
    /// pid, then "go"; the child's failure report becomes a `SpawnError` naming the step (and
    /// `detail(report)`), and the child is gone when this throws.
    static func release(_ child: inout cn_child, started: UInt64, arena: CArena,
                        beforeExec: (pid_t) throws(SpawnError) -> Void,
                        detail: (cn_report) -> String?) throws(SpawnError) -> SpawnedProcess {
        do {
            try beforeExec(child.pid)
        } catch {
            cn_spawn_abort(&child)
            reap(child.pidfd, kill: true)
            throw error
        }
        var report = cn_report()
        let go = withExtendedLifetime(arena) { cn_spawn_go(&child, &report) }
        let elapsed = cn_monotonic_ns() - started
        if go == 1 {
            reap(child.pidfd, kill: true)
            throw SpawnError(report: report, detail: detail(report))
        }
        if go < 0 {
            reap(child.pidfd, kill: true)
            throw SpawnError(step: "read child report", errno: -go)
        }
        return SpawnedProcess(pid: child.pid, pidfd: child.pidfd, spawnNanoseconds: elapsed)
    }

    /// The spec's seccomp filter as BPF bytes (nil: unconfined).
    func seccompProgram() throws(SpawnError) -> [UInt8]? {
        switch spec.security.seccomp {
        case .unconfined: return nil
        case .runtimeDefault: return try SeccompProfile.runtimeDefaultProgram.get()
        case let other: return try other.compile()
        }
    }

    /// The process part of a config, for a container's PID 1 and for exec alike: working
    /// directory, argv/envp with the exec candidates, user and groups, the spec's capabilities,
    /// no_new_privs and seccomp, and this spawner's stdio.
    func setProcess(_ config: inout cn_spawn_config, _ process: ContainerSpec.Process, seccomp: [UInt8]?, arena: CArena) {
        let candidates = ContainerSpec.execCandidates(argv0: process.args.first ?? "", env: process.env)
        let caps = Capability.mask(spec.security.capabilities)
        let capsForProcess = process.user.uid == 0 ? caps : 0
        config.cwd = arena.constString(process.cwd)
        config.exec_candidates = arena.constStrings(candidates)
        config.exec_candidate_count = candidates.count
        config.argv = arena.nullTerminated(process.args)
        config.envp = arena.nullTerminated(process.env)
        config.uid = process.user.uid
        config.gid = process.user.gid
        config.groups = UnsafePointer(arena.array(process.user.additionalGids))
        config.group_count = process.user.additionalGids.count
        config.cap_bounding = caps
        config.cap_inheritable = caps
        config.cap_effective = capsForProcess
        config.cap_permitted = capsForProcess
        config.cap_last_cap = Self.capLastCap
        config.no_new_privs = spec.security.noNewPrivileges ? 1 : 0
        if let seccomp, !seccomp.isEmpty {
            config.seccomp_filter = UnsafeRawPointer(arena.array(seccomp))
            config.seccomp_filter_len = UInt16(seccomp.count / 8)
        }
        config.stdin_fd = stdin
        config.stdout_fd = stdout
        config.stderr_fd = stderr
    }

    /// Kills (optionally) and reaps a child that never became a container, closing its pidfd.
    static func reap(_ pidfd: Int32, kill: Bool) {
        if kill { _ = cn_pidfd_send_signal(pidfd, SIGKILL) }
        var exited: Int32 = 0
        var code: Int32 = 0
        _ = cn_pidfd_wait(pidfd, 0, &exited, &code)
        close(pidfd)
    }

    /// `/usr/share/nginx/html` → `usr/share/nginx/html` (empty components and `.` dropped).
    static func relative(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static let capLastCap: Int32 = {
        guard let text = readSmallFile("/proc/sys/kernel/cap_last_cap"),
              let n = Int32(text.filter(\.isNumber)) else { return 40 }
        return n
    }()
}

/// C memory for one spawn, freed together.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { blocks.forEach { $0.deallocate() } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(s.utf8CString)
        let p = array(utf8)
        return p
    }

    func constString(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(string(s)) }

    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let count = max(values.count, 1)
        let typed = UnsafeMutablePointer<T>.allocate(capacity: count)
        blocks.append(UnsafeMutableRawPointer(typed))
        values.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { typed.initialize(from: base, count: values.count) }
        }
        return typed
    }

    func constStrings(_ values: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        UnsafePointer(array(values.map { Optional(constString($0)) }))
    }

    func nullTerminated(_ values: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        UnsafePointer(array(values.map { Optional(string($0)) } + [nil]))
    }
}
