import Glibc
import Testing
@testable import Kubelet

@Suite struct ContainerRuntimeUnitTests {
    @Test func overlayListsTheTopLayerFirst() throws {
        let overlay = OverlayRootfs(layers: ["/s/l/base", "/s/l/mid", "/s/l/top"], directory: "/d/containers/c1")
        #expect(try overlay.mountOptions()
            == "lowerdir=/s/l/top:/s/l/mid:/s/l/base,upperdir=/d/containers/c1/upper,workdir=/d/containers/c1/work")
        #expect(overlay.mountPoint == "/d/containers/c1/rootfs")
        #expect(throws: SpawnError.self) { try OverlayRootfs(layers: [], directory: "/d").mountOptions() }
        #expect(throws: SpawnError.self) { try OverlayRootfs(layers: ["/a:b"], directory: "/d").mountOptions() }
    }

    @Test func createRejectsBadSpecsBeforeTouchingTheHost() async throws {
        let runtime = ContainerRuntime(dataDir: "/nonexistent-minikube-swift", cgroupLayout: nil)
        let ok = ContainerSpec(id: "c1", rootfs: .directory("/"), process: .init(args: ["/bin/true"]))
        for id in ["", "a/b", "..", "."] {
            var spec = ok
            spec.id = id
            await #expect(throws: SpawnError.self) { try await runtime.create(spec) }
        }
        var noCommand = ok
        noCommand.process.args = []
        await #expect(throws: SpawnError.self) { try await runtime.create(noCommand) }
        var limited = ok
        limited.stdio = .inherit
        limited.resources = ResourceLimits(memoryBytes: 1 << 20)
        await #expect(throws: SpawnError(step: "create c1: no cgroup hierarchy for resource limits", errno: ENODEV)) {
            try await runtime.create(limited)
        }
        await #expect(throws: SpawnError.self) { try await runtime.start("missing") }
        #expect(await runtime.ids.isEmpty)
    }

    @Test func exitStatusReasons() {
        #expect(ContainerExitStatus(exitCode: 0).reason == "Completed")
        #expect(ContainerExitStatus(exitCode: 1).reason == "Error")
        #expect(ContainerExitStatus(exitCode: 137, signal: SIGKILL, oomKilled: true).reason == "OOMKilled")
    }
}
