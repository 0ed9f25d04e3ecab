import KubeModel

/// What the API server asks of the node that runs a pod: a container's log and exec sessions
/// (`pods/log`, `pods/exec`). The kubelet implements it; in `up` the API server holds the
/// in-process kubelet, a remote node would be reached over HTTPS instead.
///
/// Errors are `KubeAPIError`s the API answers with as they are (a pod or container that is not
/// there, or not running yet: 400 `BadRequest` with kubelet's message).
public protocol ContainerStreams: Sendable {
    /// The container's log as byte chunks (whole lines, `\n`-terminated); finishes at the end
    /// of the log unless `options.follow`, then when the container stops or the consumer
    /// cancels. `container` is resolved already (never empty).
    func logs(namespace: String, pod: String, container: String, options: PodLogOptions) async throws
        -> AsyncThrowingStream<[UInt8], any Error>

    /// Starts `request.command` inside the running container's namespaces and root.
    func exec(namespace: String, pod: String, container: String, request: ExecRequest) async throws
        -> any ExecSession
}

/// `pods/log` query parameters (`core/v1.PodLogOptions`).
public struct PodLogOptions: Sendable, Equatable {
    public var follow = false
    /// The log of the previous (terminated) instance of the container.
    public var previous = false
    /// Prefix each line with its RFC3339Nano timestamp and a space.
    public var timestamps = false
    public var tailLines: Int?
    public var sinceSeconds: Int?
    /// RFC3339 time.
    public var sinceTime: String?
    public var limitBytes: Int?

    public init(follow: Bool = false, previous: Bool = false, timestamps: Bool = false, tailLines: Int? = nil,
                sinceSeconds: Int? = nil, sinceTime: String? = nil, limitBytes: Int? = nil) {
        self.follow = follow
        self.previous = previous
        self.timestamps = timestamps
        self.tailLines = tailLines
        self.sinceSeconds = sinceSeconds
        self.sinceTime = sinceTime
        self.limitBytes = limitBytes
    }
}

/// `pods/exec` query parameters (`core/v1.PodExecOptions`).
public struct ExecRequest: Sendable, Equatable {
    public var command: [String]
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    /// A pseudo-terminal: stdout and stderr both arrive on stdout.
    public var tty: Bool
    /// The terminal's size when the client sent it before the process starts (so the process
    /// never sees another one); nil: 80×24 until a resize.
    public var terminalSize: TerminalSize?

    public init(command: [String], stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, tty: Bool = false,
                terminalSize: TerminalSize? = nil) {
        self.command = command
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
        self.terminalSize = terminalSize
    }
}

/// A terminal's size in characters.
public struct TerminalSize: Sendable, Equatable {
    public var width: UInt16
    public var height: UInt16

    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }
}

/// One running exec: its output, its input, the terminal size, and how it ended.
public protocol ExecSession: Sendable {
    /// Output chunks in order; finishes once the process has exited and its output is drained.
    var output: AsyncStream<ExecOutput> { get }
    /// Writes to the process's stdin (only when the request asked for stdin).
    func writeStdin(_ bytes: [UInt8]) async throws
    /// Closes stdin (the process then reads EOF).
    func closeStdin() async
    /// Resizes the terminal (only with `tty`).
    func resize(width: UInt16, height: UInt16) async
    /// Kills the process (the client went away).
    func cancel() async
    /// The exit code (128 + signal when killed by one), once the process has exited.
    func wait() async -> Int32
}

/// A chunk of an exec's output.
public enum ExecOutput: Sendable, Equatable {
    case stdout([UInt8])
    case stderr([UInt8])
}
