import Foundation
import KubeModel

/// The stable identity StatefulSet pods carry (`pkg/controller/statefulset/stateful_set_utils.go`).
extension StatefulSet {
    public static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    public static let podIndexLabel = "apps.kubernetes.io/pod-index"
    public static let revisionLabel = "controller-revision-hash"

    public var namespace: String { metadata.namespace ?? "default" }
    public var desiredReplicas: Int { Int(spec?.replicas ?? 1) }
    public var startOrdinal: Int { Int(spec?.ordinals?.start ?? 0) }
    public var isParallel: Bool { spec?.podManagementPolicy == "Parallel" }
    public var minReadySeconds: Int { Int(spec?.minReadySeconds ?? 0) }

    /// `web-0`
    public func podName(ordinal: Int) -> String { "\(name)-\(ordinal)" }

    /// `www-web-0`: the claim of template `www` for the pod of `ordinal`.
    public func claimName(template: String, ordinal: Int) -> String { "\(template)-\(podName(ordinal: ordinal))" }

    /// The ordinal of a pod this set owns by name, or nil.
    public func ordinal(of pod: Pod) -> Int? {
        guard let podName = pod.metadata.name else { return nil }
        return Self.parentAndOrdinal(podName).flatMap { $0.parent == name ? $0.ordinal : nil }
    }

    /// Splits `web-12` into (`web`, 12).
    public static func parentAndOrdinal(_ podName: String) -> (parent: String, ordinal: Int)? {
        guard let dash = podName.lastIndex(of: "-") else { return nil }
        let digits = podName[podName.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let ordinal = Int(digits) else {
            return nil
        }
        return (String(podName[..<dash]), ordinal)
    }

    /// The claims a pod of `ordinal` mounts, keyed by template name.
    public func claims(ordinal: Int) -> [PersistentVolumeClaim] {
        (spec?.volumeClaimTemplates ?? []).map { template in
            var claim = template
            let templateName = template.metadata.name ?? ""
            claim.apiVersion = PersistentVolumeClaim.gvk.apiVersion
            claim.kind = PersistentVolumeClaim.gvk.kind
            claim.metadata = ObjectMeta(
                name: claimName(template: templateName, ordinal: ordinal), namespace: namespace,
                labels: mergedLabels(template.metadata.labels, spec?.selector), annotations: template.metadata.annotations)
            claim.status = nil
            return claim
        }
    }

    /// Labels of a new claim: the template's, plus the set's matchLabels (as Kubernetes does).
    private func mergedLabels(_ labels: [String: String]?, _ selector: LabelSelector?) -> [String: String]? {
        var merged = labels ?? [:]
        for requirement in selector?.requirements ?? [] where requirement.operator == .equals || requirement.operator == .in {
            if requirement.values.count == 1, merged[requirement.key] == nil { merged[requirement.key] = requirement.values[0] }
        }
        return merged.isEmpty ? nil : merged
    }

    /// The reference a pod or claim carries to this set.
    public var controllerReference: OwnerReference {
        OwnerReference(
            apiVersion: StatefulSet.gvk.apiVersion, kind: StatefulSet.gvk.kind, name: name,
            uid: metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }

    /// A new pod of `ordinal` at `revision`, from a pod template in JSON form (so fields this
    /// project does not model reach the pod unchanged), with the set's identity and claims.
    public func newPod(ordinal: Int, template: JSONValue, revision: String) throws -> JSONValue {
        var metadata = try (template["metadata"] ?? [:]).decode(ObjectMeta.self)
        metadata.name = podName(ordinal: ordinal)
        metadata.generateName = nil
        metadata.namespace = namespace
        metadata.ownerReferences = [controllerReference]
        metadata.labels = identityLabels(metadata.labels, ordinal: ordinal).merging([Self.revisionLabel: revision]) { $1 }
        var spec = template["spec"] ?? [:]
        spec["hostname"] = .string(podName(ordinal: ordinal))
        spec["subdomain"] = self.spec?.serviceName.map(JSONValue.string)
        let templates = (self.spec?.volumeClaimTemplates ?? []).compactMap(\.metadata.name)
        if !templates.isEmpty {
            var volumes = (spec["volumes"]?.arrayValue ?? []).filter { volume in
                !templates.contains(volume["name"]?.stringValue ?? "")
            }
            for templateName in templates {
                volumes.append([
                    "name": .string(templateName),
                    "persistentVolumeClaim": ["claimName": .string(claimName(template: templateName, ordinal: ordinal))],
                ])
            }
            spec["volumes"] = .array(volumes)
        }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": try JSONValue(encoding: metadata), "spec": spec]
    }

    /// The pod's labels with the identity labels of `ordinal` (`initIdentity`).
    public func identityLabels(_ labels: [String: String]?, ordinal: Int) -> [String: String] {
        var labels = labels ?? [:]
        labels[Self.podNameLabel] = podName(ordinal: ordinal)
        labels[Self.podIndexLabel] = String(ordinal)
        return labels
    }

    /// The pod carries its ordinal's identity labels (name and hostname cannot change).
    public func identityMatches(_ pod: Pod, ordinal: Int) -> Bool {
        pod.metadata.labels?[Self.podNameLabel] == podName(ordinal: ordinal)
            && pod.metadata.labels?[Self.podIndexLabel] == String(ordinal)
    }

    /// The revision a pod was created from.
    public static func revision(of pod: Pod) -> String? { pod.metadata.labels?[revisionLabel] }
}
