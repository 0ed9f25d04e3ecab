import KubeModel

/// The rules Kubernetes' PersistentVolume controller and scheduler use to pair a claim with a
/// volume (`k8s.io/component-helpers/storage/volume`, `FindMatchingVolume`).
public enum VolumeBinding {
    /// Annotations the binder writes, as Kubernetes names them.
    public static let bindCompletedAnnotation = "pv.kubernetes.io/bind-completed"
    public static let boundByControllerAnnotation = "pv.kubernetes.io/bound-by-controller"
    public static let selectedNodeAnnotation = "volume.kubernetes.io/selected-node"
    public static let betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"
    public static let defaultStorageClassAnnotation = "storageclass.kubernetes.io/is-default-class"
    public static let noProvisioner = "kubernetes.io/no-provisioner"

    /// The class a claim asks for: the field, else the beta annotation, else "".
    public static func storageClassName(of claim: PersistentVolumeClaim) -> String {
        claim.spec?.storageClassName
            ?? claim.metadata.annotations?[betaStorageClassAnnotation]
            ?? ""
    }

    /// The class of a volume: the field, else the beta annotation, else "".
    public static func storageClassName(of volume: PersistentVolume) -> String {
        volume.spec?.storageClassName
            ?? volume.metadata.annotations?[betaStorageClassAnnotation]
            ?? ""
    }

    /// The storage a claim requests (zero when it asks for none).
    public static func requestedStorage(of claim: PersistentVolumeClaim) -> Quantity {
        claim.spec?.resources?.requests?["storage"] ?? Quantity(nanos: 0)
    }

    /// The capacity of a volume (zero when it declares none).
    public static func capacity(of volume: PersistentVolume) -> Quantity {
        volume.spec?.capacity?["storage"] ?? Quantity(nanos: 0)
    }

    /// Whether the volume's claimRef names this claim (and, when set, its uid).
    public static func isVolume(_ volume: PersistentVolume, boundTo claim: PersistentVolumeClaim) -> Bool {
        guard let ref = volume.spec?.claimRef else { return false }
        guard ref.name == claim.metadata.name, ref.namespace == claim.metadata.namespace else { return false }
        if let uid = ref.uid, !uid.isEmpty, uid != claim.metadata.uid { return false }
        return true
    }

    /// Every mode the claim asks for is one the volume offers.
    public static func accessModesFit(_ volume: PersistentVolume, _ claim: PersistentVolumeClaim) -> Bool {
        let offered = Set(volume.spec?.accessModes ?? [])
        return (claim.spec?.accessModes ?? []).allSatisfy(offered.contains)
    }

    /// `Filesystem` unless set; a claim and a volume of different modes never pair.
    static func volumeModesMatch(_ volume: PersistentVolume, _ claim: PersistentVolumeClaim) -> Bool {
        (volume.spec?.volumeMode ?? "Filesystem") == (claim.spec?.volumeMode ?? "Filesystem")
    }

    /// Whether a volume's node affinity admits `node`; volumes without affinity fit every node.
    public static func nodeAffinityFits(_ volume: PersistentVolume, _ node: Node) -> Bool {
        guard let required = volume.spec?.nodeAffinity?.required else { return true }
        return required.matches(node)
    }

    /// The volume `claim` should bind to, as Kubernetes chooses it: a volume pre-bound to the
    /// claim wins; otherwise the smallest Available, unclaimed volume of the claim's class whose
    /// capacity, access modes, labels (the claim's selector) and node affinity fit.
    ///
    /// - Parameters:
    ///   - node: the node chosen for the claim's first consumer, when binding is delayed
    ///     (WaitForFirstConsumer) or done by the scheduler; nil for immediate binding.
    ///   - delayBinding: the claim's class binds on first consumer; without a node only a
    ///     pre-bound volume may then match.
    public static func findMatchingVolume(
        for claim: PersistentVolumeClaim, in volumes: [PersistentVolume],
        node: Node? = nil, delayBinding: Bool = false
    ) -> PersistentVolume? {
        let requested = requestedStorage(of: claim)
        let requestedClass = storageClassName(of: claim)
        let selector = claim.spec?.selector
        var smallest: PersistentVolume?

        for volume in volumes {
            guard volumeModesMatch(volume, claim), volume.metadata.deletionTimestamp == nil else { continue }
            let affinityFits = node.map { nodeAffinityFits(volume, $0) } ?? true
            if isVolume(volume, boundTo: claim) {
                // A pre-bound volume is the only answer, even when it does not fit the node.
                return affinityFits ? volume : nil
            }
            if node == nil && delayBinding { continue }
            guard volume.status?.phase == "Available", volume.spec?.claimRef == nil else { continue }
            if let selector, !selector.matches(volume.metadata.labels ?? [:]) { continue }
            guard storageClassName(of: volume) == requestedClass, affinityFits else { continue }
            guard accessModesFit(volume, claim), capacity(of: volume) >= requested else { continue }
            if let current = smallest, capacity(of: current) <= capacity(of: volume) { continue }
            smallest = volume
        }
        return smallest
    }
}
