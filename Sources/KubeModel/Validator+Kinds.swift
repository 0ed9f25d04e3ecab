/// Per-kind validation dispatch.
extension Validator {
    mutating func validateKind(_ object: JSONValue, old: JSONValue?, kind: String) {
        switch kind {
        default:
            break
        }
    }

    mutating func validateStatus(_ object: JSONValue, old: JSONValue?, kind: String) {
        switch kind {
        default:
            break
        }
    }

    mutating func validateScale(_ object: JSONValue) {
        if let replicas = object[path: ["spec", "replicas"]]?.intValue, replicas < 0 {
            add(FieldError.invalid(FieldPath("spec.replicas"), .int(replicas), "must be greater than or equal to 0"))
        }
    }
}
