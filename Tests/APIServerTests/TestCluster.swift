import AsyncHTTPClient
import Foundation
import KubeClient
import KubeModel
import NIOCore
import NIOHTTP1
import NIOSSL

@testable import APIServer

/// A server on a free loopback port with a temporary data dir and kubeconfig.
final class TestCluster: @unchecked Sendable {
    let directory: String
    let kubeconfigPath: String
    let port: Int
    let server: APIServer
    private var task: Task<Void, any Error>?

    init(directory: String? = nil, minor: Int = 33, eventWindow: Int = 10_000) throws {
        self.directory = try directory ?? temporaryDirectory("cluster")
        kubeconfigPath = self.directory + "/home-kubeconfig"
        port = try Self.freePort()
        server = try APIServer(configuration: .init(
            dataDirectory: self.directory, port: port, kubeconfigPath: kubeconfigPath,
            kubernetesVersion: KubernetesVersion(minor: minor), eventWindow: eventWindow))
    }

    static func start(directory: String? = nil, minor: Int = 33) async throws -> TestCluster {
        let cluster = try TestCluster(directory: directory, minor: minor)
        try await cluster.run()
        return cluster
    }

    func run() async throws {
        let (ready, continuation) = AsyncStream<Void>.makeStream()
        let server = self.server
        task = Task { try await server.run { continuation.yield() } }
        for await _ in ready { break }
    }

    func stop() async {
        task?.cancel()
        _ = await task?.result
        task = nil
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw CertificateError("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func client() throws -> HTTPKubeClient {
        try HTTPKubeClient(kubeconfigPath: kubeconfigPath)
    }

    /// A raw HTTPS request trusting the cluster CA, with the admin certificate unless `anonymous`.
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String = "application/json",
                 accept: String = "application/json", anonymous: Bool = false) async throws -> (status: Int, headers: [(String, String)], body: Data) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(server.certificates.caCertificatePEM.utf8)))
        if !anonymous {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(server.certificates.adminCertificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(server.certificates.adminKeyPEM.utf8), format: .pem))
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.method = method
            request.headers.add(name: "Accept", value: accept)
            if let body {
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            try await http.shutdown()
            return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, Data(bytes.readableBytesView))
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// The output of a command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program on a thread of its own (never blocking the cooperative pool the in-process
/// server needs), waiting at most `timeout` seconds.
func runCommand(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 60) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runCommandBlocking(executable, arguments, stdin: stdin, environment: environment, timeout: timeout) })
        }
    }
}

func runCommandBlocking(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let outData = NIOLockedBox(Data()), errData = NIOLockedBox(Data())
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData.set(out.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { process.terminate() }
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                         stderr: String(decoding: errData.get(), as: UTF8.self))
}

/// The folder of `kubectl.1.27` … `kubectl.1.33`, or nil.
let kubectlDirectory: String? = {
    let candidates = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]
    for candidate in candidates {
        let resolved = URL(fileURLWithPath: candidate).resolvingSymlinksInPath().deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: resolved + "/kubectl.1.33") { return resolved }
    }
    return nil
}()

/// The repository's root (for examples/seed).
let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
