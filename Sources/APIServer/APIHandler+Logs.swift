import Foundation
import Hummingbird
import HTTPTypes
import KubeClient
import KubeModel
import NIOCore

/// A pod and the one container a `pods/log` or `pods/exec` request is about.
struct PodContainer: Sendable {
    var namespace: String
    var pod: String
    var container: String
    /// `spec.nodeName`; nil while the pod is not scheduled.
    var nodeName: String?
    var object: JSONValue
}

extension APIHandler {
    /// `GET …/pods/<name>/log`: the container's log from the node that runs it, `text/plain`,
    /// streamed (chunked) as the node produces it, so `follow` ends when the node's stream does.
    func podLog(_ request: Request, namespace: String?, name: String, query: Query) async throws -> Response {
        let options = try Self.podLogOptions(query, pod: name)
        let target = try resolvePodContainer(namespace: namespace ?? "default", name: name, container: query["container"])
        // Like the real API server: no node yet, no location, an empty log.
        guard let streams = try nodeStreams(for: target) else { return Self.logResponse(nil, request: request, follow: false) }
        let chunks = try await streams.logs(namespace: target.namespace, pod: target.pod, container: target.container, options: options)
        return Self.logResponse(chunks, request: request, follow: options.follow)
    }

    /// The pod and container of a `pods/log` or `pods/exec` request, as the API server's
    /// `LogLocation` / `ExecLocation` resolve them: 404 for a missing pod; an empty `container`
    /// means the only container (400 `a container name must be specified for pod web-0,
    /// choose one of: [a b]` when there are several); a container the pod does not have is a
    /// 400 `container x is not valid for pod y`.
    func resolvePodContainer(namespace: String, name: String, container: String?) throws -> PodContainer {
        guard let pods = ResourceCatalog.resource(group: "", version: "v1", plural: "pods") else {
            throw KubeAPIError.internalError("pods are not served")
        }
        let object = try registry.get(pods, namespace: namespace, name: name).object
        let spec = object["spec"]
        func names(_ key: String) -> [String] {
            spec?[key]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        }
        let containers = names("containers")
        let all = names("initContainers") + containers + names("ephemeralContainers")
        let resolved: String
        if let container, !container.isEmpty {
            guard all.contains(container) else {
                throw KubeAPIError.badRequest("container \(container) is not valid for pod \(name)")
            }
            resolved = container
        } else if containers.count == 1, let only = containers.first {
            resolved = only
        } else if containers.isEmpty {
            throw KubeAPIError.badRequest("a container name must be specified for pod \(name)")
        } else {
            throw KubeAPIError.badRequest("a container name must be specified for pod \(name), choose one of: [\(all.joined(separator: " "))]")
        }
        let node = spec?["nodeName"]?.stringValue
        return PodContainer(namespace: namespace, pod: name, container: resolved, nodeName: node?.isEmpty == false ? node : nil, object: object)
    }

    /// The node agent serving the pod's node; nil when the pod is not scheduled. A node the
    /// cluster does not know is a 404; a known node without an agent attached here answers
    /// as a kubelet that cannot be reached does.
    func nodeStreams(for target: PodContainer) throws -> (any ContainerStreams)? {
        guard let nodeName = target.nodeName else { return nil }
        if let nodes = ResourceCatalog.resource(group: "", version: "v1", plural: "nodes") {
            _ = try registry.get(nodes, namespace: nil, name: nodeName)
        }
        guard let streams = containerStreams.get() else {
            throw KubeAPIError(code: 500, reason: "InternalError",
                               message: "no kubelet is serving node \"\(nodeName)\" (pod \(target.namespace)/\(target.pod))")
        }
        return streams
    }

    /// `core/v1.PodLogOptions` from the query, validated as the API server does (422 Invalid).
    static func podLogOptions(_ query: Query, pod: String) throws -> PodLogOptions {
        func integer(_ key: String) throws -> Int? {
            guard let text = query[key] else { return nil }
            guard let value = Int(text) else {
                throw KubeAPIError.badRequest("strconv.ParseInt: parsing \"\(text)\": invalid syntax")
            }
            return value
        }
        var options = PodLogOptions(
            follow: query.bool("follow"), previous: query.bool("previous"), timestamps: query.bool("timestamps"),
            tailLines: try integer("tailLines"), sinceSeconds: try integer("sinceSeconds"), sinceTime: query["sinceTime"],
            limitBytes: try integer("limitBytes"))
        if options.sinceTime?.isEmpty == true { options.sinceTime = nil }
        if let sinceTime = options.sinceTime, Self.rfc3339(sinceTime) == nil {
            throw KubeAPIError.badRequest("parsing time \"\(sinceTime)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(sinceTime)\" as \"2006\"")
        }
        var causes: [StatusCause] = []
        if let tail = options.tailLines, tail < 0 {
            causes.append(StatusCause(reason: StatusCause.Reason.invalid, message: "Invalid value: \(tail): must be greater than or equal to 0", field: "tailLines"))
        }
        if let limit = options.limitBytes, limit < 1 {
            causes.append(StatusCause(reason: StatusCause.Reason.invalid, message: "Invalid value: \(limit): must be greater than 0", field: "limitBytes"))
        }
        if options.sinceSeconds != nil && options.sinceTime != nil {
            causes.append(StatusCause(reason: StatusCause.Reason.forbidden, message: "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", field: ""))
        }
        if let since = options.sinceSeconds, since < 1 {
            causes.append(StatusCause(reason: StatusCause.Reason.invalid, message: "Invalid value: \(since): must be greater than 0", field: "sinceSeconds"))
        }
        if !causes.isEmpty {
            throw KubeAPIError.invalid(kind: "PodLogOptions", group: "", name: pod, causes: causes)
        }
        return options
    }

    static func rfc3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `text/plain`, the chunks as they come (empty without a stream). A follower stops
    /// reading (and the node releases its watch) as soon as the client goes away, not at the
    /// next line it could not deliver.
    static func logResponse(_ chunks: AsyncThrowingStream<[UInt8], any Error>?, request: Request, follow: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        headers[.cacheControl] = "no-cache, private"
        guard let chunks else {
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer()))
        }
        guard follow else {
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: chunks.map { ByteBuffer(bytes: $0) }))
        }
        let requestBody = request.body
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await requestBody.consumeWithCancellationOnInboundClose { _ in
                    for try await chunk in chunks {
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                }
            } catch is CancellationError {
                return
            }
            try await writer.finish(nil)
        })
    }
}
