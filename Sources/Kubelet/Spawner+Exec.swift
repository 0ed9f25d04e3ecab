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
        let seccomp = try seccompProgram()
        let arena = CArena()
        var config = cn_spawn_config()
        config.netns_fd = -1
        setProcess(&config, process, seccomp: seccomp, arena: arena)
        config.controlling_tty = controllingTTY ? 1 : 0

        let started = cn_monotonic_ns()
        var child = cn_child()
        let rc = withExtendedLifetime(arena) { cn_exec_start(&config, containerPidfd, &child) }
        guard rc == 0 else { throw SpawnError(step: "exec: clone into the container", errno: -rc) }
        return try Self.release(&child, started: started, arena: arena, beforeExec: beforeExec) { report in
            switch Int(report.step) {
            case Int(CN_STEP_EXECVE.rawValue): process.args.first
            case Int(CN_STEP_CHDIR_CWD.rawValue): process.cwd
            default: nil
            }
        }
    }
}
