import Foundation
import Testing
@testable import Kubelet

/// Real containers: namespaces, mounts, capabilities, seccomp, cgroups. Root only.
@Suite(.enabled(if: isRoot, "needs root: namespaces, mounts and cgroups (run: sudo make test)"), .serialized)
struct ContainerRuntimeTests {
    @Test func hostnameIsSet() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let kv = try await sb.probe(["hostname"])
        #expect(kv["hostname"] == "web-0")
    }

    @Test func bindMountsReadWriteAndReadOnly() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let shared = sb.dir + "/hostpath"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try "from the host".write(toFile: shared + "/index.html", atomically: false, encoding: .utf8)
        let rw = [ContainerSpec.Mount(source: shared, destination: "/usr/share/nginx/html")]
        let seen = try await sb.probe(["read", "/usr/share/nginx/html/index.html"]) { $0.mounts = rw }
        #expect(seen["content"] == "from the host")
        let wrote = try await sb.probe(["write", "/usr/share/nginx/html/out.txt", "from the container"]) { $0.mounts = rw }
        #expect(wrote["write"] == "OK")
        #expect(try String(contentsOfFile: shared + "/out.txt", encoding: .utf8) == "from the container")
        let ro = [ContainerSpec.Mount(source: shared, destination: "/data", readOnly: true)]
        let refused = try await sb.probe(["write", "/data/out.txt", "nope"]) { $0.mounts = ro }
        #expect(refused["write"] == "EROFS")
        #expect(try String(contentsOfFile: shared + "/out.txt", encoding: .utf8) == "from the container")
        #expect(sb.leftoverMounts().isEmpty)
    }

    @Test func bindMountTargetSymlinkStaysInsideRootfs() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        // A hostile image: /evil -> /  (must resolve inside the rootfs, never to the host's /).
        try FileManager.default.createSymbolicLink(atPath: sb.rootfs + "/evil", withDestinationPath: "/")
        let src = sb.dir + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let kv = try await sb.probe(["ls", "/escaped"]) {
            $0.mounts = [.init(source: src, destination: "/evil/escaped")]
        }
        #expect(kv["ls"] == nil)
        #expect(FileManager.default.fileExists(atPath: sb.rootfs + "/escaped"))
        #expect(!FileManager.default.fileExists(atPath: "/escaped"))
    }

    @Test func procShowsOnlyTheContainer() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let (status, output) = try await sb.run(sb.spec(["/probe", "pids"]))
        #expect(status.exitCode == 0)
        let pids = output.split(separator: "\n").filter { $0.hasPrefix("pid=") }
        #expect(pids == ["pid=1 probe"])
        #expect(output.contains("self=1"))
    }

    @Test func networkNamespaceHasOnlyLoopback() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let (status, output) = try await sb.run(sb.spec(["/probe", "ifaces"]))
        #expect(status.exitCode == 0)
        #expect(output.split(separator: "\n") == ["iface=lo"])
        // lo is up: busybox can reach 127.0.0.1 (nc -z fails with "refused", not "unreachable").
        let (_, ping) = try await sb.run(sb.spec(["/bin/sh", "-c", "cat /sys/class/net/lo/operstate; ip link show lo"]))
        #expect(ping.contains("UP") || ping.contains("unknown"))
    }

    @Test func defaultCapabilitiesNoNewPrivsAndSeccomp() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let kv = try await sb.probe(["status"])
        #expect(kv["CapEff"] == "00000000a80425fb")
        #expect(kv["CapPrm"] == "00000000a80425fb")
        #expect(kv["CapBnd"] == "00000000a80425fb")
        #expect(kv["CapInh"] == "00000000a80425fb")
        #expect(kv["CapAmb"] == "0000000000000000")
        #expect(kv["NoNewPrivs"] == "1")
        #expect(kv["Seccomp"] == "2")
    }

    @Test func nonRootUserHasNoEffectiveCapabilities() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let kv = try await sb.probe(["status"]) {
            $0.process.user = .init(uid: 33, gid: 33, additionalGids: [1000])
        }
        #expect(kv["Uid"] == "33")
        #expect(kv["Gid"] == "33")
        #expect(kv["Groups"] == "1000")
        #expect(kv["CapEff"] == "0000000000000000")
        #expect(kv["CapBnd"] == "00000000a80425fb")
    }

    /// The same probe with CAP_SYS_ADMIN: seccomp on → EPERM, seccomp off → allowed. So the
    /// EPERM under the default profile comes from seccomp, not from missing capabilities.
    @Test func seccompBlocksUnshareAndMountDistinctFromCapabilities() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        for cmd in ["unshare", "mount", "clone-newns"] {
            let key = cmd == "clone-newns" ? "clone_newns" : cmd
            let filtered = try await sb.probe([cmd]) { $0.security.capabilities.insert(.sysAdmin) }
            #expect(filtered[key] == "EPERM", "\(cmd) with CAP_SYS_ADMIN under seccomp")
            let unfiltered = try await sb.probe([cmd]) {
                $0.security.capabilities.insert(.sysAdmin)
                $0.security.seccomp = .unconfined
            }
            #expect(unfiltered[key] == "OK", "\(cmd) with CAP_SYS_ADMIN without seccomp")
            let noCaps = try await sb.probe([cmd]) { $0.security.seccomp = .unconfined }
            #expect(noCaps[key] == "EPERM", "\(cmd) without CAP_SYS_ADMIN, without seccomp")
        }
        let clone3 = try await sb.probe(["clone3"])
        #expect(clone3["clone3"] == "ENOSYS")
        let clone3Off = try await sb.probe(["clone3"]) { $0.security.seccomp = .unconfined }
        #expect(clone3Off["clone3"] != "ENOSYS")
    }

    @Test func maskedAndReadOnlyPaths() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        // Only the masked paths this kernel has (this VM has no /proc/kcore).
        let masked = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"]
            .filter { FileManager.default.fileExists(atPath: $0) }
        #expect(!masked.isEmpty)
        for path in masked {
            let kv = try await sb.probe(["read", path])
            #expect(kv["bytes"] == "0", "\(path) must read empty")
        }
        let firmware = try await sb.run(sb.spec(["/probe", "ls", "/sys/firmware"]))
        #expect(firmware.status.exitCode == 0)
        #expect(!firmware.output.contains("entry="))
        let procSys = try await sb.probe(["write", "/proc/sys/kernel/hostname", "evil"])
        #expect(procSys["write"] == "EROFS")
        if FileManager.default.fileExists(atPath: "/proc/sysrq-trigger") {
            let sysrq = try await sb.probe(["write", "/proc/sysrq-trigger", "h"])
            #expect(sysrq["write"] == "EROFS")
        }
        let sys = try await sb.probe(["write", "/sys/kernel/uevent_helper", "x"])
        #expect(sys["write"] == "EROFS")
    }

    @Test func minimalDev() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let (_, output) = try await sb.run(sb.spec(["/probe", "ls", "/dev"]))
        let entries = Set(output.split(separator: "\n").map { $0.replacingOccurrences(of: "entry=", with: "") })
        for name in ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx", "fd", "stdin", "stdout", "stderr"] {
            #expect(entries.contains(name), "/dev/\(name)")
        }
        let (status, shell) = try await sb.run(sb.spec(["/bin/sh", "-c", "echo hi > /dev/null && head -c 4 /dev/zero | wc -c && echo ok > /dev/shm/x && cat /dev/shm/x"]))
        #expect(status.exitCode == 0)
        #expect(shell.contains("4") && shell.contains("ok"))
    }

    @Test func overlayKeepsWritesOutOfTheImage() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        var spec = sb.spec(["/bin/sh", "-c", "echo changed > /etc/hosts && echo new > /newfile && rm /bin/ls && cat /newfile"], overlay: true)
        spec.id = "overlay1"
        let (status, output) = try await sb.run(spec)
        #expect(status.exitCode == 0)
        #expect(output == "new\n")
        #expect(!FileManager.default.fileExists(atPath: sb.rootfs + "/newfile"))
        #expect(FileManager.default.fileExists(atPath: sb.rootfs + "/bin/ls") || (try? FileManager.default.destinationOfSymbolicLink(atPath: sb.rootfs + "/bin/ls")) != nil)
        #expect(try String(contentsOfFile: sb.rootfs + "/etc/hosts", encoding: .utf8) == "127.0.0.1 localhost\n")
        #expect(!FileManager.default.fileExists(atPath: sb.runtime.directory(of: "overlay1")), "removed with the container")
        #expect(sb.leftoverMounts().isEmpty)
    }

    @Test func exitCodesAndSignalsPropagate() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        #expect(try await sb.run(sb.spec(["/probe", "exit", "42"])).status == ContainerExitStatus(exitCode: 42))
        #expect(try await sb.run(sb.spec(["/bin/true"])).status.reason == "Completed")
        let segv = try await sb.run(sb.spec(["/probe", "segv"])).status
        #expect(segv.signal == SIGSEGV && segv.exitCode == 139)
        let spec = sb.spec(["/probe", "sleep", "30"])
        try await sb.runtime.create(spec)
        try await sb.runtime.start(spec.id)
        try await sb.runtime.kill(spec.id, signal: SIGKILL)
        let killed = try await sb.runtime.wait(spec.id)
        #expect(killed.signal == SIGKILL && killed.exitCode == 137 && killed.reason == "Error")
        try await sb.runtime.remove(spec.id)
    }

    @Test func stopEscalatesToSIGKILLAfterGracePeriod() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        // PID 1 without a SIGTERM handler ignores SIGTERM.
        let stubborn = sb.spec(["/probe", "ignore-term", "60"])
        try await sb.runtime.create(stubborn)
        try await sb.runtime.start(stubborn.id)
        try await Task.sleep(for: .milliseconds(100))
        let t0 = ContinuousClock.now
        let status = try await sb.runtime.stop(stubborn.id, gracePeriod: .seconds(1))
        let elapsed = ContinuousClock.now - t0
        #expect(status.signal == SIGKILL)
        #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(10))
        try await sb.runtime.remove(stubborn.id)
        // With a handler, SIGTERM ends it right away.
        let polite = sb.spec(["/probe", "trap-term", "60"])
        try await sb.runtime.create(polite)
        try await sb.runtime.start(polite.id)
        try await Task.sleep(for: .milliseconds(100))
        let t1 = ContinuousClock.now
        let politeStatus = try await sb.runtime.stop(polite.id, gracePeriod: .seconds(20))
        #expect(politeStatus == ContainerExitStatus(exitCode: 3))
        #expect(ContinuousClock.now - t1 < .seconds(5))
        try await sb.runtime.remove(polite.id)
    }

    @Test func memoryLimitOOMKills() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        var spec = sb.spec(["/probe", "alloc", "512"])
        spec.resources = ResourceLimits(memoryBytes: 32 << 20, pids: 64)
        let cgroupDirs = Cgroup(layout: try #require(CgroupLayout.detect()), id: spec.id).directories
        let (status, output) = try await sb.run(spec)
        #expect(status.oomKilled, "\(status): \(output)")
        #expect(status.exitCode == 137 && status.reason == "OOMKilled")
        #expect(!output.contains("alloc=OK"))
        for dir in cgroupDirs { #expect(!FileManager.default.fileExists(atPath: dir), "\(dir) removed") }
    }

    @Test func pidsLimit() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        var spec = sb.spec(["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait"])
        spec.resources = ResourceLimits(pids: 4)
        let (status, output) = try await sb.run(spec)
        #expect(output.contains("fork") || output.contains("Resource temporarily unavailable") || status.exitCode != 0)
    }

    @Test func nothingLeftMountedAfterRemoval() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let shared = sb.dir + "/hostpath"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        var spec = sb.spec(["/probe", "sleep", "30"], overlay: true)
        spec.mounts = [.init(source: shared, destination: "/data", readOnly: true)]
        spec.resources = ResourceLimits(memoryBytes: 64 << 20)
        try await sb.runtime.create(spec)
        let process = try await sb.runtime.start(spec.id)
        // The container's mounts exist only in its own mount namespace.
        let inside = try String(contentsOfFile: "/proc/\(process.pid)/mountinfo", encoding: .utf8)
        #expect(inside.contains(" /data "))
        #expect(inside.contains("overlay"))
        #expect(sb.leftoverMounts().isEmpty)
        try await sb.runtime.remove(spec.id)
        #expect(sb.leftoverMounts().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sb.runtime.directory(of: spec.id)))
        for dir in Cgroup(layout: try #require(CgroupLayout.detect()), id: spec.id).directories {
            #expect(!FileManager.default.fileExists(atPath: dir))
        }
    }

    @Test func missingBinaryIsATypedError() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        await #expect(throws: SpawnError(step: "execve /bin/nginx", errno: ENOENT)) {
            _ = try await sb.runtime.run(sb.spec(["/bin/nginx"]))
        }
        await #expect(throws: SpawnError(step: "execve nginx", errno: ENOENT)) {
            _ = try await sb.runtime.run(sb.spec(["nginx"]))
        }
        let ids = await sb.runtime.ids
        #expect(ids.isEmpty)
    }

    @Test func userEnvAndWorkingDirectory() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        var spec = sb.spec(["sh", "-c", "id -u; id -g; pwd; echo $GREETING; touch x 2>&1 || true"])
        spec.process.env.append("GREETING=hello")
        spec.process.cwd = "/work/dir"
        spec.process.user = try ContainerSpec.User.resolve("www-data", roots: [sb.rootfs])
        let (status, output) = try await sb.run(spec)
        #expect(status.exitCode == 0)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(4)) == ["33", "33", "/work/dir", "hello"])
    }

    @Test func manyContainersFromOneRuntime() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let statuses = try await withThrowingTaskGroup(of: ContainerExitStatus.self) { group in
            for i in 0..<16 {
                let spec = sb.spec(["/probe", "exit", String(i)])
                group.addTask { try await sb.runtime.run(spec) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(statuses.map(\.exitCode)) == Set(0..<16))
        #expect(sb.leftoverMounts().isEmpty)
    }

    @Test func logsAreInCRIFormat() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let spec = sb.spec(["/bin/sh", "-c", "echo out; echo err >&2; printf tail"])
        _ = try await sb.run(spec)
        let raw = try String(contentsOfFile: spec.logPath ?? "", encoding: .utf8)
        let records = raw.split(separator: "\n")
        #expect(records.count == 3)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] .*$/#
        for r in records { #expect(r.wholeMatch(of: pattern) != nil, "\(r)") }
        #expect(records.contains { $0.hasSuffix(" stdout F out") })
        #expect(records.contains { $0.hasSuffix(" stderr F err") })
        #expect(records.contains { $0.hasSuffix(" stdout F tail") })
    }

    @Test func joinsAnExistingNetworkNamespace() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let name = "mks-it-\(getpid())"
        try runOnHost(["/usr/sbin/ip", "netns", "add", name])
        defer { _ = try? runOnHost(["/usr/sbin/ip", "netns", "del", name], allowFailure: true) }
        try runOnHost(["/usr/sbin/ip", "-n", name, "link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b"])
        let (status, output) = try await sb.run({
            var s = sb.spec(["/probe", "ifaces"])
            s.network = .join(path: "/run/netns/\(name)")
            return s
        }())
        #expect(status.exitCode == 0)
        #expect(output.contains("iface=veth-a") && output.contains("iface=veth-b"))
    }
}
