import Glibc
import Testing
@testable import Kubelet

@Suite struct ContainerSpecTests {
    @Test func argsCombineAsKubernetesDoes() {
        let ep = ["/docker-entrypoint.sh"], cmd = ["nginx", "-g", "daemon off;"]
        #expect(ContainerSpec.processArgs(entrypoint: ep, cmd: cmd, command: [], args: []) == ep + cmd)
        #expect(ContainerSpec.processArgs(entrypoint: ep, cmd: cmd, command: ["sh"], args: []) == ["sh"])
        #expect(ContainerSpec.processArgs(entrypoint: ep, cmd: cmd, command: [], args: ["-x"]) == ep + ["-x"])
        #expect(ContainerSpec.processArgs(entrypoint: ep, cmd: cmd, command: ["sh"], args: ["-c", "true"]) == ["sh", "-c", "true"])
        #expect(ContainerSpec.processArgs(entrypoint: nil, cmd: ["sh"], command: [], args: []) == ["sh"])
        #expect(ContainerSpec.processArgs(entrypoint: nil, cmd: nil, command: [], args: ["x"]) == ["x"])
    }

    @Test func environmentOverridesByNameAndAddsDefaults() {
        let env = ContainerSpec.environment(image: ["A=1", "B=2"], container: ["B=3", "C=4"], hostname: "web-0")
        #expect(env == ["A=1", "B=3", "C=4", ContainerSpec.defaultPath, "HOSTNAME=web-0"])
        let withPath = ContainerSpec.environment(image: ["PATH=/bin"], container: [], hostname: nil)
        #expect(withPath == ["PATH=/bin"])
    }

    @Test func workingDirectoryPrefersContainer() {
        #expect(ContainerSpec.workingDirectory(image: "/app", container: nil) == "/app")
        #expect(ContainerSpec.workingDirectory(image: "/app", container: "/srv") == "/srv")
        #expect(ContainerSpec.workingDirectory(image: nil, container: "") == "/")
    }

    @Test func execCandidatesFollowPath() {
        #expect(ContainerSpec.execCandidates(argv0: "/bin/nginx", env: []) == ["/bin/nginx"])
        #expect(ContainerSpec.execCandidates(argv0: "sh", env: ["PATH=/usr/bin:/bin/"]) == ["/usr/bin/sh", "/bin/sh"])
        #expect(ContainerSpec.execCandidates(argv0: "sh", env: []).first == "/usr/local/sbin/sh")
    }

    @Test func quantities() {
        #expect(ResourceLimits.bytes(fromQuantity: "64Mi") == 64 << 20)
        #expect(ResourceLimits.bytes(fromQuantity: "1G") == 1_000_000_000)
        #expect(ResourceLimits.bytes(fromQuantity: "1024") == 1024)
        #expect(ResourceLimits.bytes(fromQuantity: "x") == nil)
        #expect(ResourceLimits.millicores(fromQuantity: "500m") == 500)
        #expect(ResourceLimits.millicores(fromQuantity: "1.5") == 1500)
    }

    @Test func relativeMountTargets() {
        #expect(Spawner.relative("/usr/share/nginx/html") == "usr/share/nginx/html")
        #expect(Spawner.relative("//a/./b/") == "a/b")
    }

    @Test func userResolvesFromRootfsDatabases() throws {
        var template = Array("/tmp/kubelet-user-XXXXXX".utf8CString)
        let dir = try #require(mkdtemp(&template)).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        defer { _ = try? removeTree(dir) }
        mkdir(dir + "/etc", 0o755)
        write(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n")
        write(dir + "/etc/group", "root:x:0:\nwww-data:x:33:\nweb:x:1000:www-data\n")
        #expect(try ContainerSpec.User.resolve(nil, roots: [dir]) == .root)
        #expect(try ContainerSpec.User.resolve("www-data", roots: [dir]) == .init(uid: 33, gid: 33, additionalGids: [1000]))
        #expect(try ContainerSpec.User.resolve("33:0", roots: [dir]) == .init(uid: 33, gid: 0, additionalGids: [1000]))
        #expect(try ContainerSpec.User.resolve("1234", roots: [dir]) == .init(uid: 1234, gid: 0))
        #expect(try ContainerSpec.User.resolve("www-data:web", roots: [dir]).gid == 1000)
        #expect(throws: SpawnError.self) { try ContainerSpec.User.resolve("nobody", roots: [dir]) }
    }

    func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }
}
