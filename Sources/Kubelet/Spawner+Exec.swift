import CNamespaces
import Glibc

extension Spawner {
    /// Starts `process` inside the namespaces and root of the running container whose PID 1 is
    /// `containerPidfd`, with this spawner's spec's privileges (capabilities, no_new_privs,
    /// seccomp). `beforeExec` sees the pid (to join the container's cgroup). With
    /// `controllingTTY`, `stdin` must be a pty slave: the process gets a new session with it as
    /// its controlling terminal.
    func exec(_ process: ContainerSpec.Process, containerPidfd: Int32, controllingTTY: Bool,
              beforeExec: (pid_t) throws(SpawnError) -> Void) throws(SpawnError) -> SpawnedProcess {
        let seccomp: [UInt8]?
        switch spec.security.seccomp {
        case .unconfined: seccomp = nil
        case .runtimeDefault: seccomp = try SeccompProfile.runtimeDefaultProgram.get()
        case let other: seccomp = try other.compile()
        }
        let arena = CArena()
        let candidates = ContainerSpec.execCandidates(argv0: process.args.first ?? "", env: process.env)
        let caps = Capability.mask(spec.security.capabilities)
        let capsForProcess = process.user.uid == 0 ? caps : 0

        var config = cn_spawn_config()
        config.netns_fd = -1
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
        config.controlling_tty = controllingTTY ? 1 : 0

        let started = cn_monotonic_ns()
        var child = cn_child()
        let rc = withExtendedLifetime(arena) { cn_exec_start(&config, containerPidfd, &child) }
        guard rc == 0 else { throw SpawnError(step: "exec: clone into the container", errno: -rc) }
        do {
            try beforeExec(child.pid)
        } catch {
            cn_spawn_abort(&child)
            Self.reap(child.pidfd, kill: true)
            throw error
        }
        var report = cn_report()
        let go = withExtendedLifetime(arena) { cn_spawn_go(&child, &report) }
        let elapsed = cn_monotonic_ns() - started
        if go == 1 {
            Self.reap(child.pidfd, kill: true)
            let detail: String? = switch Int(report.step) {
            case Int(CN_STEP_EXECVE.rawValue): process.args.first
            case Int(CN_STEP_CHDIR_CWD.rawValue): process.cwd
            default: nil
            }
            throw SpawnError(report: report, detail: detail)
        }
        if go < 0 {
            Self.reap(child.pidfd, kill: true)
            throw SpawnError(step: "read child report", errno: -go)
        }
        return SpawnedProcess(pid: child.pid, pidfd: child.pidfd, spawnNanoseconds: elapsed)
    }
}
