/// What Kubernetes' registry strategies do to an object before defaulting and validation
/// (`PrepareForCreate`, `PrepareForUpdate`): status is set by its own subresource, the spec by
/// the main resource, and `metadata.generation` counts spec changes.
extension Admission {
    /// Kinds whose `metadata.generation` Kubernetes increments on each spec change.
    static let generationTracked: Set<String> = ["StatefulSet", "Pod"]

    /// On create: the status a new object starts with (a client cannot create a pod as
    /// Running), and generation 1. Order with `applyDefaults` does not matter.
    public static func prepareForCreate(_ object: inout JSONValue, resource: APIResource) {
        guard case .object = object else { return }
        let kind = resource.gvk.kind
        switch kind {
        case "Pod":
            object["status"] = .object(["phase": .string("Pending"), "qosClass": .string(Defaulting.qosClass(pod: object))])
        case "PersistentVolume", "PersistentVolumeClaim":
            object["status"] = .object(["phase": .string("Pending")])
        case "Namespace":
            object["status"] = .object(["phase": .string("Active")])
        case "Service":
            object["status"] = .object(["loadBalancer": .object([:])])
        case "StatefulSet":
            object["status"] = .object(["replicas": .int(0), "availableReplicas": .int(0)])
        default:
            break
        }
        if generationTracked.contains(kind) {
            object.update("metadata") { $0["generation"] = .int(1) }
        }
    }

    /// On update: the main resource keeps the stored status, the `status` subresource keeps the
    /// stored spec; generation grows when the (defaulted) spec changed. Order with
    /// `applyDefaults` does not matter.
    public static func prepareForUpdate(_ object: inout JSONValue, old: JSONValue, resource: APIResource, subresource: String?) {
        guard case .object = object else { return }
        let kind = resource.gvk.kind
        let hasStatus = resource.subresources.contains("status")
        switch subresource {
        case "status":
            for key in ["spec"] where old[key] != nil { object[key] = old[key] }
            if kind == "Namespace" {
                // Finalizers are cleared through /finalize, not /status.
                object.update("spec") { $0["finalizers"] = old[path: ["spec", "finalizers"]] }
            }
            if kind == "Pod" {
                object.update("metadata") { meta in
                    meta["ownerReferences"] = old[path: ["metadata", "ownerReferences"]]
                    meta["deletionTimestamp"] = old[path: ["metadata", "deletionTimestamp"]]
                }
            }
        case nil, "":
            if hasStatus {
                object["status"] = old["status"]
            }
            if kind == "Namespace" {
                object.update("spec") { $0["finalizers"] = old[path: ["spec", "finalizers"]] }
            }
        default:
            break
        }
        let oldGeneration = old[path: ["metadata", "generation"]]
        if generationTracked.contains(kind) {
            var generation = oldGeneration?.intValue ?? 1
            // Compare defaulted specs: a re-applied manifest that omits defaults is no change.
            var newDefaulted = object
            var oldDefaulted = old
            Defaulting.apply(to: &newDefaulted, kind: kind)
            Defaulting.apply(to: &oldDefaulted, kind: kind)
            if subresource == nil || subresource == "",
               !Validator.semanticallyEqual(newDefaulted["spec"], oldDefaulted["spec"]) {
                generation += 1
            }
            object.update("metadata") { $0["generation"] = .int(generation) }
        } else if let oldGeneration {
            object.update("metadata") { $0["generation"] = oldGeneration }
        }
        object.update("metadata") { meta in
            for key in ["ownerReferences", "deletionTimestamp"] where meta[key] == .null {
                meta[key] = nil
            }
        }
        object.update("spec", create: false) { spec in
            if spec["finalizers"] == .null { spec["finalizers"] = nil }
        }
        for key in ["status", "spec"] where object[key] == .null {
            object[key] = nil
        }
    }

    /// The `autoscaling/v1` Scale of a StatefulSet (`statefulsets/scale`).
    public static func scale(of statefulSet: JSONValue) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = statefulSet[path: ["metadata", key]] { metadata[key] = value }
        }
        let selector = (try? LabelSelector(statefulSet[path: ["spec", "selector"]]))?.description ?? ""
        return .object([
            "kind": .string("Scale"),
            "apiVersion": .string("autoscaling/v1"),
            "metadata": .object(metadata),
            "spec": .object(["replicas": statefulSet[path: ["spec", "replicas"]] ?? .int(1)]),
            "status": .object(["replicas": statefulSet[path: ["status", "replicas"]] ?? .int(0), "selector": .string(selector)]),
        ])
    }

    /// A StatefulSet with the replicas a Scale asks for.
    public static func applyScale(_ scale: JSONValue, to statefulSet: JSONValue) -> JSONValue {
        var result = statefulSet
        result.update("spec") { $0["replicas"] = scale[path: ["spec", "replicas"]] ?? .int(0) }
        return result
    }
}
