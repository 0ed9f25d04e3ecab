/// The Status objects a Kubernetes API server answers errors with, worded as Kubernetes words them.
extension Status {
    /// A `Failure` Status.
    public static func failure(code: Int32, reason: String, message: String, details: StatusDetails? = nil) -> Status {
        Status(kind: "Status", apiVersion: "v1", metadata: ListMeta(), status: "Failure", message: message,
               reason: reason.isEmpty ? nil : reason, details: details, code: code)
    }

    /// `{"kind":"Status","status":"Success"}`, as answered to a delete without a body to return.
    public static func success(details: StatusDetails? = nil) -> Status {
        Status(kind: "Status", apiVersion: "v1", metadata: ListMeta(), status: "Success", details: details)
    }

    static func details(_ resource: APIResource, name: String) -> StatusDetails {
        StatusDetails(name: name, group: resource.gvk.group.isEmpty ? nil : resource.gvk.group, kind: resource.plural)
    }

    /// 404 `pods "web-0" not found`
    public static func notFound(_ resource: APIResource, name: String) -> Status {
        failure(code: 404, reason: "NotFound", message: "\(resource.groupResource) \"\(name)\" not found",
                details: details(resource, name: name))
    }

    /// 409 `pods "web-0" already exists`
    public static func alreadyExists(_ resource: APIResource, name: String) -> Status {
        failure(code: 409, reason: "AlreadyExists", message: "\(resource.groupResource) \"\(name)\" already exists",
                details: details(resource, name: name))
    }

    /// 409 on a stale resourceVersion.
    public static func conflict(_ resource: APIResource, name: String,
                                detail: String = "the object has been modified; please apply your changes to the latest version and try again") -> Status {
        failure(code: 409, reason: "Conflict",
                message: "Operation cannot be fulfilled on \(resource.groupResource) \"\(name)\": \(detail)",
                details: details(resource, name: name))
    }

    /// 422 with one cause per field error.
    public static func invalid(_ resource: APIResource, name: String, causes: [StatusCause]) -> Status {
        failure(code: 422, reason: "Invalid",
                message: Admission.invalidMessage(resource: resource, name: name, causes: causes),
                details: StatusDetails(name: name, group: resource.gvk.group.isEmpty ? nil : resource.gvk.group,
                                       kind: resource.gvk.kind, causes: causes))
    }

    /// 400
    public static func badRequest(_ message: String) -> Status {
        failure(code: 400, reason: "BadRequest", message: message)
    }

    /// 410 for a watch or list from a resourceVersion older than the kept window.
    public static func expired(_ message: String) -> Status {
        failure(code: 410, reason: "Expired", message: message)
    }

    /// 405
    public static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> Status {
        failure(code: 405, reason: "MethodNotAllowed", message: message)
    }

    /// 403
    public static func forbidden(_ resource: APIResource, name: String, reason message: String) -> Status {
        let target = name.isEmpty ? resource.groupResource : "\(resource.groupResource) \"\(name)\""
        return failure(code: 403, reason: "Forbidden", message: "\(target) is forbidden: \(message)",
                       details: details(resource, name: name))
    }

    /// 401, as kubectl prints "You must be logged in to the server (Unauthorized)".
    public static func unauthorized() -> Status {
        failure(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    /// 413
    public static func requestEntityTooLarge(_ message: String = "the request is too large") -> Status {
        failure(code: 413, reason: "RequestEntityTooLarge", message: message)
    }

    /// 500
    public static func internalError(_ message: String) -> Status {
        failure(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}
