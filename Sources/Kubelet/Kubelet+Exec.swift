import Foundation
import KubeClient
import KubeModel

extension Kubelet {
    /// Runs `command` in the container instance `id` as its own process runs (user, env,
    /// working directory), as `kubectl exec`, exec probes and preStop hooks do.
    nonisolated func exec(id: String, command: [String], tty: Bool = false, stdin: Bool = false,
                          terminalSize: TerminalSize? = nil) async throws -> ExecProcess {
        var process = try await runtime.spec(id).process
        process.args = command
        return try await runtime.exec(id, process: process, tty: tty, stdin: stdin, terminalSize: terminalSize)
    }

    /// Runs a command to completion within `timeout`: its exit code and the start of its
    /// output (nil exit code: it timed out and was killed).
    nonisolated func run(id: String, command: [String], timeout: Duration) async throws -> (exitCode: Int32?, output: String) {
        let session = try await exec(id: id, command: command)
        let collected = Task {
            var bytes: [UInt8] = []
            for await chunk in session.output {
                switch chunk {
                case .stdout(let data), .stderr(let data):
                    if bytes.count < 4096 { bytes += data.prefix(4096 - bytes.count) }
                }
            }
            return bytes
        }
        let timer = Task { () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            await session.cancel()
            return true
        }
        let code = await session.wait()
        timer.cancel()
        let timedOut = await timer.value
        let output = String(decoding: await collected.value, as: UTF8.self)
        return (timedOut ? nil : code, output)
    }

    /// An exec probe: the command in the container, success on exit code 0.
    nonisolated func execProbe(id: String, command: [String], timeout: Duration) async -> ProbeResult {
        do {
            let (code, output) = try await run(id: id, command: command, timeout: timeout)
            guard let code else { return .failure("command \(Self.quoted(command)) timed out") }
            if code == 0 { return .success }
            let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure("command \(Self.quoted(command)) exited with \(code)\(trimmed.isEmpty ? "" : ": \(trimmed)")")
        } catch {
            return .failure("command \(Self.quoted(command)) failed: \(error)")
        }
    }

    /// `"sh" "-c" "exit 3"` as the kubelet quotes commands in probe messages.
    static func quoted(_ command: [String]) -> String {
        command.map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// The container's preStop hook (exec, httpGet, tcpSocket or sleep), within `budget`;
    /// returns what is left of it.
    nonisolated func runPreStop(_ container: Container?, pod: Pod?, id: String, address: String, budget: Duration) async -> Duration {
        guard let hook = container?.lifecycle?.preStop, let container else { return budget }
        let start = ContinuousClock.now
        if let seconds = hook.sleep?.seconds, seconds > 0 {
            try? await Task.sleep(for: min(.seconds(seconds), budget))
        } else if let command = hook.exec?.command, !command.isEmpty {
            if let (code, output) = try? await run(id: id, command: command, timeout: budget), code != 0, let pod {
                await events.record(pod, type: "Warning", reason: "FailedPreStopHook",
                                    message: "PreStopHook failed: command \(Self.quoted(command)) exited with \(code.map(String.init) ?? "timeout"): \(output)")
            }
        } else if let http = hook.httpGet, let port = Prober.port(http.port, container: container) {
            _ = await Prober.httpGet(host: http.host ?? address, port: port, path: http.path ?? "/", headers: http.httpHeaders ?? [], timeout: budget)
        } else if let tcp = hook.tcpSocket, let port = Prober.port(tcp.port, container: container) {
            _ = await Prober.tcpSocket(host: tcp.host ?? address, port: port, timeout: budget)
        }
        let spent = ContinuousClock.now - start
        return spent >= budget ? .zero : budget - spent
    }
}
