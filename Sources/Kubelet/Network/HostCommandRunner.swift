import Foundation
import Glibc

/// One program run on the host: an absolute executable, its arguments and optional stdin.
public struct HostCommand: Sendable, Equatable, CustomStringConvertible {
    public var executable: String
    public var arguments: [String]
    public var stdin: String?

    public init(_ executable: String, _ arguments: [String], stdin: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.stdin = stdin
    }

    /// The first `tool` on the system's sbin and bin paths (where Debian puts iproute2, nftables,
    /// procps and conntrack), or nil when none has it.
    public static func installed(_ tool: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + tool }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `ip -n node link add …` — the program's base name, its arguments and its input, for
    /// messages: `ip -n x -batch - <<< 'link set lo up; link set eth0 up'`.
    public var description: String {
        let line = ([String(executable.split(separator: "/").last ?? Substring(executable))] + arguments)
            .joined(separator: " ")
        guard let stdin else { return line }
        let input = stdin.split(separator: "\n").joined(separator: "; ")
        return line + " <<< '" + input + "'"
    }
}

/// What a finished command printed and how it exited.
public struct HostCommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs host commands. The seam between the pod network's plan and the machine: the real one
/// spawns processes, unit tests use a fake that records the commands and scripts the answers.
public protocol HostCommandRunner: Sendable {
    /// Runs `command` to completion. Throws only when it could not be started; a non-zero exit
    /// status is a result.
    func run(_ command: HostCommand) async throws -> HostCommandResult
}

/// Runs commands with `posix_spawn` (glibc's vfork+exec: no Swift code runs in the child), on a
/// detached thread per command so blocking waits never occupy the Swift concurrency pool or
/// Dispatch's. The child starts with no blocked signals and default handlers (a Dispatch or
/// Swift thread blocks most signals, and a spawned child would inherit that mask), the C locale
/// (stable messages such as "RTNETLINK answers: File exists") and a fixed PATH. stdin, stdout and
/// stderr are unlinked temporary files: nothing can block on a full pipe and no SIGPIPE can
/// reach the kubelet when a child exits without reading its input.
public struct PosixSpawnHostCommandRunner: HostCommandRunner {
    public init() {}

    public func run(_ command: HostCommand) async throws -> HostCommandResult {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try detachThread {
                    continuation.resume(with: Result { () throws(HostCommandError) in try Self.runBlocking(command) })
                }
            } catch {
                continuation.resume(throwing: HostCommandError(command: command, reason: "\(error)"))
            }
        }
    }

    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    static func runBlocking(_ command: HostCommand) throws(HostCommandError) -> HostCommandResult {
        func fail(_ step: String, _ code: Int32) -> HostCommandError {
            HostCommandError(command: command, reason: "\(step): \(String(cString: strerror(code)))")
        }
        let input = try temporaryFile(command)
        defer { close(input) }
        let output = try temporaryFile(command)
        defer { close(output) }
        let errors = try temporaryFile(command)
        defer { close(errors) }
        if let stdin = command.stdin {
            guard writeAll(input, Array(stdin.utf8)), lseek(input, 0, SEEK_SET) == 0 else { throw fail("write stdin", errno) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, command.executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw fail("posix_spawn", rc) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw fail("waitpid", errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (they are C macros); a signal is 128 + n.
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return HostCommandResult(status: exitStatus, stdout: readAll(output), stderr: readAll(errors))
    }

    /// An unlinked, close-on-exec file under the temporary directory.
    private static func temporaryFile(_ command: HostCommand) throws(HostCommandError) -> Int32 {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((directory + "/minikube-swift-cmd-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else {
            throw HostCommandError(command: command, reason: "mkstemp(\(directory)): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    private static func readAll(_ fd: Int32) -> String {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return "" }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A command that could not be started at all (missing executable, spawn failure).
public struct HostCommandError: Error, Sendable, CustomStringConvertible {
    public var command: HostCommand
    public var reason: String
    public var description: String { "\(command.executable): cannot run: \(reason)" }
}
