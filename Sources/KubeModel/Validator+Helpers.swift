/// Shared field checks (`ValidateNonnegativeField`, `ValidateResourceQuantityValue`,
/// `ValidateLabelSelector`, …).
extension Validator {
    static let nonNegativeMessage = "must be greater than or equal to 0"

    mutating func nonNegative(_ value: JSONValue?, _ path: FieldPath) {
        guard let value, value != .null else { return }
        guard let number = value.intValue else {
            add(FieldError.invalid(path, value, "must be an integer"))
            return
        }
        if number < 0 { add(FieldError.invalid(path, .int(number), Self.nonNegativeMessage)) }
    }

    mutating func positive(_ value: JSONValue?, _ path: FieldPath) {
        guard let value, value != .null else { return }
        guard let number = value.intValue else {
            add(FieldError.invalid(path, value, "must be an integer"))
            return
        }
        if number <= 0 { add(FieldError.invalid(path, .int(number), "must be greater than 0")) }
    }

    /// A value among `supported`; absent is fine unless `required`.
    mutating func supported(_ value: JSONValue?, _ path: FieldPath, _ supported: [String], required: Bool = false) {
        guard let value, value != .null, value != .string("") else {
            if required { add(FieldError.required(path)) }
            return
        }
        guard let string = value.stringValue, supported.contains(string) else {
            add(FieldError.notSupported(path, value, supported))
            return
        }
    }

    /// A parsable, non-negative quantity.
    @discardableResult
    mutating func quantity(_ value: JSONValue, _ path: FieldPath) -> Quantity? {
        let q: Quantity
        do {
            q = try Quantity(value)
        } catch {
            add(FieldError.invalid(path, value, error.description))
            return nil
        }
        if q.isNegative { add(FieldError.invalid(path, .string(q.description), Self.nonNegativeMessage)) }
        return q
    }

    /// A parsable quantity above zero (`ValidatePositiveQuantityValue`).
    mutating func positiveQuantity(_ value: JSONValue, _ path: FieldPath) {
        let q: Quantity
        do {
            q = try Quantity(value)
        } catch {
            add(FieldError.invalid(path, value, error.description))
            return
        }
        if q.nanos <= 0 { add(FieldError.invalid(path, .string(q.description), "must be greater than zero")) }
    }

    /// `ValidateResourceRequirements`: quantities, and requests not above limits.
    mutating func resourceRequirements(_ resources: JSONValue?, _ path: FieldPath) {
        guard let resources else { return }
        var limits: [String: Quantity] = [:]
        for (name, value) in (resources["limits"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            resourceName(name, path.child("limits").key(name))
            if let q = quantity(value, path.child("limits").key(name)) { limits[name] = q }
        }
        for (name, value) in (resources["requests"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let p = path.child("requests").key(name)
            resourceName(name, p)
            guard let q = quantity(value, p) else { continue }
            if let limit = limits[name], q > limit {
                add(FieldError.invalid(p, .string(q.description), "must be less than or equal to \(name) limit of \(limit)"))
            }
        }
    }

    static let standardResources: Set<String> = ["cpu", "memory", "ephemeral-storage", "storage", "pods"]

    mutating func resourceName(_ name: String, _ path: FieldPath) {
        if Self.standardResources.contains(name) || name.hasPrefix("hugepages-") || name.hasPrefix("requests.") { return }
        let errors = NameValidation.qualifiedName(name)
        if !errors.isEmpty {
            add(errors, path, name)
        } else if !name.contains("/") {
            add(FieldError.invalid(path, .string(name), "must be a standard resource type or fully qualified"))
        }
    }

    /// `metav1validation.ValidateLabelSelector`
    mutating func labelSelector(_ selector: JSONValue?, _ path: FieldPath) {
        guard let selector, selector != .null else { return }
        validateLabels(selector["matchLabels"], path.child("matchLabels"))
        for (i, expression) in (selector["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let p = path.child("matchExpressions").index(i)
            let op = expression["operator"]?.stringValue ?? ""
            let values = expression["values"]?.arrayValue ?? []
            switch op {
            case "In", "NotIn":
                if values.isEmpty { add(FieldError.required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")) }
            case "Exists", "DoesNotExist":
                if !values.isEmpty { add(FieldError.forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            default:
                add(FieldError.invalid(p.child("operator"), .string(op), "not a valid selector operator"))
            }
            let key = expression["key"]?.stringValue ?? ""
            add(NameValidation.qualifiedName(key), p.child("key"), key)
            for (j, value) in values.enumerated() {
                let v = value.stringValue ?? ""
                add(NameValidation.labelValue(v), p.child("values").index(j), v)
            }
        }
    }

    /// A port number or an IANA port name (`targetPort`, probe ports).
    mutating func portNumberOrName(_ port: JSONValue?, _ path: FieldPath) {
        guard let port else {
            add(FieldError.required(path))
            return
        }
        if let number = port.intValue {
            if !NameValidation.portNumber(number).isEmpty {
                add(FieldError.invalid(path, .int(number), NameValidation.portNumber(number)[0]))
            }
        } else if let name = port.stringValue {
            // A quoted number is a name to Kubernetes (intstr of type string), and names need a letter.
            add(NameValidation.portName(name), path, name)
        } else {
            add(FieldError.invalid(path, port, "must be an integer or a string"))
        }
    }

    /// `ValidateImmutableField`
    mutating func immutable(_ new: JSONValue?, _ old: JSONValue?, _ path: FieldPath) {
        if (new ?? .null) != (old ?? .null) {
            add(FieldError.invalid(path, new, "field is immutable"))
        }
    }

    /// A map as Go's `%#v` prints it: `map[string]string{"app":"nginx"}`.
    static func goMap(_ value: JSONValue?) -> String {
        let members = value?.objectValue ?? [:]
        let body = members.keys.sorted().map { "\(FieldError.quote($0)):\(FieldError.quote(members[$0]?.stringValue ?? ""))" }
        return "map[string]string{" + body.joined(separator: ", ") + "}"
    }
}

extension FieldError {
    /// An Invalid error whose value is printed verbatim (maps, structs).
    static func invalid(_ path: FieldPath, rendered: String, _ detail: String) -> StatusCause {
        StatusCause(reason: StatusCause.Reason.invalid, message: "Invalid value: \(rendered): \(detail)", field: path.description)
    }
}
