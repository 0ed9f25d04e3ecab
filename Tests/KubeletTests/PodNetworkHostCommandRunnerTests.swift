import Foundation
import Testing
@testable import Kubelet

@Suite struct PodNetworkHostCommandRunnerTests {
    let runner = PosixSpawnHostCommandRunner()

    @Test func capturesStatusStdoutAndStderr() async throws {
        let result = try await runner.run(HostCommand("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(result == HostCommandResult(status: 3, stdout: "out\n", stderr: "err\n"))
    }

    @Test func feedsStdinAndLargeOutputDoesNotBlock() async throws {
        let input = String(repeating: "link set lo up\n", count: 20_000)  // ~300 KB, past any pipe buffer
        let result = try await runner.run(HostCommand("/bin/cat", [], stdin: input))
        #expect(result.status == 0)
        #expect(result.stdout == input)
        let closed = try await runner.run(HostCommand("/bin/sh", ["-c", "read x; echo \"[$x]\""]))
        #expect(closed.stdout == "[]\n")  // no stdin: EOF at once
    }

    @Test func aSignalIsReportedAs128PlusItsNumber() async throws {
        let result = try await runner.run(HostCommand("/bin/sh", ["-c", "kill -9 $$"]))
        #expect(result.status == 128 + 9)
    }

    @Test func theChildStartsWithNoBlockedSignalsAndTheCLocale() async throws {
        let result = try await runner.run(HostCommand("/bin/sh", ["-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; echo $LC_ALL"]))
        #expect(result.stdout.contains("SigBlk:\t0000000000000000"))
        // No standard signal ignored (glibc's reserved 32 and 33 are outside sigfillset's reach).
        let ignored = result.stdout.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            .flatMap { UInt64($0.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) }
        #expect(ignored.map { $0 & 0x7fff_ffff } == 0)
        #expect(result.stdout.hasSuffix("C\n"))
    }

    @Test func aMissingProgramIsAnErrorNamingIt() async throws {
        let error = await #expect(throws: HostCommandError.self) {
            try await runner.run(HostCommand("/nonexistent/ip", ["link"]))
        }
        #expect(error?.description == "/nonexistent/ip: cannot run: posix_spawn: No such file or directory")
    }

    @Test func describesCommandsAsAShellWould() {
        #expect(HostCommand("/usr/sbin/ip", ["-n", "x", "link", "del", "veth1"]).description == "ip -n x link del veth1")
        #expect(HostCommand("/usr/sbin/ip", ["-batch", "-"], stdin: "link set lo up\nlink set eth0 up\n").description
            == "ip -batch - <<< 'link set lo up; link set eth0 up'")
    }
}
