import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubeClient
import KubeModel
import Logging
import NIOCore
import NIOSSL

/// The Kubernetes API server of minikube-swift: certificates and kubeconfig on first start, the
/// SQLite store, and HTTPS with mutual TLS on 127.0.0.1.
public final class APIServer: Sendable {
    public struct Configuration: Sendable {
        public var dataDirectory: String
        public var host: String
        public var port: Int
        /// Where the kubeconfig is merged (nil: `~/.kube/config`); `<data-dir>/kubeconfig` is
        /// always written.
        public var kubeconfigPath: String?
        public var mergeKubeconfig: Bool
        public var kubernetesVersion: KubernetesVersion
        public var eventWindow: Int

        public init(dataDirectory: String, host: String = "127.0.0.1", port: Int = 6443, kubeconfigPath: String? = nil,
                    mergeKubeconfig: Bool = true, kubernetesVersion: KubernetesVersion = KubernetesVersion(), eventWindow: Int = 10_000) {
            self.dataDirectory = dataDirectory
            self.host = host
            self.port = port
            self.kubeconfigPath = kubeconfigPath
            self.mergeKubeconfig = mergeKubeconfig
            self.kubernetesVersion = kubernetesVersion
            self.eventWindow = eventWindow
        }
    }

    public let configuration: Configuration
    public let certificates: ClusterCertificates
    public let store: SQLiteStore
    public let registry: Registry
    /// The admin bearer token (also accepted instead of the client certificate).
    public let adminToken: String
    /// The node's logs and exec sessions (`pods/log`, `pods/exec`); set once the kubelet runs.
    let containerStreams = NIOLockedBox<(any ContainerStreams)?>(nil)
    let logger: Logger

    /// Creates (or loads) certificates and the store, and writes the kubeconfig.
    public init(configuration: Configuration, logger: Logger = Logger(label: "apiserver")) throws {
        self.configuration = configuration
        self.logger = logger
        let pki = configuration.dataDirectory + "/pki"
        certificates = try ClusterCertificates.loadOrCreate(directory: pki)
        adminToken = try Self.loadOrCreateToken(path: pki + "/admin.token")
        store = try SQLiteStore(path: configuration.dataDirectory + "/state.db", eventWindow: configuration.eventWindow)
        registry = Registry(store: store, logger: logger)
        try registry.bootstrap()
        try writeKubeconfig()
    }

    /// Serves `pods/log` and `pods/exec` through this node's kubelet.
    public func attach(_ streams: any ContainerStreams) { containerStreams.set(streams) }

    public var serverURL: String { "https://\(configuration.host):\(configuration.port)" }

    /// The kubeconfig of the admin user for this server.
    public var kubeconfig: Kubeconfig {
        var config = Kubeconfig()
        let name = "minikube-swift"
        config.clusters = [.init(name: name, value: .init(server: serverURL, certificateAuthorityData: Data(certificates.caCertificatePEM.utf8).base64EncodedString()))]
        config.users = [.init(name: name, value: .init(clientCertificateData: Data(certificates.adminCertificatePEM.utf8).base64EncodedString(),
                                                       clientKeyData: Data(certificates.adminKeyPEM.utf8).base64EncodedString()))]
        config.contexts = [.init(name: name, value: .init(cluster: name, user: name))]
        config.currentContext = name
        return config
    }

    func writeKubeconfig() throws {
        try kubeconfig.write(path: configuration.dataDirectory + "/kubeconfig")
        guard configuration.mergeKubeconfig else { return }
        try kubeconfig.merge(intoFileAt: configuration.kubeconfigPath ?? Kubeconfig.defaultPath)
    }

    static func loadOrCreateToken(path: String) throws -> String {
        if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CertificateError("write(\(path)) failed")
        }
        return token
    }

    /// The TLS setup: the serving certificate, and client certificates of the cluster CA asked
    /// for but optional (so a request without one gets a 401 Status, or may carry a token).
    func tlsConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificates.servingCertificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(certificates.servingKeyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificates.caCertificatePEM.utf8)))
        tls.certificateVerification = .optionalVerification
        tls.applicationProtocols = ["http/1.1"]
        return tls
    }

    /// Serves until the task is cancelled or a graceful shutdown is triggered; `onRunning`
    /// runs once the port is bound.
    public func run(onRunning: @escaping @Sendable () async -> Void = {}) async throws {
        let handler = APIHandler(
            registry: registry, kubernetesVersion: configuration.kubernetesVersion,
            serverAddress: "\(configuration.host):\(configuration.port)",
            tokens: [adminToken: UserInfo(name: ClusterCertificates.adminUser, groups: [ClusterCertificates.adminGroup])],
            containerStreams: containerStreams, logger: logger)
        // Hummingbird reports cancelled connections as errors when the server stops; every
        // API error is logged by the handler.
        var appLogger = logger
        appLogger.logLevel = .critical
        let app = Application(
            responder: APIResponder(handler: handler),
            // `pods/exec` upgrades leave Hummingbird's pipeline at the ExecUpgradeHandler.
            server: try .tls(.http1(configuration: .init(additionalChannelHandlers: [ExecUpgradeHandler(handler: handler)])),
                             tlsConfiguration: tlsConfiguration()),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { _ in await onRunning() },
            logger: appLogger)
        try await app.run()
    }

    /// An in-process client going through this server's registry.
    public var client: LocalKubeClient { LocalKubeClient(registry: registry) }
}
