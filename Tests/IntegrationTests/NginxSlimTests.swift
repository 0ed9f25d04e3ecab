import Foundation
import ImageStore
import Testing
@testable import Kubelet

/// The OCI layouts `hack/build-images.sh` writes (`$MINIKUBE_SWIFT_IMAGES`, else images/out).
let imagesDirectory: String = ProcessInfo.processInfo.environment["MINIKUBE_SWIFT_IMAGES"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("images/out").path

let nginxSlimAvailable = FileManager.default.fileExists(atPath: imagesDirectory + "/nginx-slim/index.json")

/// nginx-slim from its OCI layout, on an overlay, serving a bind-mounted (hostPath-like)
/// index.html to curl in the same network namespace (one this test creates; only 127.0.0.1).
@Suite(.enabled(if: isRoot, "needs root: namespaces, mounts, netns"),
       .enabled(if: nginxSlimAvailable, "no nginx-slim OCI layout in \(imagesDirectory) (run: make images)"),
       .serialized)
struct NginxSlimTests {
    @Test func servesABindMountedIndex() async throws {
        let sb = try RuntimeSandbox()
        defer { sb.cleanUp() }
        let store = try ImageStore(root: sb.dataDir + "/images")
        _ = try store.load(from: imagesDirectory + "/nginx-slim")
        let image = try store.resolve("k8s.gcr.io/nginx-slim:0.8")

        let netns = "mks-nginx-\(getpid())"
        try runOnHost(["/usr/sbin/ip", "netns", "add", netns])
        defer { _ = try? runOnHost(["/usr/sbin/ip", "netns", "del", netns], allowFailure: true) }
        try runOnHost(["/usr/sbin/ip", "-n", netns, "link", "set", "lo", "up"])

        let html = sb.dir + "/pv-web-0"
        try FileManager.default.createDirectory(atPath: html, withIntermediateDirectories: true)
        let page = "hello from web-0 \(UInt32.random(in: 0...UInt32.max))"
        try (page + "\n").write(toFile: html + "/index.html", atomically: false, encoding: .utf8)

        var spec = ContainerSpec(
            id: "nginx-\(getpid())", rootfs: .overlay(layers: image.layerPaths),
            process: .init(
                args: ContainerSpec.processArgs(entrypoint: image.config.entrypoint, cmd: image.config.cmd,
                                                command: [], args: []),
                env: ContainerSpec.environment(image: image.config.env, container: [], hostname: "web-0"),
                cwd: ContainerSpec.workingDirectory(image: image.config.workingDir, container: nil),
                user: try ContainerSpec.User.resolve(image.config.user, roots: image.layerPaths)),
            hostname: "web-0")
        spec.network = .join(path: "/run/netns/\(netns)")
        spec.mounts = [.init(source: html, destination: "/usr/share/nginx/html", readOnly: true)]
        spec.logPath = sb.dir + "/nginx.log"
        try await sb.runtime.create(spec)
        do {
            try await sb.runtime.start(spec.id)
            var body = ""
            for _ in 0..<50 {
                body = try runOnHost(["/usr/sbin/ip", "netns", "exec", netns, "/usr/bin/curl", "-s",
                                 "--max-time", "1", "http://127.0.0.1/"], allowFailure: true)
                if body.contains(page) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(body == page + "\n")
            let status = try await sb.runtime.stop(spec.id, gracePeriod: .seconds(5))
            #expect(status.signal == nil || status.signal == SIGQUIT, "nginx stops on SIGTERM: \(status)")
        } catch {
            try? await sb.runtime.remove(spec.id)
            throw error
        }
        try await sb.runtime.remove(spec.id)
        let log = RuntimeSandbox.logText(spec.logPath ?? "")
        #expect(log.contains("\"GET / HTTP/1.1\" 200"), "access log to stdout: \(log)")
        #expect(sb.leftoverMounts().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sb.runtime.directory(of: spec.id)))
    }
}
