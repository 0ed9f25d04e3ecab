import Foundation
import KubeModel

/// A failed API call, carried as the `Status` object Kubernetes answers with
/// (`{"kind":"Status","status":"Failure","reason":"NotFound","code":404,…}`).
public struct KubeAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, …
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "Error from server (\(reason)): \(message)" }

    /// The `Status` object.
    public var status: JSONValue {
        var members: [String: JSONValue] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { members["details"] = details }
        return .object(members)
    }

    /// Reads a `Status` body; nil when the body is not one.
    public init?(status: JSONValue) {
        guard status["kind"]?.stringValue == "Status", let code = status["code"]?.intValue else { return nil }
        self.init(
            code: Int(code), reason: status["reason"]?.stringValue ?? "", message: status["message"]?.stringValue ?? "",
            details: status["details"])
    }

    public var isNotFound: Bool { code == 404 && reason == "NotFound" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    public var isConflict: Bool { code == 409 && reason == "Conflict" }

    private static func details(_ groupResource: String, _ name: String, causes: [StatusCause] = []) -> JSONValue {
        let parts = groupResource.split(separator: ".", maxSplits: 1).map(String.init)
        var members: [String: JSONValue] = ["kind": .string(parts.first ?? groupResource)]
        if !name.isEmpty { members["name"] = .string(name) }
        if parts.count > 1 { members["group"] = .string(parts[1]) }
        if !causes.isEmpty {
            members["causes"] = .array(causes.compactMap { try? JSONValue(encoding: $0) })
        }
        return .object(members)
    }

    /// `pods "x" not found`
    public static func notFound(_ groupResource: String, _ name: String) -> KubeAPIError {
        KubeAPIError(code: 404, reason: "NotFound", message: "\(groupResource) \"\(name)\" not found",
                     details: details(groupResource, name))
    }

    /// `pods "x" already exists`
    public static func alreadyExists(_ groupResource: String, _ name: String) -> KubeAPIError {
        KubeAPIError(code: 409, reason: "AlreadyExists", message: "\(groupResource) \"\(name)\" already exists",
                     details: details(groupResource, name))
    }

    /// `Operation cannot be fulfilled on statefulsets.apps "web": <why>`
    public static func conflict(_ groupResource: String, _ name: String, _ why: String) -> KubeAPIError {
        KubeAPIError(code: 409, reason: "Conflict",
                     message: "Operation cannot be fulfilled on \(groupResource) \"\(name)\": \(why)",
                     details: details(groupResource, name))
    }

    /// The optimistic-concurrency failure of an update with a stale resourceVersion.
    public static func staleResourceVersion(_ groupResource: String, _ name: String) -> KubeAPIError {
        conflict(groupResource, name,
                 "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// `StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: …` with the causes.
    public static func invalid(kind: String, group: String, name: String, causes: [StatusCause]) -> KubeAPIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let lines = causes.map(\.errorString)
        let joined = lines.count == 1 ? lines[0] : "[" + lines.joined(separator: ", ") + "]"
        var members: [String: JSONValue] = ["kind": .string(kind)]
        if !name.isEmpty { members["name"] = .string(name) }
        if !group.isEmpty { members["group"] = .string(group) }
        members["causes"] = .array(causes.compactMap { try? JSONValue(encoding: $0) })
        return KubeAPIError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(joined)",
                            details: .object(members))
    }

    public static func badRequest(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func gone(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 410, reason: "Expired", message: message)
    }

    public static func methodNotAllowed(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func unsupportedMediaType(_ contentType: String) -> KubeAPIError {
        KubeAPIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
    }

    public static let unauthorized = KubeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func requestEntityTooLarge(_ limit: Int) -> KubeAPIError {
        KubeAPIError(code: 413, reason: "RequestEntityTooLarge", message: "the request body is too large: limit is \(limit) bytes")
    }

    public static func internalError(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    public static func resourceNotFound(_ path: String) -> KubeAPIError {
        KubeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                     details: .object(["causes": .array([.object(["reason": .string("UnexpectedServerResponse"), "message": .string("404 page not found")])])]))
    }
}
