import ArgumentParser
import Foundation

/// `minikube-swift down`: stops the running `up` (SIGTERM to the PID in its pid file only).
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the running cluster.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        guard let pid = PIDFile.runningPID(dataDir: global.dataDir) else {
            print("minikube-swift is not running")
            return
        }
        guard kill(pid, SIGTERM) == 0 else {
            throw ValidationError("kill(\(pid), SIGTERM): \(String(cString: strerror(errno)))")
        }
        for _ in 0..<300 {
            if kill(pid, 0) != 0 {
                print("minikube-swift: stopped (pid \(pid))")
                return
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw ValidationError("minikube-swift (pid \(pid)) did not stop within 30 s")
    }
}
