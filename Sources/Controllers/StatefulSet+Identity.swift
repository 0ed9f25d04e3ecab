import Foundation
import KubeModel

/// The stable identity StatefulSet pods carry (`pkg/controller/statefulset/stateful_set_utils.go`).
extension StatefulSet {
    public static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    public static let podIndexLabel = "apps.kubernetes.io/pod-index"
    public static let revisionLabel = "controller-revision-hash"

    public var name: String { metadata.name ?? "" }
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

    /// A new pod of `ordinal` from `template` at `revision`, with the set's identity.
    public func newPod(ordinal: Int, template: PodTemplateSpec, revision: String) -> Pod {
        var metadata = template.metadata ?? ObjectMeta()
        metadata.name = podName(ordinal: ordinal)
        metadata.generateName = nil
        metadata.namespace = namespace
        metadata.uid = nil
        metadata.resourceVersion = nil
        metadata.creationTimestamp = nil
        metadata.ownerReferences = [controllerReference]
        var labels = metadata.labels ?? [:]
        labels[Self.revisionLabel] = revision
        metadata.labels = labels
        var pod = Pod(metadata: metadata, spec: template.spec)
        applyIdentity(to: &pod, ordinal: ordinal)
        applyStorage(to: &pod, ordinal: ordinal)
        return pod
    }

    /// Hostname, subdomain and identity labels (`updateIdentity`).
    public func applyIdentity(to pod: inout Pod, ordinal: Int) {
        pod.metadata.name = podName(ordinal: ordinal)
        pod.metadata.namespace = namespace
        var labels = pod.metadata.labels ?? [:]
        labels[Self.podNameLabel] = podName(ordinal: ordinal)
        labels[Self.podIndexLabel] = String(ordinal)
        pod.metadata.labels = labels
        var spec = pod.spec ?? PodSpec()
        spec.hostname = podName(ordinal: ordinal)
        spec.subdomain = self.spec?.serviceName
        pod.spec = spec
    }

    /// The pod mounts the claims of its ordinal in place of same-named volumes (`updateStorage`).
    public func applyStorage(to pod: inout Pod, ordinal: Int) {
        let templates = spec?.volumeClaimTemplates ?? []
        guard !templates.isEmpty else { return }
        var spec = pod.spec ?? PodSpec()
        let templateNames = Set(templates.compactMap(\.metadata.name))
        var volumes = (spec.volumes ?? []).filter { !templateNames.contains($0.name) }
        for template in templates {
            guard let templateName = template.metadata.name else { continue }
            var volume = Volume(name: templateName)
            volume.persistentVolumeClaim = PersistentVolumeClaimVolumeSource(
                claimName: claimName(template: templateName, ordinal: ordinal))
            volumes.append(volume)
        }
        spec.volumes = volumes
        pod.spec = spec
    }

    /// The pod has its ordinal's name, hostname, subdomain and labels.
    public func identityMatches(_ pod: Pod, ordinal: Int) -> Bool {
        pod.metadata.name == podName(ordinal: ordinal)
            && pod.metadata.namespace == namespace
            && pod.metadata.labels?[Self.podNameLabel] == podName(ordinal: ordinal)
            && pod.spec?.hostname == podName(ordinal: ordinal)
            && pod.spec?.subdomain == spec?.serviceName
    }

    /// The revision a pod was created from.
    public static func revision(of pod: Pod) -> String? { pod.metadata.labels?[revisionLabel] }
}
