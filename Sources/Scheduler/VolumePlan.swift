import Controllers
import KubeClient
import KubeModel

/// The volumes a pod needs on one node (the VolumeBinding plugin): bound claims must have
/// volumes whose node affinity admits the node; WaitForFirstConsumer claims need a free
/// volume here, reserved when the node is chosen.
struct VolumePlan: Sendable {
    /// Claims to bind to the volume chosen for them on this node.
    var reservations: [(claim: PersistentVolumeClaim, volume: PersistentVolume)] = []

    var isEmpty: Bool { reservations.isEmpty }

    struct Failure: Error {
        var message: String
    }

    static func make(
        pod: Pod, claims: [String: PersistentVolumeClaim?], volumes: [PersistentVolume],
        classes: [String: StorageClass], node: Node
    ) -> Result<VolumePlan, Failure> {
        var plan = VolumePlan()
        var taken = Set<String>()
        for (name, claim) in claims.sorted(by: { $0.key < $1.key }) {
            guard let claim else {
                return .failure(Failure(message: "persistentvolumeclaim \"\(name)\" not found"))
            }
            if claim.metadata.deletionTimestamp != nil {
                return .failure(Failure(message: "persistentvolumeclaim \"\(name)\" is being deleted"))
            }
            if let volumeName = claim.spec?.volumeName, !volumeName.isEmpty {
                guard let volume = volumes.first(where: { $0.name == volumeName }) else {
                    return .failure(Failure(message: "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"))
                }
                if !VolumeBinding.nodeAffinityFits(volume, node) {
                    return .failure(Failure(message: "node(s) had volume node affinity conflict"))
                }
                continue
            }
            let storageClass = classes[VolumeBinding.storageClassName(of: claim)]
            guard storageClass?.volumeBindingMode == "WaitForFirstConsumer" else {
                // The PV controller binds immediate claims; the pod waits for it.
                return .failure(Failure(message: "pod has unbound immediate PersistentVolumeClaims"))
            }
            let available = volumes.filter { !taken.contains($0.name) }
            guard let volume = VolumeBinding.findMatchingVolume(for: claim, in: available, node: node, delayBinding: true) else {
                return .failure(Failure(message: "node(s) didn't find available persistent volumes to bind"))
            }
            taken.insert(volume.name)
            plan.reservations.append((claim, volume))
        }
        return .success(plan)
    }

    /// Pre-binds each chosen volume to its claim and marks the claim with the node, so the
    /// PV controller completes the binding with exactly these volumes.
    func reserve(on node: Node, client: any KubeClient) async throws {
        for (claim, volume) in reservations {
            if !VolumeBinding.isVolume(volume, boundTo: claim) {
                var reserved = volume
                reserved.spec?.claimRef = ObjectReference(
                    kind: "PersistentVolumeClaim", namespace: claim.metadata.namespace, name: claim.name,
                    uid: claim.metadata.uid, apiVersion: "v1", resourceVersion: claim.metadata.resourceVersion)
                var annotations = reserved.metadata.annotations ?? [:]
                annotations[VolumeBinding.boundByControllerAnnotation] = "yes"
                reserved.metadata.annotations = annotations
                try await client.update(reserved)
            }
            if claim.metadata.annotations?[VolumeBinding.selectedNodeAnnotation] != node.name {
                try await client.mergePatch(
                    PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name,
                    ["metadata": ["annotations": [VolumeBinding.selectedNodeAnnotation: .string(node.name)]]])
            }
        }
    }
}
