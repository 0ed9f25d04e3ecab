extension Schema {
    /// The fields of an object that its kind's schema does not have, as the API server's strict
    /// decoding names them (`spec.foo`, `spec.template.spec.containers[0].imagePullPolicyy`), in
    /// document order of discovery (sorted keys). `fieldValidation=Strict` rejects an object
    /// with any (400 `strict decoding error: unknown field "spec.foo"`), `Warn` reports them in
    /// `Warning` headers. Empty when the kind is not in the schema.
    public static func unknownFields(in object: JSONValue, gvk: GroupVersionKind) -> [String] {
        guard let definition = definition(for: gvk) else { return [] }
        var result: [String] = []
        collect(object, type: .reference(definition.name), path: "", into: &result)
        return result
    }

    /// The message of a strict-decoding failure, as kubectl prints it after
    /// `Error from server (BadRequest): …`.
    public static func strictDecodingMessage(_ unknownFields: [String]) -> String {
        "strict decoding error: " + unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
    }

    /// The 400 BadRequest Status message for `fieldValidation=Strict`:
    /// `StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.foo"`.
    public static func strictDecodingStatusMessage(_ unknownFields: [String], gvk: GroupVersionKind) -> String {
        "\(gvk.kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind): " + strictDecodingMessage(unknownFields)
    }

    /// The `Warning` header values for `fieldValidation=Warn` (kubectl prints
    /// `Warning: unknown field "spec.foo"`): `299 - "unknown field \"spec.foo\""`.
    public static func unknownFieldWarnings(_ unknownFields: [String]) -> [String] {
        unknownFields.map { #"299 - "unknown field \"\#($0)\"""# }
    }

    private static func collect(_ value: JSONValue, type: SchemaType, path: String, into result: inout [String]) {
        switch (type, value) {
        case (.reference(let name), .object(let members)):
            guard let definition = definitions[name] else { return }
            for key in members.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let field = definition.fields[key] else {
                    result.append(child)
                    continue
                }
                if let member = members[key] { collect(member, type: field.type, path: child, into: &result) }
            }
        case (.array(let element), .array(let items)):
            for (index, item) in items.enumerated() {
                collect(item, type: element, path: "\(path)[\(index)]", into: &result)
            }
        case (.map(let valueType), .object(let members)):
            for key in members.keys.sorted() {
                if let member = members[key] { collect(member, type: valueType, path: "\(path).\(key)", into: &result) }
            }
        default:
            return
        }
    }
}
