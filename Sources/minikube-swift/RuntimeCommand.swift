import ArgumentParser
import Glibc
import ImageStore
import Kubelet

/// `minikube-swift runtime …`: drive the container runtime directly, for debugging and benchmarks.
struct RuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run containers directly with the node's runtime.",
        subcommands: [RuntimeRunCommand.self, RuntimeBenchSpawnCommand.self]
    )
}

/// The container options `run` and `bench-spawn` share.
struct ContainerOptions: ParsableArguments {
    @Option(help: "Image reference in the node's store (an overlay keeps writes out of it).")
    var image: String?

    @Option(help: "Root filesystem directory, used as is (like an OCI bundle's rootfs).")
    var rootfs: String?

    @Flag(help: "With --rootfs: put an overlay on top so writes do not reach the directory.")
    var overlay = false

    @Option(help: "UTS hostname of the container.")
    var hostname: String?

    @Option(name: .customLong("mount"), help: "Bind mount SRC:DST[:ro] (repeatable).")
    var mounts: [String] = []

    @Option(name: .customLong("env"), help: "Environment variable K=V (repeatable).")
    var env: [String] = []

    @Option(help: "Memory limit (Kubernetes quantity: 64Mi, 1G).")
    var memory: String?

    @Option(help: "CPU limit (0.5, 500m).")
    var cpus: String?

    @Option(help: "Maximum number of tasks.")
    var pids: Int64?

    @Option(help: "Network: none (new namespace with lo only), host, or a netns path to join.")
    var net = "none"

    @Option(help: "User: uid[:gid] or name[:group] from the rootfs's /etc/passwd.")
    var user: String?

    @Option(help: "Working directory inside the container.")
    var workdir: String?

    @Option(help: "Seccomp profile: runtime-default or unconfined.")
    var seccomp = "runtime-default"

    @Option(name: .customLong("cap-add"), help: "Add a capability (repeatable; ALL for all).")
    var capAdd: [String] = []

    @Option(name: .customLong("cap-drop"), help: "Drop a capability (repeatable; ALL for all).")
    var capDrop: [String] = []

    @Flag(help: "Do not set no_new_privs (Kubernetes' allowPrivilegeEscalation: true).")
    var allowPrivilegeEscalation = false

    @OptionGroup var global: GlobalOptions

    /// The spec for `args` (the part after `--`, combined with the image's entrypoint/cmd).
    func spec(id: String, args: [String]) throws -> ContainerSpec {
        let rootfs: ContainerSpec.RootFilesystem
        var imageConfig: ImageConfig?
        let roots: [String]
        switch (image, self.rootfs) {
        case (let ref?, nil):
            let store = try ImageStore(root: global.dataDir + "/images")
            let image = try store.resolve(ref)
            rootfs = .overlay(layers: image.layerPaths)
            imageConfig = image.config
            roots = image.layerPaths
        case (nil, let dir?):
            rootfs = overlay ? .overlay(layers: [dir]) : .directory(dir)
            roots = [dir]
        default:
            throw ValidationError("give exactly one of --image and --rootfs")
        }
        let argv = ContainerSpec.processArgs(entrypoint: imageConfig?.entrypoint, cmd: imageConfig?.cmd,
                                             command: args, args: [])
        guard !argv.isEmpty else { throw ValidationError("no command: give one after --") }
        let user = try ContainerSpec.User.resolve(self.user ?? imageConfig?.user, roots: roots)
        var spec = ContainerSpec(
            id: id, rootfs: rootfs,
            process: .init(
                args: argv,
                env: ContainerSpec.environment(image: imageConfig?.env ?? [], container: env, hostname: hostname),
                cwd: ContainerSpec.workingDirectory(image: imageConfig?.workingDir, container: workdir),
                user: user),
            hostname: hostname ?? String(id.prefix(12)))
        spec.mounts = try mounts.map(Self.parseMount)
        switch net {
        case "none": spec.network = .none
        case "host": spec.network = .host
        case let path where path.hasPrefix("/"): spec.network = .join(path: path)
        default: throw ValidationError("--net: none, host or a netns path")
        }
        var limits = ResourceLimits()
        if let memory {
            guard let bytes = ResourceLimits.bytes(fromQuantity: memory) else {
                throw ValidationError("--memory: not a quantity: \(memory)")
            }
            limits.memoryBytes = bytes
        }
        if let cpus {
            guard let millis = ResourceLimits.millicores(fromQuantity: cpus) else {
                throw ValidationError("--cpus: not a quantity: \(cpus)")
            }
            limits.cpuLimitMillis = millis
        }
        limits.pids = pids
        if limits != ResourceLimits() { spec.resources = limits }
        switch seccomp {
        case "runtime-default", "RuntimeDefault": spec.security.seccomp = .runtimeDefault
        case "unconfined", "Unconfined": spec.security.seccomp = .unconfined
        default: throw ValidationError("--seccomp: runtime-default or unconfined")
        }
        spec.security.capabilities = Capability.effectiveSet(add: capAdd, drop: capDrop)
        spec.security.noNewPrivileges = !allowPrivilegeEscalation
        spec.stdio = .inherit
        return spec
    }

    static func parseMount(_ s: String) throws -> ContainerSpec.Mount {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || (parts.count == 3 && (parts[2] == "ro" || parts[2] == "rw")),
              parts[0].hasPrefix("/"), parts[1].hasPrefix("/") else {
            throw ValidationError("--mount: SRC:DST[:ro] with absolute paths, got \(s)")
        }
        return ContainerSpec.Mount(source: parts[0], destination: parts[1], readOnly: parts.count == 3 && parts[2] == "ro")
    }
}

/// A random container id (12 bytes as hex, like Docker's short ids doubled).
func randomContainerID() -> String {
    var rng = SystemRandomNumberGenerator()
    return (0..<12).map { _ in
        let b = UInt8.random(in: 0...255, using: &rng)
        let s = String(b, radix: 16)
        return b < 16 ? "0" + s : s
    }.joined()
}

/// `minikube-swift runtime run [options] -- CMD ARGS…`
struct RuntimeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one container in the foreground and exit with its exit code.",
        discussion: "stdout and stderr pass through; a signal kill exits with 128 + signal. "
            + "SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are forwarded to the container's PID 1."
    )

    @OptionGroup var options: ContainerOptions

    @Argument(parsing: .postTerminator, help: "The command and its arguments.")
    var command: [String] = []

    func run() async throws {
        let id = randomContainerID()
        let spec = try options.spec(id: id, args: command)
        let runtime = ContainerRuntime(dataDir: options.global.dataDir)
        let status: ContainerExitStatus
        do {
            status = try await runtime.run(spec) { try? $0.forwardSignals() }
        } catch {
            var stderr = StandardError()
            print("minikube-swift: \(error)", to: &stderr)
            throw ExitCode(error.step.hasPrefix("execve") ? 127 : 125)
        }
        if status.oomKilled {
            var stderr = StandardError()
            print("minikube-swift: container \(id): OOMKilled", to: &stderr)
        }
        throw ExitCode(status.exitCode)
    }
}

/// `print(…, to: &stderr)` without touching C's `stderr` global.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        _ = string.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}

/// `minikube-swift runtime bench-spawn`: in-process spawn latency (clone → execve, measured by
/// the spawner) and create → exit → remove, over many rounds.
struct RuntimeBenchSpawnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-spawn",
        abstract: "Measure in-process container spawn latency.",
        shouldDisplay: false
    )

    @OptionGroup var options: ContainerOptions

    @Option(help: "Rounds.")
    var rounds = 100

    @Argument(parsing: .postTerminator)
    var command: [String] = ["/bin/true"]

    func run() async throws {
        let runtime = ContainerRuntime(dataDir: options.global.dataDir)
        var spawn: [Double] = []
        var total: [Double] = []
        for _ in 0..<rounds {
            var spec = try options.spec(id: randomContainerID(), args: command.isEmpty ? ["/bin/true"] : command)
            spec.stdio = .inherit
            let t0 = ContinuousClock.now
            let box = SpawnTimes()
            let status = try await runtime.run(spec) { box.record($0.spawnNanoseconds) }
            total.append(Double((ContinuousClock.now - t0).components.attoseconds) / 1e15
                + Double((ContinuousClock.now - t0).components.seconds) * 1000)
            spawn.append(box.milliseconds)
            guard status.exitCode == 0 else { throw ValidationError("container exited \(status)") }
        }
        print("spawn_ms median=\(fmt(percentile(spawn, 0.5))) p99=\(fmt(percentile(spawn, 0.99))) rounds=\(rounds)")
        print("run_ms median=\(fmt(percentile(total, 0.5))) p99=\(fmt(percentile(total, 0.99))) rounds=\(rounds)")
    }

    func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
        return sorted[index]
    }

    func fmt(_ v: Double) -> String {
        let scaled = Int((v * 100).rounded())
        let frac = scaled % 100
        return "\(scaled / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}

/// The spawner's clone → execve time, handed out of the `started` callback.
final class SpawnTimes: @unchecked Sendable {
    private var nanos: UInt64 = 0
    func record(_ n: UInt64) { nanos = n }
    var milliseconds: Double { Double(nanos) / 1e6 }
}
