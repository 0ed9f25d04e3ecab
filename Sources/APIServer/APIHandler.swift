import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import KubeClient
import KubeModel
import Logging
import NIOCore
import NIOSSL

/// The request context: Hummingbird's core storage plus the channel, whose TLS handler holds
/// the client certificate.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Hands every request to the `APIHandler`.
struct APIResponder: HTTPResponder {
    let handler: APIHandler

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        await handler.handle(request, channel: context.channel)
    }
}

/// Kubernetes' HTTP API over the registry: authentication, discovery, OpenAPI, and the REST verbs
/// of every resource (JSON in and out, YAML in, Tables and watch streams out).
final class APIHandler: Sendable {
    let registry: Registry
    let kubernetesVersion: KubernetesVersion
    let serverAddress: String
    let tokens: [String: UserInfo]
    /// The kubelet's logs and exec sessions, once it runs.
    let containerStreams: NIOLockedBox<(any ContainerStreams)?>
    let logger: Logger

    /// Kubernetes' limit on request bodies.
    static let maxBodySize = 3 * 1024 * 1024

    init(registry: Registry, kubernetesVersion: KubernetesVersion, serverAddress: String, tokens: [String: UserInfo],
         containerStreams: NIOLockedBox<(any ContainerStreams)?> = NIOLockedBox(nil), logger: Logger) {
        self.registry = registry
        self.kubernetesVersion = kubernetesVersion
        self.serverAddress = serverAddress
        self.tokens = tokens
        self.containerStreams = containerStreams
        self.logger = logger
    }

    func handle(_ request: Request, channel: any Channel) async -> Response {
        do {
            return try await route(request, channel: channel)
        } catch let error as KubeAPIError {
            return Self.statusResponse(error)
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(error)")
            return Self.statusResponse(.internalError(String(describing: error)))
        }
    }

    // MARK: Routing

    func route(_ request: Request, channel: any Channel) async throws -> Response {
        let path = request.uri.path
        switch path {
        case "/healthz", "/livez", "/readyz", "/healthz/ping", "/livez/ping", "/readyz/ping":
            return Self.text("ok")
        case "/version", "/version/":
            return try Self.json(kubernetesVersion.json)
        default:
            break
        }
        _ = try await authenticate(request, channel: channel)
        let query = Query(request.uri.query)
        let accept = request.headers[.accept] ?? ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else {
            return try Self.json(.object(["paths": .array(["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"].map { .string($0) })]))
        }
        switch first {
        case "api":
            if segments.count == 1 {
                try Self.requireGet(request)
                if let version = Discovery.aggregatedVersion(accept: accept) {
                    return try Self.json(Discovery.aggregated(core: true, version: version), contentType: version == "v2" ? Discovery.aggregatedV2 : Discovery.aggregatedV2Beta1)
                }
                return try Self.json(Discovery.apiVersions(serverAddress: serverAddress))
            }
            return try await resourceRequest(request, group: "", version: segments[1], rest: Array(segments.dropFirst(2)), query: query, accept: accept)
        case "apis":
            if segments.count == 1 {
                try Self.requireGet(request)
                if let version = Discovery.aggregatedVersion(accept: accept) {
                    return try Self.json(Discovery.aggregated(core: false, version: version), contentType: version == "v2" ? Discovery.aggregatedV2 : Discovery.aggregatedV2Beta1)
                }
                return try Self.json(Discovery.apiGroupList())
            }
            if segments.count == 2 {
                guard let group = Discovery.apiGroup(segments[1]) else { throw KubeAPIError.resourceNotFound(path) }
                return try Self.json(group)
            }
            return try await resourceRequest(request, group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)), query: query, accept: accept)
        case "openapi":
            return try openAPI(segments: Array(segments.dropFirst()), accept: accept)
        case "swagger-2.0.0.pb-v1":
            let document = OpenAPIDocuments.swaggerV2Protobuf()
            return Self.raw(document.data, contentType: Self.openAPIV2Protobuf, etag: document.hash)
        default:
            throw KubeAPIError.resourceNotFound(path)
        }
    }

    /// The user of a request: its verified client certificate or a token the server issued.
    func authenticate(_ request: Request, channel: any Channel) async throws -> UserInfo {
        try await authenticate(authorization: request.headers[.authorization], channel: channel)
    }

    /// The user behind an `Authorization` header or the connection's client certificate.
    func authenticate(authorization: String?, channel: any Channel) async throws -> UserInfo {
        if let authorization, authorization.hasPrefix("Bearer ") {
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
            if let user = tokens[token] { return user }
            throw KubeAPIError.unauthorized
        }
        if let certificate = try? await channel.nioSSL_peerCertificate().get(),
           let der = try? certificate.toDERBytes(),
           let user = try? ClusterCertificates.identity(derEncoded: der), !user.name.isEmpty {
            return user
        }
        throw KubeAPIError.unauthorized
    }

    // MARK: Resources

    struct ResourcePath {
        var resource: APIResource
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    func parseResourcePath(group: String, version: String, rest: [String], path: String) throws -> ResourcePath {
        let served = ResourceCatalog.resources(group: group, version: version)
        guard !served.isEmpty else { throw KubeAPIError.resourceNotFound(path) }
        var namespace: String?
        var parts = rest
        if parts.count >= 3, parts[0] == "namespaces", served.contains(where: { $0.plural == parts[2] && $0.namespaced }) {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard let plural = parts.first, let resource = ResourceCatalog.resource(group: group, version: version, plural: plural) else {
            throw KubeAPIError.resourceNotFound(path)
        }
        if namespace != nil && !resource.namespaced { throw KubeAPIError.resourceNotFound(path) }
        let name = parts.count > 1 ? parts[1] : nil
        let subresource = parts.count > 2 ? parts[2] : nil
        if parts.count > 3 { throw KubeAPIError.resourceNotFound(path) }
        if let subresource, !resource.subresources.contains(subresource) { throw KubeAPIError.resourceNotFound(path) }
        return ResourcePath(resource: resource, namespace: namespace, name: name, subresource: subresource)
    }

    func resourceRequest(_ request: Request, group: String, version: String, rest: [String], query: Query, accept: String) async throws -> Response {
        if rest.isEmpty {
            try Self.requireGet(request)
            guard let list = Discovery.apiResourceList(group: group, version: version) else {
                throw KubeAPIError.resourceNotFound(request.uri.path)
            }
            return try Self.json(list)
        }
        let target = try parseResourcePath(group: group, version: version, rest: rest, path: request.uri.path)
        let warnings = NIOLockedBox<[String]>([])
        var response = try await resourceVerb(request, target, query: query, accept: accept, warnings: warnings)
        for warning in warnings.get() {
            response.headers.append(HTTPField(name: Self.warningHeader, value: warning))
        }
        return response
    }

    static let warningHeader = HTTPField.Name("Warning")!

    /// `fieldValidation=Strict` rejects fields the kind's schema does not have (400);
    /// `Warn` (and kubectl's default of old) returns them as Warning headers.
    static func checkFields(_ body: JSONValue, gvk: GroupVersionKind, query: Query, isPatch: Bool) throws -> [String] {
        let mode = query["fieldValidation"] ?? "Warn"
        if mode == "Ignore" { return [] }
        var unknown = Schema.unknownFields(in: body, gvk: gvk)
        if isPatch {
            unknown.removeAll { $0.contains("$") || $0 == "metadata.resourceVersion" }
        }
        if unknown.isEmpty { return [] }
        if mode == "Strict" {
            throw KubeAPIError.badRequest(Schema.strictDecodingStatusMessage(unknown, gvk: gvk))
        }
        return Schema.unknownFieldWarnings(unknown)
    }

    func resourceVerb(_ request: Request, _ target: ResourcePath, query: Query, accept: String, warnings: NIOLockedBox<[String]>) async throws -> Response {
        let resource = target.resource
        let namespace = target.namespace
        let wantsTable = accept.contains("as=Table")
        let include = Tables.IncludeObject(rawValue: query["includeObject"] ?? "") ?? .metadata
        let dryRun = query["dryRun"] == "All"

        switch (request.method, target.name, target.subresource) {
        case (.get, nil, nil):
            let options = query.listOptions
            if query.bool("watch") {
                return try watchResponse(resource, namespace: namespace, options: options, table: wantsTable, include: include)
            }
            let page = try registry.list(resource, namespace: namespace, options: options)
            if wantsTable {
                return try Self.json(Tables.table(page.objects.map(\.object), resource, resourceVersion: String(page.resourceVersion),
                                                  continueToken: page.continueToken, include: include))
            }
            return Self.listResponse(resource, page.objects, resourceVersion: page.resourceVersion, continueToken: page.continueToken)
        case (.get, let name?, nil), (.get, let name?, "status"):
            let stored = try registry.get(resource, namespace: namespace, name: name)
            if wantsTable {
                return try Self.json(Tables.table([stored.object], resource, resourceVersion: String(stored.resourceVersion), include: include))
            }
            return Self.raw(stored.json)
        case (.get, let name?, "log"):
            return try await podLog(request, namespace: namespace, name: name, query: query)
        case (.get, let name?, "scale"):
            return try Self.json(try registry.scale(resource, namespace: namespace, name: name))
        case (.post, nil, nil):
            let body = try await Self.decodeBody(request)
            warnings.set(try Self.checkFields(body, gvk: resource.gvk, query: query, isPatch: false))
            let created = try await registry.offload { [registry] in try registry.create(resource, namespace: namespace ?? (resource.namespaced ? "default" : nil), body, dryRun: dryRun) }
            return try Self.json(created, status: .created)
        case (.post, let name?, "binding"):
            let body = try await Self.decodeBody(request)
            try await registry.offload { [registry] in try registry.bind(namespace: namespace, name: name, binding: body) }
            return try Self.json(.object(["kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
                                          "status": .string("Success"), "code": .int(201)]), status: .created)
        case (.put, let name?, nil), (.put, let name?, "status"):
            let body = try await Self.decodeBody(request)
            warnings.set(try Self.checkFields(body, gvk: resource.gvk, query: query, isPatch: false))
            let updated = try await registry.offload { [registry] in try registry.update(resource, namespace: namespace, name: name, body, subresource: target.subresource, dryRun: dryRun) }
            return try Self.json(updated)
        case (.put, let name?, "scale"):
            let body = try await Self.decodeBody(request)
            let scale = try await registry.offload { [registry] in try registry.updateScale(resource, namespace: namespace, name: name) { _ in body } }
            return try Self.json(scale)
        case (.patch, let name?, let sub):
            let contentType = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let type = PatchType(rawValue: contentType) else {
                throw KubeAPIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
            }
            let patch = try await Self.decodeBody(request, allowArray: type == .json)
            if type != .json {
                let gvk = sub == "scale" ? Patches.scaleKind : resource.gvk
                warnings.set(try Self.checkFields(patch, gvk: gvk, query: query, isPatch: true))
            }
            if sub == "scale" {
                let scale = try await registry.offload { [registry] in try registry.updateScale(resource, namespace: namespace, name: name) { current in
                    try Patches.apply(type, patch, to: current, gvk: Patches.scaleKind)
                } }
                return try Self.json(scale)
            }
            guard sub == nil || sub == "status" else { throw KubeAPIError.methodNotAllowed("the server does not allow this method on the requested resource") }
            let patched = try await registry.offload { [registry] in try registry.patch(resource, namespace: namespace, name: name, type: type, patch, subresource: sub,
                                             force: query.bool("force"), dryRun: dryRun) }
            return try Self.json(patched)
        case (.delete, let name?, nil):
            var options = DeleteOptions.decoding(try await Self.decodeBody(request, optional: true))
            if let grace = query["gracePeriodSeconds"].flatMap(Int64.init) { options.gracePeriodSeconds = grace }
            if let policy = query["propagationPolicy"] { options.propagationPolicy = policy }
            if dryRun { options.dryRun = ["All"] }
            let deleteOptions = options
            let result = try await registry.offload { [registry] in try registry.delete(resource, namespace: namespace, name: name, options: deleteOptions) }
            return try Self.json(result.object)
        case (.delete, nil, nil):
            guard resource.verbs.contains("deletecollection") else {
                throw KubeAPIError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
            var options = DeleteOptions.decoding(try await Self.decodeBody(request, optional: true))
            if let grace = query["gracePeriodSeconds"].flatMap(Int64.init) { options.gracePeriodSeconds = grace }
            let deleteOptions = options
            let listOptions = query.listOptions
            let deleted = try await registry.offload { [registry] in try registry.deleteCollection(resource, namespace: namespace, listOptions: listOptions, options: deleteOptions) }
            return try Self.json(.object([
                "kind": .string(resource.listKind), "apiVersion": .string(resource.gvk.apiVersion),
                "metadata": .object(["resourceVersion": .string(String(registry.store.resourceVersion))]), "items": .array(deleted),
            ]))
        default:
            throw KubeAPIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    // MARK: Watch

    func watchResponse(_ resource: APIResource, namespace: String?, options: ListOptions, table: Bool, include: Tables.IncludeObject) throws -> Response {
        let events: AsyncStream<StoreEvent>
        let expired: KubeAPIError?
        do {
            events = try registry.watch(resource, namespace: namespace, options: options)
            expired = nil
        } catch let error as KubeAPIError where error.code == 410 {
            expired = error
            events = AsyncStream { $0.finish() }
        }
        let store = registry.store
        let startRV = Int64(options.resourceVersion ?? "") ?? store.resourceVersion
        let timeout = options.timeoutSeconds
        let bookmarks = options.allowWatchBookmarks
        let lines = AsyncStream<ByteBuffer>(bufferingPolicy: .unbounded) { continuation in
            let lastRV = NIOLockedBox(startRV)
            let producer = Task {
                if let expired {
                    continuation.yield(Self.line(KubeWatchEvent(type: .error, object: expired.status).json))
                    continuation.finish()
                    return
                }
                for await event in events {
                    if table {
                        let object = Tables.table([event.object], resource, resourceVersion: String(event.resourceVersion),
                                                  include: include, withColumns: true)
                        continuation.yield(Self.line(.object(["type": .string(event.type.rawValue), "object": object])))
                    } else {
                        // The stored bytes of the object, framed without encoding it again.
                        var buffer = ByteBuffer()
                        buffer.reserveCapacity(event.json.count + 32)
                        buffer.writeString("{\"type\":\"\(event.type.rawValue)\",\"object\":")
                        buffer.writeBytes(event.json)
                        buffer.writeString("}\n")
                        continuation.yield(buffer)
                    }
                    lastRV.set(event.resourceVersion)
                }
                continuation.finish()
            }
            let timer = Task {
                let deadline = timeout.map { Date().addingTimeInterval(TimeInterval($0)) }
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    if let deadline, Date() >= deadline {
                        producer.cancel()
                        continuation.finish()
                        return
                    }
                    if bookmarks, Int(Date().timeIntervalSince1970) % 10 == 0 {
                        let rv = String(lastRV.get())
                        let object: JSONValue = .object([
                            "kind": .string(resource.gvk.kind), "apiVersion": .string(resource.gvk.apiVersion),
                            "metadata": .object(["resourceVersion": .string(rv)]),
                        ])
                        continuation.yield(Self.line(.object(["type": .string("BOOKMARK"), "object": object])))
                    }
                }
            }
            continuation.onTermination = { _ in
                producer.cancel()
                timer.cancel()
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache, private"
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: lines))
    }

    static func line(_ value: JSONValue) -> ByteBuffer {
        var data = (try? value.jsonData()) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: data)
    }

    // MARK: OpenAPI

    func openAPI(segments: [String], accept: String) throws -> Response {
        guard let version = segments.first else { throw KubeAPIError.resourceNotFound("/openapi") }
        switch version {
        case "v3":
            if segments.count == 1 { return try Self.json(OpenAPIDocuments.index()) }
            let rest = Array(segments.dropFirst())
            let (group, gv): (String, String) = rest.first == "api" && rest.count == 2 ? ("", rest[1])
                : rest.first == "apis" && rest.count == 3 ? (rest[1], rest[2]) : ("-", "-")
            guard let document = OpenAPIDocuments.serializedDocument(group: group, version: gv) else {
                throw KubeAPIError.resourceNotFound("/openapi/v3/" + rest.joined(separator: "/"))
            }
            return Self.raw(document.data, etag: document.hash)
        case "v2" where segments.count == 1:
            if accept.contains("protobuf") {
                let document = OpenAPIDocuments.swaggerV2Protobuf()
                return Self.raw(document.data, contentType: Self.openAPIV2Protobuf, etag: document.hash)
            }
            let document = OpenAPIDocuments.swaggerV2JSON()
            return Self.raw(document.data, etag: document.hash)
        default:
            throw KubeAPIError.resourceNotFound("/openapi/" + segments.joined(separator: "/"))
        }
    }

    /// kube-openapi answers the deprecated `…spec.v2@v1.0+protobuf` request with this type.
    static let openAPIV2Protobuf = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    // MARK: Bodies and responses

    static func requireGet(_ request: Request) throws {
        guard request.method == .get else {
            throw KubeAPIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// Reads a JSON or YAML body of at most 3 MiB.
    static func decodeBody(_ request: Request, optional: Bool = false, allowArray: Bool = false) async throws -> JSONValue {
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            if buffer.readableBytes + chunk.readableBytes > maxBodySize {
                throw KubeAPIError.requestEntityTooLarge(maxBodySize)
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        let data = Data(buffer.readableBytesView)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if optional { return .object([:]) }
            throw KubeAPIError.badRequest("the body of the request is empty")
        }
        let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            do {
                return try ProtobufObjectDecoder.decode(data)
            } catch {
                throw KubeAPIError(code: 415, reason: "UnsupportedMediaType", message: error.description)
            }
        }
        if !(contentType.contains("json") || contentType.contains("yaml")) {
            throw KubeAPIError.unsupportedMediaType(contentType)
        }
        let documents: [JSONValue]
        do {
            documents = try ManifestDecoder.documents(from: data)
        } catch let error as ManifestDecoder.DecodingError {
            throw KubeAPIError.badRequest("error decoding body: \(error.description)")
        } catch {
            throw KubeAPIError.badRequest("error decoding body: \(error)")
        }
        guard documents.count == 1, let document = documents.first else {
            throw KubeAPIError.badRequest("error decoding body: expected one document, found \(documents.count)")
        }
        if case .object = document { return document }
        if allowArray, case .array = document { return document }
        throw KubeAPIError.badRequest("error decoding body: json: cannot unmarshal \(document.arrayValue != nil ? "array" : "value") into Go value of type struct")
    }

    static func text(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json") throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try value.jsonData())))
    }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json", etag: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        if let etag { headers[.eTag] = "\"\(etag)\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A List built from the stored bytes of its items, without encoding them again.
    static func listResponse(_ resource: APIResource, _ objects: [StoredObject], resourceVersion: Int64, continueToken: String?) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(objects.reduce(256) { $0 + $1.json.count + 1 })
        buffer.writeString("{\"apiVersion\":\"\(resource.gvk.apiVersion)\",\"items\":[")
        for (index, object) in objects.enumerated() {
            if index > 0 { buffer.writeString(",") }
            buffer.writeBytes(object.json)
        }
        buffer.writeString("],\"kind\":\"\(resource.listKind)\",\"metadata\":{")
        if let continueToken { buffer.writeString("\"continue\":\"\(continueToken)\",") }
        buffer.writeString("\"resourceVersion\":\"\(resourceVersion)\"}}")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache, private"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    static func statusResponse(_ error: KubeAPIError) -> Response {
        let status = HTTPResponse.Status(code: error.code)
        return (try? json(error.status, status: status)) ?? Response(status: status)
    }
}

/// The query of a request, decoded.
struct Query: Sendable {
    var values: [String: [String]] = [:]

    init(_ query: String?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[key, default: []].append(value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    subscript(_ key: String) -> String? { values[key]?.first }

    func bool(_ key: String) -> Bool {
        guard let value = self[key] else { return false }
        return value == "true" || value == "1" || value == ""
    }

    var listOptions: ListOptions {
        ListOptions(
            labelSelector: self["labelSelector"], fieldSelector: self["fieldSelector"],
            limit: self["limit"].flatMap(Int.init), continueToken: self["continue"],
            resourceVersion: self["resourceVersion"], timeoutSeconds: self["timeoutSeconds"].flatMap(Int.init),
            allowWatchBookmarks: bool("allowWatchBookmarks") && self["allowWatchBookmarks"] != nil)
    }
}

/// A lock-protected value for the few places a reference must be shared between tasks.
final class NIOLockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
}
