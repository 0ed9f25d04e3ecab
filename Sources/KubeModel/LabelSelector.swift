/// A label selector, from the query-string form (`app=nginx,tier!=db,env in (a,b),!x`) or from
/// the metav1 form (`matchLabels`, `matchExpressions`); encodes as the metav1 form.
public struct LabelSelector: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One requirement of a selector.
    public struct Requirement: Sendable, Hashable {
        public enum Operator: String, Sendable, Hashable {
            case equals = "="
            case doubleEquals = "=="
            case notEquals = "!="
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
            case greaterThan = "Gt"
            case lessThan = "Lt"
        }

        public var key: String
        public var `operator`: Operator
        public var values: [String]

        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch `operator` {
            case .equals, .doubleEquals, .in:
                guard let value else { return false }
                return values.contains(value)
            case .notEquals, .notIn:
                guard let value else { return true }
                return !values.contains(value)
            case .exists:
                return value != nil
            case .doesNotExist:
                return value == nil
            case .greaterThan, .lessThan:
                guard let value, let have = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return `operator` == .greaterThan ? have > bound : have < bound
            }
        }

        /// As `labels.Requirement.String()` prints it.
        public var description: String {
            switch `operator` {
            case .equals, .doubleEquals, .notEquals: return "\(key)\(`operator`.rawValue)\(values.first ?? "")"
            case .in: return "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.sorted().joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            case .greaterThan: return "\(key)>\(values.first ?? "")"
            case .lessThan: return "\(key)<\(values.first ?? "")"
            }
        }
    }

    /// A selector that cannot be parsed; the message is Kubernetes' wording.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public var requirements: [Requirement]
    /// True for a nil metav1 selector, which selects nothing.
    public var selectsNothing: Bool = false

    /// Selects everything.
    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// Selects exactly the objects carrying all these labels.
    public init(matchLabels: [String: String]) {
        requirements = matchLabels.keys.sorted().map { Requirement(key: $0, operator: .equals, values: [matchLabels[$0] ?? ""]) }
    }

    /// A selector that matches nothing (a nil metav1 selector).
    public static let nothing: LabelSelector = {
        var s = LabelSelector()
        s.selectsNothing = true
        return s
    }()

    public var isEmpty: Bool { requirements.isEmpty && !selectsNothing }

    public func matches(_ labels: [String: String]) -> Bool {
        if selectsNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches the `metadata.labels` of an object in JSON form.
    public func matches(object: JSONValue) -> Bool {
        var labels: [String: String] = [:]
        for (key, value) in object[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            if let string = value.stringValue { labels[key] = string }
        }
        return matches(labels)
    }

    /// The query-string form, requirements sorted by key (`labels.Selector.String()`).
    public var description: String {
        requirements.sorted { $0.key < $1.key }.map(\.description).joined(separator: ",")
    }

    // MARK: metav1.LabelSelector

    /// From the metav1 JSON form; `null` selects nothing, `{}` everything.
    public init(_ meta: JSONValue?) throws(ParseError) {
        guard let meta, meta != .null else {
            self = .nothing
            return
        }
        guard case .object(let members) = meta else { throw ParseError("label selector must be an object") }
        var requirements: [Requirement] = []
        if let matchLabels = members["matchLabels"], matchLabels != .null {
            guard case .object(let labels) = matchLabels else { throw ParseError("matchLabels must be a map of strings") }
            for key in labels.keys.sorted() {
                guard let value = labels[key]?.stringValue else { throw ParseError("matchLabels[\(key)] must be a string") }
                try Self.checkKey(key)
                try Self.checkValue(value)
                requirements.append(Requirement(key: key, operator: .equals, values: [value]))
            }
        }
        if let expressions = members["matchExpressions"], expressions != .null {
            guard case .array(let items) = expressions else { throw ParseError("matchExpressions must be a list") }
            for item in items {
                let key = item["key"]?.stringValue ?? ""
                let op = item["operator"]?.stringValue ?? ""
                let values = (item["values"]?.arrayValue ?? []).compactMap(\.stringValue)
                let parsed: Requirement.Operator
                switch op {
                case "In": parsed = .in
                case "NotIn": parsed = .notIn
                case "Exists": parsed = .exists
                case "DoesNotExist": parsed = .doesNotExist
                default: throw ParseError("\"\(op)\" is not a valid label selector operator")
                }
                requirements.append(try Self.requirement(key: key, op: parsed, values: values))
            }
        }
        self.init(requirements: requirements)
    }

    /// The metav1 JSON form: equality requirements as `matchLabels`, the rest as `matchExpressions`.
    public var metaJSON: JSONValue {
        var labels: [String: JSONValue] = [:]
        var expressions: [JSONValue] = []
        for r in requirements {
            switch r.operator {
            case .equals, .doubleEquals:
                labels[r.key] = .string(r.values.first ?? "")
            case .notEquals:
                expressions.append(.object(["key": .string(r.key), "operator": .string("NotIn"), "values": .array(r.values.map(JSONValue.string))]))
            case .exists, .doesNotExist:
                expressions.append(.object(["key": .string(r.key), "operator": .string(r.operator.rawValue)]))
            default:
                expressions.append(.object(["key": .string(r.key), "operator": .string(r.operator.rawValue), "values": .array(r.values.map(JSONValue.string))]))
            }
        }
        var result: [String: JSONValue] = [:]
        if !labels.isEmpty { result["matchLabels"] = .object(labels) }
        if !expressions.isEmpty { result["matchExpressions"] = .array(expressions) }
        return .object(result)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            try self.init(try container.decode(JSONValue.self))
        } catch let error as ParseError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(metaJSON)
    }

    static func checkKey(_ key: String) throws(ParseError) {
        let errors = NameValidation.qualifiedName(key)
        if !errors.isEmpty {
            throw ParseError("key: Invalid value: \(FieldError.quote(key)): \(errors.joined(separator: "; "))")
        }
    }

    static func checkValue(_ value: String) throws(ParseError) {
        let errors = NameValidation.labelValue(value)
        if !errors.isEmpty {
            throw ParseError("values[0][\(value)]: Invalid value: \(FieldError.quote(value)): \(errors.joined(separator: "; "))")
        }
    }

    /// `labels.NewRequirement`: checks the key, the values and their count for the operator.
    static func requirement(key: String, op: Requirement.Operator, values: [String]) throws(ParseError) -> Requirement {
        try checkKey(key)
        switch op {
        case .in, .notIn:
            if values.isEmpty { throw ParseError("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty") }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 { throw ParseError("values: Invalid value: \(values): exact-match compatibility requires one single value") }
        case .exists, .doesNotExist:
            if !values.isEmpty { throw ParseError("values: Invalid value: \(values): values set must be empty for exists and does not exist") }
        case .greaterThan, .lessThan:
            if values.count != 1 || Int64(values[0]) == nil {
                throw ParseError("values: Invalid value: \(values): for 'Gt', 'Lt' operators, exactly one integer value is required")
            }
        }
        if op != .greaterThan && op != .lessThan {
            for value in values { try checkValue(value) }
        }
        return Requirement(key: key, operator: op, values: values)
    }
}
