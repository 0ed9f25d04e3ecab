/// Kubernetes admission for the built-in kinds: defaulting and validation on the JSON form the
/// API server stores, so fields this project does not know are kept as sent.
///
/// The API server's sequence, as Kubernetes' registry runs it:
/// - create: `decodingError` (400) → `prepareForCreate` → `applyDefaults` → `validate(old: nil)` (422)
/// - update: `decodingError` → `prepareForUpdate(old:)` → `applyDefaults` → `validate(old:)`
/// - `status`: the same with `subresource: "status"`; `scale`: `validate` the Scale, then
///   `applyScale` to the stored StatefulSet and validate that as an update.
public enum Admission {
    /// Kubernetes defaulting, applied in place on the JSON form (unknown fields stay).
    public static func applyDefaults(to object: inout JSONValue, resource: APIResource) {
        Defaulting.apply(to: &object, kind: resource.gvk.kind)
    }

    /// Field errors for a create (`old == nil`) or an update; `[]` when valid. Includes name
    /// validation, required fields, label syntax, quantities and immutable fields on update.
    /// `subresource == "status"`: only status may change, so only metadata and status are checked.
    public static func validate(_ object: JSONValue, old: JSONValue?, resource: APIResource,
                                subresource: String?) -> [StatusCause] {
        var v = Validator()
        v.validateObjectMeta(object, old: old, resource: resource)
        switch subresource {
        case nil, "":
            v.validateKind(object, old: old, kind: resource.gvk.kind)
        case "status":
            v.validateStatus(object, old: old, kind: resource.gvk.kind)
        case "scale":
            v.validateScale(object)
        case "binding":
            v.validateBinding(object)
        default:
            break
        }
        return v.causes
    }

    /// The message of a `422 Invalid` Status, as Kubernetes words it:
    /// `StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: …`
    /// (several causes are listed in brackets).
    public static func invalidMessage(resource: APIResource, name: String, causes: [StatusCause]) -> String {
        let kind = resource.gvk.group.isEmpty ? resource.gvk.kind : "\(resource.gvk.kind).\(resource.gvk.group)"
        let errors = causes.map(\.errorString)
        let aggregate = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
        return "\(kind) \"\(name)\" is invalid: \(aggregate)"
    }
}

/// Collects field errors while walking an object.
struct Validator {
    var causes: [StatusCause] = []

    mutating func add(_ cause: StatusCause) { causes.append(cause) }

    mutating func add(_ messages: [String], _ path: FieldPath, _ value: String) {
        for message in messages { causes.append(FieldError.invalid(path, value, message)) }
    }
}
