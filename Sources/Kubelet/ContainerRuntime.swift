import CNamespaces
import Glibc

/// Runs containers: `create` → `start` → `wait` / `stop` → `remove`. One runtime serves many
/// containers from one process (the kubelet's pod workers call it concurrently).
///
/// Containers live under `<dataDir>/containers/<id>/` (overlay upper/work dirs, the CRI log) and
/// in a cgroup `minikube-swift/<id>` when the spec has resource limits. `remove` deletes all of
/// it; the overlay and every other mount live in the container's mount namespace only.
public actor ContainerRuntime {
    /// `<dataDir>/containers`.
    public nonisolated let containersDirectory: String
    public nonisolated let cgroupLayout: CgroupLayout?
    public nonisolated let cgroupParent: String
    /// With a node supervisor, containers are its children (and outlive this process): exits
    /// come from pidfds, each container leaves a record, and `adopt()` finds them again.
    public nonisolated let supervisor: SupervisorConnection?
    /// Where the supervisor writes the exit status of containers it reaped.
    public nonisolated let exitsDirectory: String

    var containers: [String: Entry] = [:]

    final class Entry {
        let spec: ContainerSpec
        var state: ContainerState = .created
        var process: SpawnedProcess?
        var cgroup: Cgroup?
        var overlay: OverlayRootfs?
        var log: LogWriter?
        var waiters: [CheckedContinuation<ContainerExitStatus, Never>] = []

        init(spec: ContainerSpec) { self.spec = spec }
    }

    public init(dataDir: String, cgroupLayout: CgroupLayout? = CgroupLayout.detect(),
                cgroupParent: String = "minikube-swift", supervisor: SupervisorConnection? = nil) {
        self.containersDirectory = dataDir + "/containers"
        self.cgroupLayout = cgroupLayout
        self.cgroupParent = cgroupParent
        self.supervisor = supervisor
        self.exitsDirectory = dataDir + "/exits"
    }

    /// The directory of a container's state.
    public nonisolated func directory(of id: String) -> String { containersDirectory + "/" + id }

    /// Registers a container and prepares its rootfs directories and cgroup. Nothing runs yet.
    public func create(_ spec: ContainerSpec) throws(SpawnError) {
        guard !spec.id.isEmpty, !spec.id.contains("/"), spec.id != ".", spec.id != ".." else {
            throw SpawnError(step: "create: invalid container id \(spec.id)", errno: EINVAL)
        }
        guard containers[spec.id] == nil else {
            throw SpawnError(step: "create \(spec.id): already exists", errno: EEXIST)
        }
        guard !spec.process.args.isEmpty else {
            throw SpawnError(step: "create \(spec.id): no command", errno: EINVAL)
        }
        let entry = Entry(spec: spec)
        do throws(SpawnError) {
            if case .overlay(let layers) = spec.rootfs {
                let overlay = OverlayRootfs(layers: layers, directory: directory(of: spec.id))
                entry.overlay = overlay
                try overlay.create()
            }
            if let limits = spec.resources {
                guard let layout = cgroupLayout else {
                    throw SpawnError(step: "create \(spec.id): no cgroup hierarchy for resource limits", errno: ENODEV)
                }
                let cgroup = Cgroup(layout: layout, parent: cgroupParent, id: spec.id)
                entry.cgroup = cgroup
                try cgroup.create(limits: limits)
            }
            if spec.stdio == .logFile {
                let path = spec.logPath ?? directory(of: spec.id) + "/container.log"
                if spec.logPath == nil { try Cgroup.mkdirAll(directory(of: spec.id)) }
                entry.log = try LogWriter(path: path)
            }
        } catch {
            try? Self.cleanUp(entry, directory: directory(of: spec.id))
            throw error
        }
        containers[spec.id] = entry
    }

    /// Starts the container's process; returns once it has exec'd.
    @discardableResult
    public func start(_ id: String) throws(SpawnError) -> SpawnedProcess {
        let entry = try lookup(id)
        guard entry.state == .created else {
            throw SpawnError(step: "start \(id): not in state created", errno: EINVAL)
        }
        var spawner: Spawner
        switch entry.spec.rootfs {
        case .directory(let path):
            spawner = Spawner(spec: entry.spec, rootfsPath: path)
        case .overlay:
            guard let overlay = entry.overlay else {
                throw SpawnError(step: "start \(id): overlay not prepared", errno: EINVAL)
            }
            spawner = Spawner(spec: entry.spec, rootfsPath: overlay.mountPoint,
                              overlayOptions: try overlay.mountOptions())
        }
        spawner.siblingOfCaller = supervisor != nil
        var pipes: [Int32] = []
        defer { pipes.forEach { close($0) } }
        var readEnds: [(Int32, LogWriter.Stream)] = []
        if entry.log != nil {
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard devNull >= 0 else { throw SpawnError.last("open /dev/null") }
            pipes.append(devNull)
            spawner.stdin = devNull
            for stream in [LogWriter.Stream.stdout, .stderr] {
                var fds: [Int32] = [-1, -1]
                let rc = cn_pipe_cloexec(&fds)
                guard rc == 0 else { throw SpawnError(step: "pipe2", errno: -rc) }
                pipes.append(fds[1])
                readEnds.append((fds[0], stream))
                if stream == .stdout { spawner.stdout = fds[1] } else { spawner.stderr = fds[1] }
            }
        }
        let cgroup = entry.cgroup
        let process: SpawnedProcess
        do {
            process = try spawner.spawn { (pid) throws(SpawnError) in
                try cgroup?.attach(pid: pid)
            }
        } catch {
            readEnds.forEach { close($0.0) }
            throw error
        }
        entry.process = process
        entry.state = .running(pid: process.pid)
        if let supervisor {
            // Before the log takes the read ends (it closes them at EOF).
            try? supervisor.hold(id: id, pid: process.pid, fds: readEnds.map(\.0))
            writeRecord(entry.spec, pid: process.pid)
        }
        if let log = entry.log, readEnds.count == 2 {
            try? log.attach(stdout: readEnds[0].0, stderr: readEnds[1].0)
        }
        try watchExit(id: id, pidfd: process.pidfd)
        return process
    }

    /// Waits for the container's process to exit (and its log to be written).
    public func wait(_ id: String) async throws(SpawnError) -> ContainerExitStatus {
        let entry = try lookup(id)
        switch entry.state {
        case .exited(let status):
            return status
        case .created:
            throw SpawnError(step: "wait \(id): not started", errno: EINVAL)
        case .running:
            return await withCheckedContinuation { entry.waiters.append($0) }
        }
    }

    /// Sends a signal to the container's PID 1.
    public func kill(_ id: String, signal: Int32) throws(SpawnError) {
        let entry = try lookup(id)
        guard case .running = entry.state, let process = entry.process else { return }
        let rc = cn_pidfd_send_signal(process.pidfd, signal)
        if rc < 0 && rc != -ESRCH { throw SpawnError(step: "pidfd_send_signal \(signal)", errno: -rc) }
    }

    /// Stops the container as the kubelet does: SIGTERM to PID 1, then after `gracePeriod`
    /// SIGKILL (PID 1 of a namespace ignores SIGTERM unless it handles it).
    public func stop(_ id: String, gracePeriod: Duration = .seconds(30)) async throws(SpawnError) -> ContainerExitStatus {
        let entry = try lookup(id)
        switch entry.state {
        case .created: throw SpawnError(step: "stop \(id): not started", errno: EINVAL)
        case .exited(let status): return status
        case .running: break
        }
        try kill(id, signal: SIGTERM)
        let killer = Task {
            try await Task.sleep(for: gracePeriod)
            self.forceKill(id)
        }
        let status = try await wait(id)
        killer.cancel()
        return status
    }

    /// SIGKILL to PID 1 (which takes its whole PID namespace with it) and `cgroup.kill`.
    private func forceKill(_ id: String) {
        guard let entry = containers[id], case .running = entry.state, let process = entry.process else { return }
        _ = cn_pidfd_send_signal(process.pidfd, SIGKILL)
        entry.cgroup?.kill()
    }

    /// Removes a stopped container: cgroup, overlay dirs, log, state. A running container is
    /// killed first.
    public func remove(_ id: String) async throws(SpawnError) {
        let entry = try lookup(id)
        if case .running = entry.state {
            forceKill(id)
            _ = try await wait(id)
        }
        containers[id] = nil
        if let supervisor {
            supervisor.release(id: id)
            if let record = readRecord(id) { unlink("\(exitsDirectory)/\(record.pid).\(record.startTime)") }
        }
        try Self.cleanUp(entry, directory: directory(of: id))
    }

    /// Removes the runtime's parent cgroup (`minikube-swift` in each hierarchy) once no
    /// container uses it; what is still in use stays.
    public func removeCgroupParent() {
        guard let layout = cgroupLayout else { return }
        // The parent's directories are a container's directories without the last component.
        for directory in Cgroup(layout: layout, parent: cgroupParent, id: "x").directories.reversed() {
            rmdir(String(directory.dropLast(2)))
        }
    }

    /// The spec a container was created with.
    public func spec(_ id: String) throws(SpawnError) -> ContainerSpec { try lookup(id).spec }

    /// The container's current state.
    public func state(_ id: String) throws(SpawnError) -> ContainerState { try lookup(id).state }

    /// Ids of the containers this runtime knows.
    public var ids: [String] { Array(containers.keys) }

    /// What an exec needs of a running container: its spec, PID 1 (pid and pidfd) and its cgroup.
    func runningContainer(_ id: String) throws(SpawnError) -> (spec: ContainerSpec, pid: pid_t, pidfd: Int32, cgroup: Cgroup?) {
        let entry = try lookup(id)
        guard case .running = entry.state, let process = entry.process else {
            throw SpawnError(step: "exec \(id): container is not running", errno: EINVAL)
        }
        return (entry.spec, process.pid, process.pidfd, entry.cgroup)
    }

    // MARK: - internals

    private func lookup(_ id: String) throws(SpawnError) -> Entry {
        guard let entry = containers[id] else {
            throw SpawnError(step: "container \(id) not found", errno: ENOENT)
        }
        return entry
    }

    /// Waits for the process on its own thread, then records the exit on the actor: a child is
    /// reaped with a blocking `waitid(P_PIDFD)`; a container the supervisor reaps is watched
    /// with poll(2) on its pidfd and its status read with PIDFD_GET_INFO.
    func watchExit(id: String, pidfd: Int32) throws(SpawnError) {
        let supervised = supervisor != nil
        let exits = exitsDirectory
        let record = supervised ? readRecord(id) : nil
        try detachThread { [weak self] in
            let status = supervised ? Self.waitSibling(pidfd, record: record, exitsDirectory: exits) : Self.waitChild(pidfd)
            guard let self else { return }
            Task { await self.exited(id: id, status: status) }
        }
    }

    static func waitChild(_ pidfd: Int32) -> ContainerExitStatus {
        var exited: Int32 = 0
        var code: Int32 = 0
        let rc = cn_pidfd_wait(pidfd, 0, &exited, &code)
        if rc < 0 { return ContainerExitStatus(exitCode: 255) }
        return exited == 1 ? ContainerExitStatus(exitCode: code) : ContainerExitStatus(exitCode: 128 + code, signal: code)
    }

    /// The exit of a process we are not the parent of: PIDFD_GET_INFO once it exited, else the
    /// supervisor's record of it (after it reaped it).
    static func waitSibling(_ pidfd: Int32, record: ContainerRecordFile?, exitsDirectory: String) -> ContainerExitStatus {
        _ = cn_pidfd_poll(pidfd, -1)
        for attempt in 0..<2000 {
            var exited: Int32 = 0
            var code: Int32 = 0
            let rc = cn_pidfd_exit_info(pidfd, &exited, &code)
            if rc == 1 {
                return exited == 1 ? ContainerExitStatus(exitCode: code) : ContainerExitStatus(exitCode: 128 + code, signal: code)
            }
            if let record, let status = supervisorExit(record, exitsDirectory: exitsDirectory, consume: false) { return status }
            usleep(attempt < 100 ? 1_000 : 10_000)
        }
        return ContainerExitStatus(exitCode: 255)
    }

    private func exited(id: String, status: ContainerExitStatus) async {
        guard let entry = containers[id] else { return }
        var status = status
        if let cgroup = entry.cgroup, status.signal == SIGKILL, cgroup.oomKillCount() > 0 {
            status.oomKilled = true
        }
        if let log = entry.log { await log.drained() }
        entry.state = .exited(status)
        let waiters = entry.waiters
        entry.waiters = []
        waiters.forEach { $0.resume(returning: status) }
    }

    /// Releases what a container used: pidfd, log, cgroups, overlay dirs, its directory. Goes on
    /// after a failure and throws the first one.
    private static func cleanUp(_ entry: Entry, directory: String) throws(SpawnError) {
        if let process = entry.process { close(process.pidfd) }
        entry.process = nil
        entry.log = nil
        var firstError: SpawnError?
        do { try entry.cgroup?.remove() } catch { firstError = firstError ?? error }
        do { try entry.overlay?.remove() } catch { firstError = firstError ?? error }
        do { try removeTree(directory) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }
}

extension ContainerRuntime {
    /// Creates, starts and waits for a container, then removes it; `started` sees the process.
    public func run(_ spec: ContainerSpec,
                    started: @Sendable (SpawnedProcess) -> Void = { _ in }) async throws(SpawnError) -> ContainerExitStatus {
        try create(spec)
        let status: ContainerExitStatus
        do {
            started(try start(spec.id))
            status = try await wait(spec.id)
        } catch {
            try? await remove(spec.id)
            throw error
        }
        try await remove(spec.id)
        return status
    }
}
