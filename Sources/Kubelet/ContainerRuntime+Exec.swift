import CNamespaces
import Glibc
import KubeClient

extension ContainerRuntime {
    /// Runs `process` inside the running container `id`: its PID, mount, UTS, IPC and network
    /// namespaces and root, its cgroup, and the container's capabilities, no_new_privs and
    /// seccomp profile (user, env and working directory come from `process`). With `tty` the
    /// process gets a pseudo-terminal (stdout and stderr both on it; `TERM=xterm` unless set);
    /// without `stdin` its stdin is /dev/null.
    public func exec(_ id: String, process: ContainerSpec.Process, tty: Bool, stdin: Bool,
                     terminalSize: TerminalSize? = nil) async throws(SpawnError) -> ExecProcess {
        let target = try runningContainer(id)
        guard !process.args.isEmpty else { throw SpawnError(step: "exec \(id): no command", errno: EINVAL) }
        var process = process
        if tty && !process.env.contains(where: { $0.hasPrefix("TERM=") }) { process.env.append("TERM=xterm") }

        var spawner = Spawner(spec: target.spec, rootfsPath: "/")
        // fds the child gets (closed here once it runs) and fds the session keeps.
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        var stdinWrite: Int32 = -1
        var master: Int32 = -1
        var outputs: [(fd: Int32, stream: LogWriter.Stream)] = []
        func releaseSessionEnds() {
            if stdinWrite >= 0 && stdinWrite != master { close(stdinWrite) }
            if master >= 0 { close(master) }
            outputs.forEach { close($0.fd) }
        }
        let spawned: SpawnedProcess
        do throws(SpawnError) {
            if tty {
                var slave: Int32 = -1
                // The container's own devpts instance: `tty` in the container names /dev/pts/N.
                let ptmx = "/proc/\(target.pid)/root/dev/ptmx"
                let rc = cn_open_pty(ptmx, &master, &slave, terminalSize?.height ?? 24, terminalSize?.width ?? 80)
                guard rc == 0 else { throw SpawnError(step: "exec: open \(ptmx)", errno: -rc) }
                // Still the container's PID 1 (not a reused pid) once the pty is open.
                guard cn_pidfd_send_signal(target.pidfd, 0) == 0 else {
                    close(slave)
                    throw SpawnError(step: "exec \(id): container is not running", errno: ESRCH)
                }
                // The process's own terminal, as runc does for a non-root user.
                _ = fchown(slave, process.user.uid, UInt32.max)
                childEnds.append(slave)
                spawner.stdin = slave
                spawner.stdout = slave
                spawner.stderr = slave
                let reader = fcntl(master, F_DUPFD_CLOEXEC, 0)
                guard reader >= 0 else { throw SpawnError.last("exec: dup pty master") }
                outputs.append((reader, .stdout))
                if stdin { stdinWrite = master }
            } else {
                if stdin {
                    let (read, write) = try Self.pipe()
                    childEnds.append(read)
                    stdinWrite = write
                    spawner.stdin = read
                } else {
                    let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
                    guard devNull >= 0 else { throw SpawnError.last("open /dev/null") }
                    childEnds.append(devNull)
                    spawner.stdin = devNull
                }
                for stream in [LogWriter.Stream.stdout, .stderr] {
                    let (read, write) = try Self.pipe()
                    childEnds.append(write)
                    outputs.append((read, stream))
                    if stream == .stdout { spawner.stdout = write } else { spawner.stderr = write }
                }
            }
            let cgroup = target.cgroup
            spawned = try spawner.exec(process, containerPidfd: target.pidfd, controllingTTY: tty) { (pid) throws(SpawnError) in
                try cgroup?.attach(pid: pid)
            }
        } catch {
            releaseSessionEnds()
            throw error
        }
        // The child has its copies; ours must go before the reader can see EOF.
        childEnds.forEach { close($0) }
        childEnds = []
        return try ExecProcess(process: spawned, tty: tty, stdin: stdinWrite, ptyMaster: master, outputs: outputs)
    }

    private static func pipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let rc = cn_pipe_cloexec(&fds)
        guard rc == 0 else { throw SpawnError(step: "pipe2", errno: -rc) }
        return (fds[0], fds[1])
    }
}
