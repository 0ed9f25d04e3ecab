/// StatefulSet and ControllerRevision validation (`ValidateStatefulSet`, `ValidateStatefulSetUpdate`).
extension Validator {
    static let statefulSetUpdateMessage = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

    mutating func validateStatefulSet(_ sts: JSONValue, old: JSONValue?) {
        let path = FieldPath("spec")
        let spec = sts["spec"] ?? .object([:])

        switch spec["podManagementPolicy"]?.stringValue ?? "" {
        case "OrderedReady", "Parallel": break
        case "": add(FieldError.required(path.child("podManagementPolicy")))
        case let other: add(FieldError.invalid(path.child("podManagementPolicy"), .string(other), "must be 'OrderedReady' or 'Parallel'"))
        }

        let strategy = spec["updateStrategy"] ?? .object([:])
        switch strategy["type"]?.stringValue ?? "" {
        case "RollingUpdate":
            if let rolling = strategy["rollingUpdate"], rolling != .null {
                nonNegative(rolling["partition"], path.child("updateStrategy", "rollingUpdate", "partition"))
                if let maxUnavailable = rolling["maxUnavailable"], maxUnavailable != .null {
                    let p = path.child("updateStrategy", "rollingUpdate", "maxUnavailable")
                    if let n = maxUnavailable.intValue {
                        if n < 1 { add(FieldError.invalid(p, maxUnavailable, "must be greater than 0")) }
                    } else if let s = maxUnavailable.stringValue {
                        if !s.hasSuffix("%") || Int(s.dropLast()) == nil {
                            add(FieldError.invalid(p, maxUnavailable, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"))
                        } else if let n = Int(s.dropLast()), n < 1 || n > 100 {
                            add(FieldError.invalid(p, maxUnavailable, n < 1 ? "must be greater than 0" : "must not be greater than 100%"))
                        }
                    }
                }
            }
        case "OnDelete":
            if let rolling = strategy["rollingUpdate"], rolling != .null {
                add(FieldError.invalid(path.child("updateStrategy", "rollingUpdate"), rendered: "apps.RollingUpdateStatefulSetStrategy{...}",
                                       "only allowed for updateStrategy 'RollingUpdate'"))
            }
        case "":
            add(FieldError.required(path.child("updateStrategy"), ""))
        case let other:
            add(FieldError.invalid(path.child("updateStrategy"), .string(other), "must be 'RollingUpdate' or 'OnDelete'"))
        }

        if let policy = spec["persistentVolumeClaimRetentionPolicy"], policy != .null {
            let p = path.child("persistentVolumeClaimRetentionPolicy")
            supported(policy["whenDeleted"], p.child("whenDeleted"), ["Retain", "Delete"], required: true)
            supported(policy["whenScaled"], p.child("whenScaled"), ["Retain", "Delete"], required: true)
        }
        nonNegative(spec["replicas"], path.child("replicas"))
        nonNegative(spec["minReadySeconds"], path.child("minReadySeconds"))
        nonNegative(spec["revisionHistoryLimit"], path.child("revisionHistoryLimit"))
        if let ordinals = spec["ordinals"], ordinals != .null {
            nonNegative(ordinals["start"], path.child("ordinals", "start"))
        }
        if let serviceName = spec["serviceName"]?.stringValue, !serviceName.isEmpty {
            add(NameValidation.dns1123Label(serviceName), path.child("serviceName"), serviceName)
        }

        let selectorJSON = spec["selector"]
        var selector: LabelSelector?
        if selectorJSON == nil || selectorJSON == .null {
            add(FieldError.required(path.child("selector")))
        } else {
            labelSelector(selectorJSON, path.child("selector"))
            selector = try? LabelSelector(selectorJSON)
            if let selector, selector.requirements.isEmpty {
                add(FieldError.invalid(path.child("selector"), rendered: "\"null\"", "empty selector is invalid for statefulset"))
            }
        }

        let template = spec["template"] ?? .object([:])
        let templatePath = path.child("template")
        let templateLabels = template[path: ["metadata", "labels"]]
        if let selector, !selector.requirements.isEmpty, !selector.matches(object: template) {
            add(FieldError.invalid(templatePath.child("metadata", "labels"), rendered: Self.goMap(templateLabels),
                                   "`selector` does not match template `labels`"))
        }
        validateLabels(templateLabels, templatePath.child("labels"))
        validateAnnotations(template[path: ["metadata", "annotations"]], templatePath.child("annotations"))

        let claims = spec["volumeClaimTemplates"]?.arrayValue ?? []
        var claimNames: [String] = []
        for (i, claim) in claims.enumerated() {
            let p = path.child("volumeClaimTemplates").index(i)
            let name = claim[path: ["metadata", "name"]]?.stringValue ?? ""
            if name.isEmpty {
                add(FieldError.required(p.child("metadata", "name")))
            } else {
                add(NameValidation.dns1123Subdomain(name), p.child("metadata", "name"), name)
                claimNames.append(name)
            }
            validateLabels(claim[path: ["metadata", "labels"]], p.child("metadata", "labels"))
            validatePersistentVolumeClaimSpec(claim["spec"] ?? .object([:]), p.child("spec"))
        }

        let podSpec = template["spec"] ?? .object([:])
        validatePodSpec(podSpec, templatePath.child("spec"), extraVolumes: claimNames)
        if let restart = podSpec["restartPolicy"]?.stringValue, restart != "Always" {
            // validatePodSpec has accepted it as a pod policy; a StatefulSet allows only Always.
            add(FieldError.notSupported(templatePath.child("spec", "restartPolicy"), .string(restart), ["Always"]))
        }
        if let deadline = podSpec["activeDeadlineSeconds"], deadline != .null {
            add(FieldError.forbidden(templatePath.child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"))
        }

        if let old {
            var newSpec = spec
            let oldSpec = old["spec"] ?? .object([:])
            for key in ["replicas", "template", "updateStrategy", "minReadySeconds", "ordinals", "persistentVolumeClaimRetentionPolicy"] {
                newSpec[key] = oldSpec[key]
            }
            if !Self.semanticallyEqual(newSpec, oldSpec) {
                add(FieldError.forbidden(path, Self.statefulSetUpdateMessage))
            }
        }
    }

    /// `apiequality.Semantic.DeepEqual` on JSON: quantities compare by value.
    static func semanticallyEqual(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            guard Set(x.keys) == Set(y.keys) else { return false }
            return x.keys.allSatisfy { semanticallyEqual(x[$0], y[$0]) }
        case (.array(let x)?, .array(let y)?):
            return x.count == y.count && zip(x, y).allSatisfy { semanticallyEqual($0, $1) }
        case (.string(let x)?, .string(let y)?):
            if x == y { return true }
            if let qx = try? Quantity(parsing: x), let qy = try? Quantity(parsing: y) { return qx == qy }
            return false
        default:
            return (a ?? .null) == (b ?? .null)
        }
    }

    mutating func validateStatefulSetStatus(_ sts: JSONValue, old: JSONValue?) {
        let path = FieldPath("status")
        let status = sts["status"] ?? .object([:])
        for key in ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "observedGeneration", "collisionCount"] {
            nonNegative(status[key], path.child(key))
        }
        let replicas = status["replicas"]?.intValue ?? 0
        for key in ["readyReplicas", "currentReplicas", "updatedReplicas"] {
            if let value = status[key]?.intValue, value > replicas {
                add(FieldError.invalid(path.child(key), .int(value), "cannot be greater than status.replicas"))
            }
        }
        if let available = status["availableReplicas"]?.intValue, let ready = status["readyReplicas"]?.intValue, available > ready {
            add(FieldError.invalid(path.child("availableReplicas"), .int(available), "cannot be greater than status.readyReplicas"))
        }
        if let previous = old?[path: ["status", "collisionCount"]]?.intValue {
            let current = status["collisionCount"]?.intValue ?? 0
            if current < previous {
                add(FieldError.invalid(path.child("collisionCount"), .int(current), "cannot be decremented"))
            }
        }
    }

    mutating func validateControllerRevision(_ revision: JSONValue, old: JSONValue?) {
        if revision["data"] == nil || revision["data"] == .null {
            add(FieldError.required(FieldPath("data"), "data is mandatory"))
        }
        nonNegative(revision["revision"], FieldPath("revision"))
        if let old { immutable(revision["data"], old["data"], FieldPath("data")) }
    }
}
