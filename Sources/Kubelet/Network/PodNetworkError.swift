/// Why a pod network operation failed, naming the step and what the kernel or tool said.
public enum PodNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `ip` exited non-zero: `create the pod's veth pair: ip -n node link add veth… failed (exit 2): RTNETLINK answers: File exists`.
    case commandFailed(step: String, command: String, status: Int32, stderr: String)
    /// A command could not be started at all.
    case cannotRun(step: String, command: String, reason: String)
    /// A state file could not be read or written.
    case io(step: String, path: String, reason: String)
    case addressPoolExhausted(network: IPv4Network)
    case invalidPodUID(String)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .commandFailed(step, command, status, stderr):
            let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(step): \(command) failed (exit \(status))" + (message.isEmpty ? "" : ": \(message)")
        case let .cannotRun(step, command, reason):
            return "\(step): \(command): \(reason)"
        case let .io(step, path, reason):
            return "\(step) (\(path)): \(reason)"
        case let .addressPoolExhausted(network):
            return "allocate a pod IP: no free address left in \(network)"
        case let .invalidPodUID(uid):
            return "invalid pod UID \(uid.debugDescription): want letters, digits, '-', '_' or '.'"
        case let .invalidConfiguration(message):
            return "pod network configuration: \(message)"
        }
    }
}
