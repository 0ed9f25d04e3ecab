import Dispatch
import Foundation

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

/// Runs commands with Foundation's `Process` (posix_spawn: no Swift code runs in the child).
public struct ProcessHostCommandRunner: HostCommandRunner {
    public init() {}

    public func run(_ command: HostCommand) async throws -> HostCommandResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.runBlocking(command) })
            }
        }
    }

    /// Spawns, feeds stdin, drains stdout and stderr concurrently (a full pipe would block the
    /// child), then reaps. Runs on a Dispatch thread, never on the cooperative pool.
    private static func runBlocking(_ command: HostCommand) throws -> HostCommandResult {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        // The C locale keeps messages such as "RTNETLINK answers: File exists" stable.
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
        let stdout = Pipe(), stderr = Pipe()
        let stdin: Pipe? = command.stdin == nil ? nil : Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin ?? FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw HostCommandError(command: command, reason: "\(error)")
        }
        if let stdin, let input = command.stdin {
            // Best effort: a child that exits early makes this fail, and its status says why.
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let errors = DataBox()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) {
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return HostCommandResult(status: process.terminationStatus,
                                 stdout: String(decoding: output, as: UTF8.self),
                                 stderr: String(decoding: errors.data, as: UTF8.self))
    }
}

/// A command that could not be started at all (missing executable, spawn failure).
public struct HostCommandError: Error, Sendable, CustomStringConvertible {
    public var command: HostCommand
    public var reason: String
    public var description: String { "\(command.executable): cannot run: \(reason)" }
}

/// Written by one Dispatch thread, read after the group's `wait()`, which orders the accesses.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
