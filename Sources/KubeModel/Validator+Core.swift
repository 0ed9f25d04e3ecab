import Foundation

/// Namespace, Node, ConfigMap, Secret, Event and Lease validation, pod status.
extension Validator {
    mutating func validateNamespace(_ ns: JSONValue) {
        for (i, finalizer) in (ns[path: ["spec", "finalizers"]]?.arrayValue ?? []).enumerated() {
            let value = finalizer.stringValue ?? ""
            add(NameValidation.qualifiedName(value), FieldPath("spec.finalizers").index(i), value)
        }
    }

    mutating func validateNamespaceStatus(_ ns: JSONValue) {
        supported(ns[path: ["status", "phase"]], FieldPath("status.phase"), ["Active", "Terminating"])
    }

    mutating func validateNode(_ node: JSONValue) {
        for (i, taint) in (node[path: ["spec", "taints"]]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("spec.taints").index(i)
            let key = taint["key"]?.stringValue ?? ""
            add(NameValidation.qualifiedName(key), p.child("key"), key)
            if let value = taint["value"]?.stringValue { add(NameValidation.labelValue(value), p.child("value"), value) }
            supported(taint["effect"], p.child("effect"), ["NoExecute", "NoSchedule", "PreferNoSchedule"], required: true)
        }
        for cidr in node[path: ["spec", "podCIDRs"]]?.arrayValue ?? [] {
            let s = cidr.stringValue ?? ""
            let parts = s.split(separator: "/")
            if parts.count != 2 || !Self.isIP(String(parts[0])) || Int(parts[1]) == nil {
                add(FieldError.invalid(FieldPath("spec.podCIDRs"), .string(s), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
            }
        }
        validateNodeStatus(node)
    }

    mutating func validateNodeStatus(_ node: JSONValue) {
        for key in ["capacity", "allocatable"] {
            for (name, value) in (node[path: ["status", key]]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                quantity(value, FieldPath("status").child(key).key(name))
            }
        }
    }

    static let configMapMaxSize = 1024 * 1024

    /// `ValidateConfigMap` + `…Update`
    mutating func validateConfigMap(_ cm: JSONValue, old: JSONValue?) {
        let data = cm["data"]?.objectValue ?? [:]
        let binary = cm["binaryData"]?.objectValue ?? [:]
        var total = 0
        for key in data.keys.sorted() {
            add(NameValidation.configMapKey(key), FieldPath("data").key(key), key)
            total += data[key]?.stringValue?.utf8.count ?? 0
        }
        for key in binary.keys.sorted() {
            add(NameValidation.configMapKey(key), FieldPath("binaryData").key(key), key)
            if data[key] != nil {
                add(FieldError.invalid(FieldPath("data").key(key), .string(key), "duplicate of key present in binaryData"))
            }
            total += (binary[key]?.stringValue?.utf8.count ?? 0) * 3 / 4
        }
        if total > Self.configMapMaxSize {
            add(FieldError.tooLong(FieldPath(""), maxLength: Self.configMapMaxSize))
        }
        if let old { immutableData(cm, old: old, keys: ["data", "binaryData"]) }
    }

    /// Objects with `immutable: true` keep their data and stay immutable.
    mutating func immutableData(_ object: JSONValue, old: JSONValue, keys: [String]) {
        guard old["immutable"]?.boolValue == true else { return }
        if object["immutable"]?.boolValue != true {
            add(FieldError.forbidden(FieldPath("immutable"), "field is immutable when `immutable` is set"))
        }
        for key in keys where (object[key] ?? .null) != (old[key] ?? .null) {
            add(FieldError.forbidden(FieldPath(key), "field is immutable when `immutable` is set"))
        }
    }

    /// `ValidateSecret` + `…Update`
    mutating func validateSecret(_ secret: JSONValue, old: JSONValue?) {
        let data = secret["data"]?.objectValue ?? [:]
        var total = 0
        for key in data.keys.sorted() {
            add(NameValidation.configMapKey(key), FieldPath("data").key(key), key)
            let value = data[key]?.stringValue ?? ""
            if Data(base64Encoded: value) == nil {
                add(FieldError.invalid(FieldPath("data").key(key), rendered: "\"<secret contents redacted>\"", "illegal base64 data"))
            }
            total += value.utf8.count * 3 / 4
        }
        for key in (secret["stringData"]?.objectValue ?? [:]).keys.sorted() {
            add(NameValidation.configMapKey(key), FieldPath("stringData").key(key), key)
        }
        if total > Self.configMapMaxSize {
            add(FieldError.tooLong(FieldPath("data"), maxLength: Self.configMapMaxSize))
        }
        let keys = Set(data.keys).union((secret["stringData"]?.objectValue ?? [:]).keys)
        switch secret["type"]?.stringValue ?? "Opaque" {
        case "kubernetes.io/tls":
            for key in ["tls.crt", "tls.key"] where !keys.contains(key) {
                add(FieldError.required(FieldPath("data").key(key)))
            }
        case "kubernetes.io/dockerconfigjson":
            if !keys.contains(".dockerconfigjson") { add(FieldError.required(FieldPath("data").key(".dockerconfigjson"))) }
        case "kubernetes.io/dockercfg":
            if !keys.contains(".dockercfg") { add(FieldError.required(FieldPath("data").key(".dockercfg"))) }
        case "kubernetes.io/service-account-token":
            if (secret[path: ["metadata", "annotations", "kubernetes.io/service-account.name"]]?.stringValue ?? "").isEmpty {
                add(FieldError.required(FieldPath("metadata.annotations").key("kubernetes.io/service-account.name")))
            }
        case "kubernetes.io/basic-auth":
            if !keys.contains("username") && !keys.contains("password") {
                add(FieldError.required(FieldPath("data").key("username")))
                add(FieldError.required(FieldPath("data").key("password")))
            }
        case "kubernetes.io/ssh-auth":
            if !keys.contains("ssh-privatekey") { add(FieldError.required(FieldPath("data").key("ssh-privatekey"))) }
        default:
            break
        }
        guard let old else { return }
        immutable(secret["type"] ?? .string("Opaque"), old["type"] ?? .string("Opaque"), FieldPath("type"))
        immutableData(secret, old: old, keys: ["data"])
    }

    /// `ValidateEventCreate` (core/v1)
    mutating func validateEvent(_ event: JSONValue) {
        let namespace = event[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let involved = event["involvedObject"] ?? .object([:])
        if let involvedNamespace = involved["namespace"]?.stringValue, !involvedNamespace.isEmpty,
           involvedNamespace != namespace {
            add(FieldError.invalid(FieldPath("involvedObject.namespace"), .string(involvedNamespace), "does not match event.namespace"))
        }
        if let type = event["type"]?.stringValue, !type.isEmpty, type != "Normal", type != "Warning" {
            add(FieldError.notSupported(FieldPath("type"), .string(type), ["Normal", "Warning"]))
        }
        nonNegative(event["count"], FieldPath("count"))
    }

    mutating func validateLease(_ lease: JSONValue) {
        positive(lease[path: ["spec", "leaseDurationSeconds"]], FieldPath("spec.leaseDurationSeconds"))
        nonNegative(lease[path: ["spec", "leaseTransitions"]], FieldPath("spec.leaseTransitions"))
    }

    mutating func validatePodStatus(_ pod: JSONValue, old: JSONValue?) {
        let status = pod["status"] ?? .object([:])
        supported(status["phase"], FieldPath("status.phase"), ["Failed", "Pending", "Running", "Succeeded", "Unknown"])
        for key in ["containerStatuses", "initContainerStatuses"] {
            for (i, containerStatus) in (status[key]?.arrayValue ?? []).enumerated() {
                nonNegative(containerStatus["restartCount"], FieldPath("status").child(key).index(i).child("restartCount"))
            }
        }
        if let podIP = status["podIP"]?.stringValue, !podIP.isEmpty, !Self.isIP(podIP) {
            add(FieldError.invalid(FieldPath("status.podIPs").index(0).child("ip"), .string(podIP), Self.ipMessage))
        }
        if let nominated = status["nominatedNodeName"]?.stringValue, !nominated.isEmpty {
            add(NameValidation.dns1123Subdomain(nominated), FieldPath("status.nominatedNodeName"), nominated)
        }
        // The node a pod runs on is set by binding, never by a status update.
        if let old, (pod[path: ["spec", "nodeName"]] ?? .null) != (old[path: ["spec", "nodeName"]] ?? .null) {
            add(FieldError.forbidden(FieldPath("spec.nodeName"), "may not be changed by a status update"))
        }
    }
}
