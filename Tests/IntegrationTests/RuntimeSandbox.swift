import Foundation
import Testing
@testable import Kubelet

/// Privileged tests run only as root.
let isRoot = getuid() == 0

/// A temporary directory with a busybox rootfs (from the host's static busybox), the probe
/// helper, a data dir and a runtime. `cleanUp()` removes it all; call it in a `defer`.
struct RuntimeSandbox {
    let dir: String
    let runtime: ContainerRuntime

    var rootfs: String { dir + "/rootfs" }
    var dataDir: String { dir + "/data" }

    init() throws {
        var template = Array("/tmp/minikube-swift-it-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw SandboxError("mkdtemp: errno \(errno)") }
        dir = String(cString: p)
        runtime = ContainerRuntime(dataDir: dir + "/data")
        do {
            try Self.makeBusyboxRootfs(at: dir + "/rootfs")
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// busybox-static + applet links + /etc files + `/probe`.
    static func makeBusyboxRootfs(at root: String) throws {
        let fm = FileManager.default
        for d in ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root", "var/www"] {
            try fm.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true)
        }
        chmod(root + "/tmp", 0o1777)
        let busybox = ["/bin/busybox", "/usr/bin/busybox"].first { fm.fileExists(atPath: $0) }
        guard let busybox else { throw SandboxError("busybox-static is not installed") }
        try copyExecutable(busybox, to: root + "/bin/busybox")
        try runOnHost(["/usr/sbin/chroot", root, "/bin/busybox", "--install", "-s"])
        try copyExecutable(try probeBinary(), to: root + "/probe")
        try "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            .write(toFile: root + "/etc/passwd", atomically: false, encoding: .utf8)
        try "root:x:0:\nwww-data:x:33:\nweb:x:1000:www-data\nnogroup:x:65534:\n"
            .write(toFile: root + "/etc/group", atomically: false, encoding: .utf8)
        try "127.0.0.1 localhost\n".write(toFile: root + "/etc/hosts", atomically: false, encoding: .utf8)
    }

    /// Compiles Tests/helper/probe.c statically, once per test process.
    static func probeBinary() throws -> String { try probeResult.get() }

    private static let probeResult: Result<String, any Error> = Result {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("helper/probe.c").path
        var template = Array("/tmp/minikube-swift-probe-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw SandboxError("mkdtemp") }
        let out = String(cString: p) + "/probe"
        try runOnHost(["/usr/bin/cc", "-static", "-O2", "-o", out, source])
        return out
    }

    /// A spec that runs the probe (or any argv) on the sandbox's rootfs, output to a log file.
    func spec(_ args: [String], id: String = "c" + String(UInt64.random(in: 0...UInt64.max), radix: 16),
              overlay: Bool = false) -> ContainerSpec {
        var spec = ContainerSpec(
            id: id, rootfs: overlay ? .overlay(layers: [rootfs]) : .directory(rootfs),
            process: .init(args: args, env: ContainerSpec.environment(image: [], container: [], hostname: "web-0")),
            hostname: "web-0")
        spec.logPath = dir + "/\(id).log"
        return spec
    }

    /// Runs a container to completion and returns its status and stdout+stderr text.
    func run(_ spec: ContainerSpec) async throws -> (status: ContainerExitStatus, output: String) {
        let status = try await runtime.run(spec)
        return (status, Self.logText(spec.logPath ?? ""))
    }

    /// Probe output as a dictionary (last value of each key).
    func probe(_ args: [String], configure: (inout ContainerSpec) -> Void = { _ in }) async throws -> [String: String] {
        var spec = self.spec(["/probe"] + args)
        configure(&spec)
        let (status, output) = try await run(spec)
        #expect(status.exitCode == 0, "probe \(args) exited \(status): \(output)")
        return Self.keyValues(output)
    }

    static func keyValues(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// The content of a CRI log: `P` records joined to the next, one line per `F` record.
    static func logText(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        var out = ""
        for record in text.split(separator: "\n", omittingEmptySubsequences: false) where !record.isEmpty {
            let parts = record.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            out += parts.count == 4 ? String(parts[3]) : ""
            if parts[2] == "F" { out += "\n" }
        }
        return out
    }

    /// Mounts whose mount point or source mentions the sandbox (from /proc/self/mountinfo).
    func leftoverMounts() -> [String] {
        let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").map(String.init).filter { $0.contains(dir) }
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Copies an executable with `cp` in a process of its own: a write fd to it opened in this
/// process could be inherited by a container another test clones at that moment and make the
/// copy's first execve fail with ETXTBSY.
func copyExecutable(_ source: String, to destination: String) throws {
    _ = try runOnHost(["/bin/cp", source, destination])
    chmod(destination, 0o755)
}

/// Runs a host command, throwing on failure; returns stdout.
@discardableResult
func runOnHost(_ argv: [String], allowFailure: Bool = false) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let out = String(decoding: data, as: UTF8.self)
    if p.terminationStatus != 0 && !allowFailure {
        throw SandboxError("\(argv.joined(separator: " ")) exited \(p.terminationStatus): \(out)")
    }
    return out
}
