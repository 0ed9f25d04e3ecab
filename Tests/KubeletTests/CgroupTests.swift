import Glibc
import Testing
@testable import Kubelet

@Suite struct CgroupTests {
    let limits = ResourceLimits(memoryBytes: 64 << 20, cpuLimitMillis: 500, cpuRequestMillis: 250, pids: 100)

    @Test func v1DirectoriesPerController() {
        let cg = Cgroup(layout: .init(root: "/sys/fs/cgroup", version: .v1(unified: "/sys/fs/cgroup/unified")), id: "abc")
        #expect(cg.directories == [
            "/sys/fs/cgroup/memory/minikube-swift/abc", "/sys/fs/cgroup/cpu/minikube-swift/abc",
            "/sys/fs/cgroup/pids/minikube-swift/abc", "/sys/fs/cgroup/unified/minikube-swift/abc",
        ])
        let files = cg.limitFiles(limits).map { "\($0.path)=\($0.value)" }
        #expect(files == [
            "/sys/fs/cgroup/memory/minikube-swift/abc/memory.limit_in_bytes=67108864",
            "/sys/fs/cgroup/cpu/minikube-swift/abc/cpu.shares=256",
            "/sys/fs/cgroup/cpu/minikube-swift/abc/cpu.cfs_period_us=100000",
            "/sys/fs/cgroup/cpu/minikube-swift/abc/cpu.cfs_quota_us=50000",
            "/sys/fs/cgroup/pids/minikube-swift/abc/pids.max=100",
        ])
    }

    @Test func v2OneDirectory() {
        let cg = Cgroup(layout: .init(root: "/sys/fs/cgroup", version: .v2), parent: "kubepods/pod1", id: "c1")
        #expect(cg.directories == ["/sys/fs/cgroup/kubepods/pod1/c1"])
        let files = cg.limitFiles(limits).map { "\($0.path)=\($0.value)" }
        #expect(files == [
            "/sys/fs/cgroup/kubepods/pod1/c1/memory.max=67108864",
            "/sys/fs/cgroup/kubepods/pod1/c1/memory.swap.max=0",
            "/sys/fs/cgroup/kubepods/pod1/c1/cpu.weight=10",
            "/sys/fs/cgroup/kubepods/pod1/c1/cpu.max=50000 100000",
            "/sys/fs/cgroup/kubepods/pod1/c1/pids.max=100",
        ])
        #expect(cg.limitFiles(ResourceLimits()).isEmpty)
    }

    @Test func kubeletConversions() {
        #expect(Cgroup.cpuShares(requestMillis: 1000) == 1024)
        #expect(Cgroup.cpuShares(requestMillis: 1) == 2)
        #expect(Cgroup.cpuShares(requestMillis: nil) == nil)
        #expect(Cgroup.cpuQuota(limitMillis: 250) == 25000)
        #expect(Cgroup.cpuQuota(limitMillis: 5) == 1000)
        #expect(Cgroup.cpuWeight(shares: 2) == 1)
        #expect(Cgroup.cpuWeight(shares: 1024) == 39)
        #expect(Cgroup.cpuWeight(shares: 262_144) == 10000)
    }

    @Test func createWritesLimitsAndReadsOOMCountOnFakeV2Tree() throws {
        var template = Array("/tmp/kubelet-cgroup-XXXXXX".utf8CString)
        let root = try #require(mkdtemp(&template)).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        defer { _ = try? removeTree(root) }
        let cg = Cgroup(layout: .init(root: root, version: .v2), id: "c1")
        // cgroupfs creates the knobs with the directory; fake them here.
        try Cgroup.mkdirAll(cg.directories[0])
        for file in cg.limitFiles(limits) + [(path: cg.directories[0] + "/memory.events", value: "")] {
            close(open(file.path, O_CREAT | O_WRONLY, 0o644))
        }
        try cg.create(limits: limits)
        #expect(readSmallFile(cg.directories[0] + "/pids.max") == "100")
        #expect(readSmallFile(cg.directories[0] + "/cpu.max") == "50000 100000")
        #expect(cg.oomKillCount() == 0)
        try writeFile(cg.directories[0] + "/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
        #expect(cg.oomKillCount() == 1)
    }

    @Test func detectsThisHost() throws {
        // Any Linux host has one of the two layouts.
        let layout = try #require(CgroupLayout.detect())
        #expect(layout.root == "/sys/fs/cgroup")
    }
}
