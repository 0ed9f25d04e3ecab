import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore
import NIOHTTP1
import NIOSSL

/// The `KubeClient` over HTTPS, configured from a kubeconfig (client certificate or bearer
/// token). Call `shutdown()` when done.
public final class HTTPKubeClient: KubeClient {
    let http: HTTPClient
    public let server: String
    let token: String?
    /// The namespace of the kubeconfig context.
    public let defaultNamespace: String

    public init(kubeconfig: Kubeconfig, context: String? = nil) throws {
        let (cluster, user, namespace) = try kubeconfig.resolve(context: context)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = try Self.pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority) {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
        }
        if let certificate = try Self.pem(data: user.clientCertificateData, file: user.clientCertificate),
           let key = try Self.pem(data: user.clientKeyData, file: user.clientKey) {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        server = cluster.server.hasSuffix("/") ? String(cluster.server.dropLast()) : cluster.server
        token = user.token
        defaultNamespace = namespace
    }

    /// Reads the kubeconfig at `path` (default: `$KUBECONFIG` or `~/.kube/config`).
    public convenience init(kubeconfigPath: String? = nil, context: String? = nil) throws {
        try self.init(kubeconfig: Kubeconfig.load(path: kubeconfigPath ?? Kubeconfig.defaultPath), context: context)
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    private static func pem(data: String?, file: String?) throws -> [UInt8]? {
        if let data, let decoded = Data(base64Encoded: data) { return Array(decoded) }
        if let file { return Array(try Data(contentsOf: URL(fileURLWithPath: file))) }
        return nil
    }

    // MARK: Requests

    /// `/api/v1/namespaces/default/pods/web-0/status`
    public static func path(_ resource: APIResource, namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = resource.gvk.group.isEmpty ? "/api/\(resource.gvk.version)" : "/apis/\(resource.gvk.group)/\(resource.gvk.version)"
        if resource.namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(namespace)" }
        path += "/\(resource.plural)"
        if let name { path += "/\(name)" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    static func queryString(_ items: [(String, String?)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,")
        let parts = items.compactMap { key, value -> String? in
            guard let value else { return nil }
            return "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    static func listQuery(_ options: ListOptions, watch: Bool) -> [(String, String?)] {
        [
            ("labelSelector", options.labelSelector), ("fieldSelector", options.fieldSelector),
            ("limit", options.limit.map(String.init)), ("continue", options.continueToken),
            ("resourceVersion", options.resourceVersion), ("timeoutSeconds", options.timeoutSeconds.map(String.init)),
            ("allowWatchBookmarks", options.allowWatchBookmarks ? "true" : nil), ("watch", watch ? "true" : nil),
        ]
    }

    func makeRequest(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil, contentType: String = "application/json",
                     accept: String = "application/json") throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server + pathAndQuery)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "minikube-swift")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: try body.jsonData()))
        }
        return request
    }

    /// Sends a request and decodes the JSON answer; a Status failure becomes a `KubeAPIError`.
    public func send(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil, contentType: String = "application/json",
                     accept: String = "application/json") async throws -> JSONValue {
        let request = try makeRequest(method, pathAndQuery, body: body, contentType: contentType, accept: accept)
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 512 * 1024 * 1024)
        let data = Data(bytes.readableBytesView)
        let value = data.isEmpty ? JSONValue.null : ((try? JSONValue(json: data)) ?? .string(String(decoding: data, as: UTF8.self)))
        guard (200..<300).contains(Int(response.status.code)) else {
            if let error = KubeAPIError(status: value) { throw error }
            throw KubeAPIError(code: Int(response.status.code), reason: response.status.reasonPhrase,
                               message: value.stringValue ?? "the server responded with \(response.status.code)")
        }
        return value
    }

    // MARK: KubeClient

    public func bind(namespace: String, name: String, binding: JSONValue) async throws {
        _ = try await send(.POST, Self.path(Pod.resource, namespace: namespace, name: name, subresource: "binding"), body: binding)
    }

    public func get(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue {
        try await send(.GET, Self.path(resource, namespace: namespace, name: name))
    }

    public func list(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> ObjectList<JSONValue> {
        let value = try await send(.GET, Self.path(resource, namespace: namespace) + Self.queryString(Self.listQuery(options, watch: false)))
        return ObjectList(apiVersion: resource.gvk.apiVersion, kind: resource.listKind, metadata: ListMeta(
            resourceVersion: value[path: ["metadata", "resourceVersion"]]?.stringValue,
            continue: value[path: ["metadata", "continue"]]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }),
            items: value["items"]?.arrayValue ?? [])
    }

    public func watch(_ resource: APIResource, namespace: String?, options: ListOptions) async throws
        -> AsyncThrowingStream<KubeWatchEvent, any Error>
    {
        let request = try makeRequest(.GET, Self.path(resource, namespace: namespace) + Self.queryString(Self.listQuery(options, watch: true)))
        let response = try await http.execute(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            let bytes = try await response.body.collect(upTo: 1024 * 1024)
            let value = (try? JSONValue(json: Data(bytes.readableBytesView))) ?? .null
            throw KubeAPIError(status: value) ?? KubeAPIError(code: Int(response.status.code), reason: response.status.reasonPhrase, message: "watch failed")
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var pending = Data()
                    for try await chunk in response.body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = pending[pending.startIndex..<newline]
                            pending = Data(pending[pending.index(after: newline)...])
                            if line.isEmpty { continue }
                            let event = try KubeWatchEvent(json: JSONValue(json: Data(line)))
                            if event.type == .error, let error = KubeAPIError(status: event.object) {
                                throw error
                            }
                            continuation.yield(event)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func create(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let ns = namespace ?? object["metadata"]?["namespace"]?.stringValue ?? defaultNamespace
        return try await send(.POST, Self.path(resource, namespace: ns), body: object)
    }

    public func update(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let ns = namespace ?? object["metadata"]?["namespace"]?.stringValue ?? defaultNamespace
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return try await send(.PUT, Self.path(resource, namespace: ns, name: name), body: object)
    }

    public func updateStatus(_ resource: APIResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let ns = namespace ?? object["metadata"]?["namespace"]?.stringValue ?? defaultNamespace
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return try await send(.PUT, Self.path(resource, namespace: ns, name: name, subresource: "status"), body: object)
    }

    public func patch(_ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue,
                      subresource: String?) async throws -> JSONValue {
        let query = type == .apply ? Self.queryString([("fieldManager", "minikube-swift"), ("force", "true")]) : ""
        return try await send(.PATCH, Self.path(resource, namespace: namespace ?? defaultNamespace, name: name, subresource: subresource) + query,
                              body: patch, contentType: type.rawValue)
    }

    @discardableResult
    public func delete(_ resource: APIResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue? {
        let value = try await send(.DELETE, Self.path(resource, namespace: namespace ?? defaultNamespace, name: name), body: try JSONValue(encoding: options))
        if value["kind"]?.stringValue == "Status" { return nil }
        if value[path: ["metadata", "deletionTimestamp"]] != nil { return value }
        return nil
    }
}
