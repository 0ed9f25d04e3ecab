import Foundation

/// A path to a field, printed as Kubernetes prints it: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ root: String) { description = root }

    /// `spec` → `spec.replicas`
    public func child(_ name: String) -> FieldPath {
        FieldPath(description.isEmpty ? name : "\(description).\(name)")
    }

    public func child(_ names: String...) -> FieldPath {
        names.reduce(self) { $0.child($1) }
    }

    /// `containers` → `containers[0]`
    public func index(_ i: Int) -> FieldPath { FieldPath("\(description)[\(i)]") }

    /// `labels` → `labels[app]`
    public func key(_ key: String) -> FieldPath { FieldPath("\(description)[\(key)]") }
}

/// Constructors of field errors worded as Kubernetes' `field.Error` (`ErrorBody`) words them.
public enum FieldError {
    public static func invalid(_ path: FieldPath, _ value: JSONValue?, _ detail: String) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.invalid,
                    message: body("Invalid value", value, detail), field: path.description)
    }

    public static func invalid(_ path: FieldPath, _ value: String, _ detail: String) -> StatusCause {
        invalid(path, .string(value), detail)
    }

    public static func required(_ path: FieldPath, _ detail: String = "") -> StatusCause {
        StatusCause(reason: StatusCause.Reason.required,
                    message: detail.isEmpty ? "Required value" : "Required value: \(detail)",
                    field: path.description)
    }

    public static func forbidden(_ path: FieldPath, _ detail: String) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.forbidden,
                    message: detail.isEmpty ? "Forbidden" : "Forbidden: \(detail)", field: path.description)
    }

    public static func duplicate(_ path: FieldPath, _ value: JSONValue?) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.duplicate,
                    message: body("Duplicate value", value, ""), field: path.description)
    }

    public static func notSupported(_ path: FieldPath, _ value: JSONValue?, _ supported: [String]) -> StatusCause {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(quote).joined(separator: ", ")
        return StatusCause(reason: StatusCause.Reason.notSupported,
                           message: body("Unsupported value", value, detail), field: path.description)
    }

    public static func tooLong(_ path: FieldPath, maxLength: Int) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.tooLong,
                    message: "Too long: may not be more than \(maxLength) bytes", field: path.description)
    }

    public static func tooMany(_ path: FieldPath, actual: Int, max: Int) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.tooMany,
                    message: "Too many: \(actual): must have at most \(max) items", field: path.description)
    }

    public static func notFound(_ path: FieldPath, _ value: JSONValue?) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.notFound,
                    message: body("Not found", value, ""), field: path.description)
    }

    static func body(_ type: String, _ value: JSONValue?, _ detail: String) -> String {
        var s = "\(type): \(render(value))"
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    /// A bad value as Go's `%v` / `%q` print it.
    static func render(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "\"null\""
        case .string(let s)?: return quote(s)
        case .int(let i)?: return String(i)
        case .double(let d)?: return d == d.rounded() && abs(d) < 1e21 ? String(Int64(d)) : String(d)
        case .bool(let b)?: return String(b)
        case .array(let items)?: return "[]interface {}{" + items.map { render($0) }.joined(separator: ", ") + "}"
        case .object?: return "map[string]interface {}{...}"
        }
    }

    /// Go's `%q`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
