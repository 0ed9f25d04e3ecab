import Foundation
import HTTPTypes
import KubeClient
import KubeModel
import NIOCore

/// A `pods/exec` request the API server accepted: what to run where, and how to talk to the
/// client once the connection is upgraded.
struct ExecPlan: Sendable {
    var namespace: String
    var pod: String
    var container: String
    var request: ExecRequest
    var transport: ExecTransportKind
    var streams: any ContainerStreams
}

/// The framing of a remote-command connection.
enum ExecTransportKind: Sendable, Equatable {
    /// WebSocket with a `vN.channel.k8s.io` subprotocol (4 or 5) and the client's
    /// `Sec-WebSocket-Key`.
    case webSocket(version: Int, key: String)
    /// SPDY/3.1 with `X-Stream-Protocol-Version: vN.channel.k8s.io` (4 or 5).
    case spdy(version: Int)

    var protocolName: String {
        switch self {
        case .webSocket(let version, _), .spdy(let version): "v\(version).channel.k8s.io"
        }
    }
}

extension APIHandler {
    /// `/api/v1/namespaces/<ns>/pods/<name>/exec`: the namespace and pod, else nil.
    static func execTarget(path: String) -> (namespace: String, pod: String)? {
        let parts = path.split(separator: "?", maxSplits: 1)[0].split(separator: "/").map(String.init)
        guard parts.count == 7, parts[0] == "api", parts[1] == "v1", parts[2] == "namespaces", parts[4] == "pods",
              parts[6] == "exec" else { return nil }
        let decode = { (s: String) in s.removingPercentEncoding ?? s }
        return (decode(parts[3]), decode(parts[5]))
    }

    /// Authenticates an exec request and resolves its pod, container and protocol, answering
    /// as kube-apiserver does when something is missing (400 with its messages, 404 for a pod
    /// that is not there).
    func planExec(method: HTTPRequest.Method, path: String, headers: HTTPFields, channel: any Channel) async throws -> ExecPlan {
        _ = try await authenticate(authorization: headers[.authorization], channel: channel)
        guard let (namespace, podName) = Self.execTarget(path: path) else { throw KubeAPIError.resourceNotFound(path) }
        guard method == .get || method == .post else {
            throw KubeAPIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        let query = Query(path.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init))
        guard let pods = ResourceCatalog.resource(group: "", version: "v1", plural: "pods") else {
            throw KubeAPIError.resourceNotFound(path)
        }
        let pod = try registry.get(pods, namespace: namespace, name: podName).object
        let request = ExecRequest(
            command: query.values["command"] ?? [], stdin: query.flag("stdin"), stdout: query.flag("stdout"),
            stderr: query.flag("stderr"), tty: query.flag("tty"))
        guard request.stdin || request.stdout || request.stderr else {
            throw KubeAPIError.badRequest("you must specify at least 1 of stdin, stdout, stderr")
        }
        guard !request.command.isEmpty else {
            throw KubeAPIError.badRequest("you must specify at least one command for the container")
        }
        let container = try Self.execContainer(pod: pod, name: podName, requested: query["container"] ?? "")
        guard let node = pod["spec"]?["nodeName"]?.stringValue, !node.isEmpty else {
            throw KubeAPIError.badRequest("pod \(podName) does not have a host assigned")
        }
        guard let streams = containerStreams.get() else {
            throw KubeAPIError.internalError("error dialing backend: no node agent serves exec for node \(node)")
        }
        let statuses = (pod["status"]?["containerStatuses"]?.arrayValue ?? [])
            + (pod["status"]?["initContainerStatuses"]?.arrayValue ?? [])
        let running = statuses.contains { $0["name"]?.stringValue == container && $0["state"]?["running"] != nil }
        guard running else {
            throw KubeAPIError.badRequest("container not found (\"\(container)\")")
        }
        return ExecPlan(namespace: namespace, pod: podName, container: container, request: request,
                        transport: try Self.execTransport(headers: headers), streams: streams)
    }

    /// The container an exec goes to: the named one (also init and ephemeral containers), else
    /// the `kubectl.kubernetes.io/default-container` annotation's, else the only one.
    static func execContainer(pod: JSONValue, name: String, requested: String) throws -> String {
        let names = { (key: String) in (pod["spec"]?[key]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } }
        let containers = names("containers")
        let initContainers = names("initContainers")
        let ephemeral = names("ephemeralContainers")
        var container = requested
        if container.isEmpty, let annotated = pod["metadata"]?["annotations"]?["kubectl.kubernetes.io/default-container"]?.stringValue,
           containers.contains(annotated) {
            container = annotated
        }
        if container.isEmpty {
            guard containers.count == 1 else {
                var message = "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]"
                if !initContainers.isEmpty { message += " or one of the init containers: [\(initContainers.joined(separator: " "))]" }
                if !ephemeral.isEmpty { message += " or one of the ephemeral containers: [\(ephemeral.joined(separator: " "))]" }
                throw KubeAPIError.badRequest(message)
            }
            return containers[0]
        }
        guard containers.contains(container) || initContainers.contains(container) || ephemeral.contains(container) else {
            throw KubeAPIError.badRequest("container \(container) is not valid for pod \(name)")
        }
        return container
    }

    /// WebSocket (`Upgrade: websocket`, subprotocols v5 or v4) or SPDY/3.1
    /// (`X-Stream-Protocol-Version` v5 or v4; v4 preferred as kubelet does for old clients).
    static func execTransport(headers: HTTPFields) throws -> ExecTransportKind {
        let upgrade = (headers[.upgrade] ?? "").lowercased()
        let offered = { (name: HTTPField.Name) in
            headers[values: name].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if upgrade == "websocket" {
            guard let key = headers[.secWebSocketKey] else { throw KubeAPIError.badRequest("missing Sec-WebSocket-Key") }
            let protocols = offered(.secWebSocketProtocol)
            for version in [5, 4] where protocols.contains("v\(version).channel.k8s.io") {
                return .webSocket(version: version, key: key)
            }
            throw KubeAPIError.badRequest("unable to upgrade: unable to negotiate protocol: client supports \(protocols), server supports [v5.channel.k8s.io v4.channel.k8s.io]")
        }
        if upgrade == "spdy/3.1" {
            let protocols = offered(Self.streamProtocolVersion)
            for version in [4, 5] where protocols.contains("v\(version).channel.k8s.io") {
                return .spdy(version: version)
            }
            throw KubeAPIError(code: 403, reason: "Forbidden", message: "unable to upgrade: unable to negotiate protocol: client supports \(protocols), server supports [v5.channel.k8s.io v4.channel.k8s.io]")
        }
        throw KubeAPIError.badRequest("Upgrade request required")
    }

    static let streamProtocolVersion = HTTPField.Name("X-Stream-Protocol-Version")!

    /// The Status an exec ends with on the error channel: Success, or NonZeroExitCode with the
    /// code as kubelet writes it (kubectl exits with that code).
    static func execExitStatus(_ code: Int32) -> JSONValue {
        if code == 0 { return .object(["metadata": .object([:]), "status": .string("Success")]) }
        return .object([
            "metadata": .object([:]), "status": .string("Failure"), "reason": .string("NonZeroExitCode"),
            "message": .string("command terminated with non-zero exit code"),
            "details": .object(["causes": .array([.object(["reason": .string("ExitCode"), "message": .string(String(code))])])]),
        ])
    }

    /// An exec that could not start, on the error channel.
    static func execFailureStatus(_ error: any Error) -> JSONValue {
        let apiError = error as? KubeAPIError ?? KubeAPIError.internalError("error executing command in container: \(error)")
        var status = apiError.status
        if case .object(var members) = status {
            members["kind"] = nil
            members["apiVersion"] = nil
            status = .object(members)
        }
        return status
    }
}

extension Query {
    /// A boolean parameter as kube-apiserver reads it (`true`, `1`).
    func flag(_ key: String) -> Bool {
        guard let value = self[key]?.lowercased() else { return false }
        return value == "true" || value == "1"
    }
}
