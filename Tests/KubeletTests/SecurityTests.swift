import Glibc
import Testing
@testable import Kubelet

@Suite struct SecurityTests {
    @Test func defaultCapabilitiesMatchDocker() {
        // CapEff of a root process in a Docker/containerd container.
        #expect(Capability.mask(Capability.defaultSet) == 0x0000_0000_a804_25fb)
        #expect(Capability.defaultSet.count == 14)
        #expect(!Capability.defaultSet.contains(.sysAdmin))
    }

    @Test func capabilityNames() {
        #expect(Capability(name: "NET_ADMIN") == .netAdmin)
        #expect(Capability(name: "cap_sys_admin") == .sysAdmin)
        #expect(Capability(name: "BOGUS") == nil)
        #expect(Capability.netBindService.description == "CAP_NET_BIND_SERVICE")
        #expect(Capability.checkpointRestore.rawValue == 40)
    }

    @Test func securityContextAddDrop() {
        let s = Capability.effectiveSet(add: ["SYS_ADMIN"], drop: ["NET_RAW"])
        #expect(s.contains(.sysAdmin) && !s.contains(.netRaw) && s.contains(.chown))
        #expect(Capability.effectiveSet(add: ["NET_BIND_SERVICE"], drop: ["ALL"]) == [.netBindService])
        #expect(Capability.effectiveSet(add: ["ALL"]).count == Capability.allCases.count)
    }

    @Test func runtimeDefaultSeccompDeniesEscapes() {
        let rules = SeccompProfile.runtimeDefault.rules
        for name in ["mount", "umount2", "unshare", "setns", "pivot_root", "kexec_load", "ptrace",
                     "bpf", "keyctl", "add_key", "request_key", "init_module", "finit_module",
                     "delete_module", "reboot", "swapon", "swapoff", "open_by_handle_at",
                     "perf_event_open"] {
            #expect(rules.contains(.init(syscall: name, errno: EPERM)), "\(name) must be denied")
        }
        #expect(rules.contains(.init(syscall: "clone3", errno: ENOSYS)))
        #expect(!rules.contains(where: { $0.syscall == "clone" }), "clone is filtered by flags only")
        #expect(SeccompProfile.runtimeDefault.deniesCloneNamespaces)
        #expect(SeccompProfile.unconfined.rules.isEmpty)
    }

    @Test func seccompCompilesToBPF() throws {
        let program = try #require(try SeccompProfile.runtimeDefault.compile())
        #expect(program.count % 8 == 0)
        #expect(program.count / 8 > 50)
        #expect(try SeccompProfile.unconfined.compile() == nil)
    }

    @Test func spawnErrorsNameStepAndErrno() {
        #expect(SpawnError(step: "execve /bin/nginx", errno: ENOENT).description == "execve /bin/nginx: ENOENT")
        #expect(SpawnError(step: "pivot_root", errno: EINVAL).description == "pivot_root: EINVAL")
        #expect(SpawnError(step: "mount(MS_BIND)", errno: EPERM, detail: "/data").description == "mount(MS_BIND) (/data): EPERM")
    }
}
