/// Per-kind validation dispatch.
extension Validator {
    mutating func validateKind(_ object: JSONValue, old: JSONValue?, kind: String) {
        switch kind {
        case "Pod": validatePod(object, old: old)
        case "StatefulSet": validateStatefulSet(object, old: old)
        case "ControllerRevision": validateControllerRevision(object, old: old)
        case "PersistentVolume": validatePersistentVolume(object, old: old)
        case "PersistentVolumeClaim": validatePersistentVolumeClaim(object, old: old)
        case "StorageClass": validateStorageClass(object, old: old)
        case "Service": validateService(object, old: old)
        case "Endpoints": validateEndpoints(object)
        case "EndpointSlice": validateEndpointSlice(object, old: old)
        case "Namespace": validateNamespace(object)
        case "Node": validateNode(object)
        case "ConfigMap": validateConfigMap(object, old: old)
        case "Secret": validateSecret(object, old: old)
        case "Event": validateEvent(object)
        case "Lease": validateLease(object)
        default: break
        }
    }

    mutating func validateStatus(_ object: JSONValue, old: JSONValue?, kind: String) {
        switch kind {
        case "Pod": validatePodStatus(object, old: old)
        case "StatefulSet": validateStatefulSetStatus(object, old: old)
        case "PersistentVolume": validatePersistentVolumeStatus(object)
        case "PersistentVolumeClaim": validatePersistentVolumeClaimStatus(object)
        case "Namespace": validateNamespaceStatus(object)
        case "Node": validateNodeStatus(object)
        default: break
        }
    }

    /// `ValidatePodBinding`
    mutating func validateBinding(_ binding: JSONValue) {
        let target = binding["target"] ?? .object([:])
        if let kind = target["kind"]?.stringValue, !kind.isEmpty, kind != "Node" {
            add(FieldError.notSupported(FieldPath("target.kind"), .string(kind), ["Node", "<empty>"]))
        }
        if (target["name"]?.stringValue ?? "").isEmpty {
            add(FieldError.required(FieldPath("target.name")))
        }
    }

    mutating func validateScale(_ object: JSONValue) {
        nonNegative(object[path: ["spec", "replicas"]], FieldPath("spec.replicas"))
    }
}
