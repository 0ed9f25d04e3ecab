/// ObjectMeta checks (`ValidateObjectMeta`, `ValidateObjectMetaUpdate`).
extension Validator {
    /// The name check Kubernetes applies to each kind.
    static func nameValidator(kind: String) -> (String) -> [String] {
        switch kind {
        case "Namespace": return NameValidation.dns1123Label
        case "Service": return NameValidation.dns1035Label
        default: return NameValidation.dns1123Subdomain
        }
    }

    mutating func validateObjectMeta(_ object: JSONValue, old: JSONValue?, resource: APIResource) {
        let path = FieldPath("metadata")
        guard let meta = object["metadata"], case .object = meta else {
            add(FieldError.required(path.child("name"), "name or generateName is required"))
            return
        }
        let validateName = Self.nameValidator(kind: resource.gvk.kind)
        let name = meta["name"]?.stringValue ?? ""
        let generateName = meta["generateName"]?.stringValue ?? ""
        if !generateName.isEmpty {
            // The generated suffix is appended: a trailing '-' is fine.
            var masked = generateName
            if masked.hasSuffix("-") { masked.removeLast(); masked += "a" }
            add(validateName(masked), path.child("generateName"), generateName)
        }
        if name.isEmpty {
            if generateName.isEmpty {
                add(FieldError.required(path.child("name"), "name or generateName is required"))
            }
        } else {
            add(validateName(name), path.child("name"), name)
        }
        let namespace = meta["namespace"]?.stringValue ?? ""
        if resource.namespaced {
            if namespace.isEmpty {
                add(FieldError.required(path.child("namespace")))
            } else {
                add(NameValidation.dns1123Label(namespace), path.child("namespace"), namespace)
            }
        } else if !namespace.isEmpty {
            add(FieldError.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        if let generation = meta["generation"]?.intValue, generation < 0 {
            add(FieldError.invalid(path.child("generation"), .int(generation), "must be greater than or equal to 0"))
        }
        validateLabels(meta["labels"], path.child("labels"))
        validateAnnotations(meta["annotations"], path.child("annotations"))
        if let owners = meta["ownerReferences"]?.arrayValue {
            var controllers = 0
            for (i, owner) in owners.enumerated() {
                let p = path.child("ownerReferences").index(i)
                if (owner["apiVersion"]?.stringValue ?? "").isEmpty { add(FieldError.invalid(p.child("apiVersion"), owner["apiVersion"] ?? .string(""), "version must not be empty")) }
                if (owner["kind"]?.stringValue ?? "").isEmpty { add(FieldError.invalid(p.child("kind"), owner["kind"] ?? .string(""), "kind must not be empty")) }
                if (owner["name"]?.stringValue ?? "").isEmpty { add(FieldError.invalid(p.child("name"), owner["name"] ?? .string(""), "name must not be empty")) }
                if (owner["uid"]?.stringValue ?? "").isEmpty { add(FieldError.invalid(p.child("uid"), owner["uid"] ?? .string(""), "uid must not be empty")) }
                if owner["controller"]?.boolValue == true { controllers += 1 }
            }
            if controllers > 1 {
                add(FieldError.invalid(path.child("ownerReferences"), nil, "Only one reference can have Controller set to true."))
            }
        }
        if let finalizers = meta["finalizers"]?.arrayValue {
            var seen = Set<String>()
            for (i, finalizer) in finalizers.enumerated() {
                let value = finalizer.stringValue ?? ""
                let p = path.child("finalizers").index(i)
                add(NameValidation.qualifiedName(value), p, value)
                if !value.contains("/") && !Self.standardFinalizers.contains(value) {
                    // Kubernetes only warns here; it is not an error.
                }
                if !seen.insert(value).inserted { add(FieldError.duplicate(p, .string(value))) }
            }
        }

        guard let old, let oldMeta = old["metadata"] else { return }
        // ValidateObjectMetaUpdate
        let oldName = oldMeta["name"]?.stringValue ?? ""
        if name != oldName {
            add(FieldError.invalid(path.child("name"), .string(name), "field is immutable"))
        }
        let oldNamespace = oldMeta["namespace"]?.stringValue ?? ""
        if namespace != oldNamespace {
            add(FieldError.invalid(path.child("namespace"), .string(namespace), "field is immutable"))
        }
        if let uid = meta["uid"]?.stringValue, !uid.isEmpty, uid != (oldMeta["uid"]?.stringValue ?? "") {
            add(FieldError.invalid(path.child("uid"), .string(uid), "field is immutable"))
        }
        if let created = meta["creationTimestamp"], created != .null, created != (oldMeta["creationTimestamp"] ?? .null) {
            add(FieldError.invalid(path.child("creationTimestamp"), created, "field is immutable"))
        }
        if let deleted = oldMeta["deletionTimestamp"], deleted != .null,
           let newDeleted = meta["deletionTimestamp"], newDeleted != .null, newDeleted != deleted {
            add(FieldError.invalid(path.child("deletionTimestamp"), newDeleted, "field is immutable; may only be changed via deletion"))
        }
    }

    static let standardFinalizers: Set<String> = ["kubernetes", "orphan", "foregroundDeletion"]

    mutating func validateLabels(_ labels: JSONValue?, _ path: FieldPath) {
        guard let labels else { return }
        guard case .object(let members) = labels else {
            if labels != .null { add(FieldError.invalid(path, labels, "must be a map of strings")) }
            return
        }
        for key in members.keys.sorted() {
            add(NameValidation.qualifiedName(key), path, key)
            guard let value = members[key]?.stringValue else {
                add(FieldError.invalid(path.key(key), members[key], "must be a string"))
                continue
            }
            add(NameValidation.labelValue(value), path, value)
        }
    }

    mutating func validateAnnotations(_ annotations: JSONValue?, _ path: FieldPath) {
        guard let annotations, case .object(let members) = annotations else { return }
        var total = 0
        for key in members.keys.sorted() {
            add(NameValidation.qualifiedName(key.lowercased()), path, key)
            total += key.utf8.count + (members[key]?.stringValue?.utf8.count ?? 0)
        }
        if total > 256 * 1024 {
            add(FieldError.tooLong(path, maxLength: 256 * 1024))
        }
    }
}
