/// How a container's process ended, in Kubernetes' terms (`ContainerStateTerminated`).
public struct ContainerExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// The exit code, or 128 + signal when a signal killed it (what a shell reports).
    public var exitCode: Int32
    /// The signal that killed the process, if any.
    public var signal: Int32?
    /// The cgroup's OOM killer killed a process of the container.
    public var oomKilled: Bool

    public init(exitCode: Int32, signal: Int32? = nil, oomKilled: Bool = false) {
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
    }

    /// `Completed`, `OOMKilled` or `Error`, as the kubelet reports `reason`.
    public var reason: String {
        if oomKilled { return "OOMKilled" }
        return exitCode == 0 ? "Completed" : "Error"
    }

    public var description: String {
        if let signal { return "\(reason) (signal \(signal), exit code \(exitCode))" }
        return "\(reason) (exit code \(exitCode))"
    }
}

/// Where a container is in its life.
public enum ContainerState: Sendable, Equatable {
    case created
    case running(pid: Int32)
    case exited(ContainerExitStatus)
}
