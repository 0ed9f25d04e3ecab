import Kubelet
import Synchronization

/// Records every command and answers with a script; everything not scripted succeeds silently.
public final class FakeHostCommandRunner: HostCommandRunner {
    private let state = Mutex<(commands: [HostCommand], script: @Sendable (HostCommand) -> HostCommandResult?)>(
        ([], { _ in nil }))

    public init() {}

    public func script(_ answer: @escaping @Sendable (HostCommand) -> HostCommandResult?) {
        state.withLock { $0.script = answer }
    }

    public var commands: [HostCommand] { state.withLock { $0.commands } }

    /// `ip …` lines as a shell would show them, stdin included.
    public var lines: [String] { commands.map(\.description) }

    public func reset() { state.withLock { $0.commands = [] } }

    public func run(_ command: HostCommand) async throws -> HostCommandResult {
        let script = state.withLock { state in
            state.commands.append(command)
            return state.script
        }
        return script(command) ?? HostCommandResult(status: 0)
    }
}
