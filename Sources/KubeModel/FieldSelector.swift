/// A field selector (`metadata.name=web-0,status.phase!=Running`), limited to the fields the
/// API server supports for each kind, as Kubernetes' field label conversion does.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    public struct Requirement: Sendable, Hashable {
        public var field: String
        /// `=` (also for `==`) or `!=`.
        public var negated: Bool
        public var value: String

        public init(field: String, negated: Bool = false, value: String) {
            self.field = field
            self.negated = negated
            self.value = value
        }
    }

    /// A selector that cannot be parsed or names an unsupported field.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public var requirements: [Requirement]
    /// The kind whose field set was checked; decides how fields are read.
    public var kind: String?

    public init(requirements: [Requirement] = [], kind: String? = nil) {
        self.requirements = requirements
        self.kind = kind
    }

    public var isEmpty: Bool { requirements.isEmpty }

    /// Parses `a=b,c!=d,e==f`; with `kind`, rejects fields the kind does not support
    /// (`field label not supported: spec.foo`). `\,` `\=` `\\` escape in values.
    public init(parsing string: String, kind: String? = nil) throws(ParseError) {
        var requirements: [Requirement] = []
        for term in Self.splitTerms(string) where !term.isEmpty {
            guard let (field, negated, value) = Self.splitTerm(term) else {
                throw ParseError("invalid selector: '\(string)'; can't understand '\(term)'")
            }
            if let kind, !Self.supportedFields(kind: kind).contains(field) {
                throw ParseError("field label not supported: \(field)")
            }
            requirements.append(Requirement(field: field, negated: negated, value: Self.unescape(value)))
        }
        self.init(requirements: requirements, kind: kind)
    }

    /// The value the selector requires for `field` with `=`, if any (`metadata.name` lets the
    /// server look one object up instead of scanning).
    public func requiredValue(for field: String) -> String? {
        requirements.first { $0.field == field && !$0.negated }?.value
    }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let actual = Self.fieldValue(requirement.field, of: object)
            return requirement.negated ? actual != requirement.value : actual == requirement.value
        }
    }

    public var description: String {
        requirements.map { "\($0.field)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    // MARK: Field sets

    static let objectMetaFields = ["metadata.name", "metadata.namespace"]

    /// The field labels Kubernetes' API server accepts for a kind.
    public static func supportedFields(kind: String) -> Set<String> {
        var fields = Set(objectMetaFields)
        switch kind {
        case "Pod":
            fields.formUnion(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                              "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"])
        case "Event":
            fields.formUnion(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                              "reason", "reportingComponent", "source", "type"])
        case "Secret":
            fields.insert("type")
        case "Namespace":
            fields.insert("status.phase")
        case "Node":
            fields.insert("spec.unschedulable")
        case "PersistentVolumeClaim", "PersistentVolume", "Service", "Endpoints", "ConfigMap", "StatefulSet",
             "ControllerRevision", "StorageClass", "EndpointSlice", "Lease":
            break
        default:
            break
        }
        return fields
    }

    /// The string value of a field label in an object (`""` when absent, as Kubernetes reads
    /// zero values).
    public static func fieldValue(_ field: String, of object: JSONValue) -> String {
        switch field {
        case "spec.hostNetwork", "spec.unschedulable":
            return (object[path: field.split(separator: ".").map(String.init)]?.boolValue ?? false) ? "true" : "false"
        case "source":
            return object[path: ["source", "component"]]?.stringValue ?? ""
        case "status.podIPs":
            return object[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue ?? ""
        default:
            switch object[path: field.split(separator: ".").map(String.init)] {
            case .string(let s)?: return s
            case .int(let i)?: return String(i)
            case .bool(let b)?: return String(b)
            default: return ""
            }
        }
    }

    // MARK: Lexing

    static func splitTerms(_ s: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in s {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        terms.append(current)
        return terms
    }

    static func splitTerm(_ term: String) -> (String, Bool, String)? {
        for op in ["!=", "==", "="] {
            if let range = term.range(of: op) {
                let field = String(term[..<range.lowerBound]).trimmingSpaces
                guard !field.isEmpty else { return nil }
                return (field, op == "!=", String(term[range.upperBound...]))
            }
        }
        return nil
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == "," || c == "=" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
