import Foundation
import KubeClient
import KubeModel
import Logging

/// The PersistentVolume controller (`pkg/controller/volume/persistentvolume`): binds claims
/// to volumes (statically: `kubernetes.io/no-provisioner` never creates one), keeps both
/// phases true, and reclaims volumes whose claim is gone.
public struct PersistentVolumeController: Sendable {
    public static let component = "persistentvolume-controller"

    let client: any KubeClient
    let claims: WorkQueue<String>
    let volumes: WorkQueue<String>
    let events: EventRecorder
    let logger = Logger(label: "minikube-swift.persistentvolume-controller")
    /// hostPath data is deleted on reclaim only under these prefixes; other volumes go Failed.
    let deletablePathPrefixes: [String]

    public init(
        client: any KubeClient, deletablePathPrefixes: [String] = ["/tmp/"],
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.client = client
        self.claims = WorkQueue(clock: clock)
        self.volumes = WorkQueue(clock: clock)
        self.events = EventRecorder(client: client, component: Self.component, now: now)
        self.deletablePathPrefixes = deletablePathPrefixes
    }

    /// Watches claims, volumes and classes and syncs until the task is cancelled.
    public func run() async {
        let (claims, volumes, client) = (self.claims, self.volumes, self.client)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard let resource = try? PersistentVolumeClaim.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        await claims.add(ResourceWatcher.key(of: event.object))
                        if let volume = event.object[path: ["spec", "volumeName"]]?.stringValue { await volumes.add(volume) }
                    }
                }
                group.addTask {
                    guard let resource = try? PersistentVolume.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        await volumes.add(ResourceWatcher.key(of: event.object))
                        if let ref = event.object[path: ["spec", "claimRef"]], let name = ref["name"]?.stringValue,
                           let namespace = ref["namespace"]?.stringValue {
                            await claims.add("\(namespace)/\(name)")
                        }
                        // A volume that appears or frees up may bind any pending claim.
                        if event.type != .deleted { await Self.addPendingClaims(client: client, to: claims) }
                    }
                }
                group.addTask {
                    guard let resource = try? StorageClass.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { _ in
                        await Self.addPendingClaims(client: client, to: claims)
                    }
                }
                group.addTask { await Controller(name: "persistentvolumeclaim", queue: claims) { try await self.syncClaim($0) }.run() }
                group.addTask { await Controller(name: "persistentvolume", queue: volumes) { try await self.syncVolume($0) }.run() }
            }
        } onCancel: {
            Task {
                await claims.shutDown()
                await volumes.shutDown()
            }
        }
    }

    static func addPendingClaims(client: any KubeClient, to queue: WorkQueue<String>) async {
        guard let pending = try? await client.list(PersistentVolumeClaim.self, fieldSelector: nil) else { return }
        for claim in pending where claim.spec?.volumeName == nil { await queue.add(claim.key) }
    }

    // MARK: Claims

    /// One step for the claim `namespace/name`.
    public func syncClaim(_ key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2,
              var claim = try await client.getIfExists(PersistentVolumeClaim.self, namespace: parts[0], name: parts[1]),
              claim.metadata.deletionTimestamp == nil
        else { return }

        // Claims without a class get the default one, as Kubernetes does retroactively.
        if claim.spec?.storageClassName == nil, claim.metadata.annotations?[VolumeBinding.betaStorageClassAnnotation] == nil,
           let defaultClass = try await defaultStorageClass() {
            claim = try await client.mergePatch(
                PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name,
                ["spec": ["storageClassName": .string(defaultClass.name)]])
        }

        if let volumeName = claim.spec?.volumeName, !volumeName.isEmpty {
            try await syncBoundClaim(claim, volumeName: volumeName)
            return
        }

        let className = VolumeBinding.storageClassName(of: claim)
        let storageClass = className.isEmpty ? nil : try await client.getIfExists(StorageClass.self, name: className)
        let delayBinding = storageClass?.volumeBindingMode == "WaitForFirstConsumer"
        var node: Node?
        if let selected = claim.metadata.annotations?[VolumeBinding.selectedNodeAnnotation] {
            node = try await client.getIfExists(Node.self, name: selected)
        }
        let candidates = try await client.list(PersistentVolume.self)
        if let volume = VolumeBinding.findMatchingVolume(for: claim, in: candidates, node: node, delayBinding: delayBinding) {
            try await bind(volume, to: claim)
            return
        }
        try await setClaimPhase(claim, "Pending")
        if delayBinding && node == nil {
            await events.record(claim, reason: "WaitForFirstConsumer", message: "waiting for first consumer to be created before binding")
        } else if className.isEmpty {
            await events.record(claim, reason: "FailedBinding", message: "no persistent volumes available for this claim and no storage class is set")
        } else if let provisioner = storageClass?.provisioner {
            await events.record(
                claim, reason: "ExternalProvisioning",
                message: "waiting for a volume to be created, either by external provisioner \"\(provisioner)\" or manually created by system administrator")
        } else {
            await events.record(claim, type: "Warning", reason: "ProvisioningFailed",
                                message: "storageclass.storage.k8s.io \"\(className)\" not found")
        }
    }

    func defaultStorageClass() async throws -> StorageClass? {
        try await client.list(StorageClass.self)
            .filter { $0.metadata.annotations?[VolumeBinding.defaultStorageClassAnnotation] == "true" }
            .max { ($0.metadata.creationTimestamp ?? "") < ($1.metadata.creationTimestamp ?? "") }
    }

    /// A claim that names its volume: finish the binding, or mark the claim Lost.
    func syncBoundClaim(_ claim: PersistentVolumeClaim, volumeName: String) async throws {
        guard let volume = try await client.getIfExists(PersistentVolume.self, name: volumeName) else {
            if claim.status?.phase != "Lost", claim.metadata.annotations?[VolumeBinding.bindCompletedAnnotation] != nil {
                try await setClaimPhase(claim, "Lost")
                await events.record(claim, type: "Warning", reason: "ClaimLost",
                                    message: "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            }
            return
        }
        if volume.spec?.claimRef == nil || VolumeBinding.isVolume(volume, boundTo: claim) {
            try await bind(volume, to: claim)
        } else if claim.metadata.annotations?[VolumeBinding.bindCompletedAnnotation] != nil {
            try await setClaimPhase(claim, "Lost")
            await events.record(claim, type: "Warning", reason: "ClaimMisbound",
                                message: "Two claims are bound to the same volume, this one is bound incorrectly")
        } else {
            await events.record(claim, type: "Warning", reason: "FailedBinding",
                                message: "volume \"\(volumeName)\" already bound to a different claim.")
        }
    }

    /// Binds both sides, each step only if needed, volume first (as Kubernetes orders it).
    func bind(_ volume: PersistentVolume, to claim: PersistentVolumeClaim) async throws {
        var volume = volume
        if !VolumeBinding.isVolume(volume, boundTo: claim) || volume.spec?.claimRef?.uid == nil {
            volume.spec?.claimRef = ObjectReference(
                kind: "PersistentVolumeClaim", namespace: claim.metadata.namespace, name: claim.name,
                uid: claim.metadata.uid, apiVersion: "v1", resourceVersion: claim.metadata.resourceVersion)
            var annotations = volume.metadata.annotations ?? [:]
            annotations[VolumeBinding.boundByControllerAnnotation] = "yes"
            volume.metadata.annotations = annotations
            volume = try await client.update(volume)
        }
        if volume.status?.phase != "Bound" {
            volume = try await client.mergePatch(
                PersistentVolume.self, name: volume.name, ["status": ["phase": "Bound"]], subresource: "status")
        }
        var claim = claim
        if claim.spec?.volumeName != volume.name || claim.metadata.annotations?[VolumeBinding.bindCompletedAnnotation] == nil {
            var annotations: JSONValue = [VolumeBinding.bindCompletedAnnotation: "yes"]
            if claim.spec?.volumeName != volume.name { annotations[VolumeBinding.boundByControllerAnnotation] = "yes" }
            claim = try await client.mergePatch(
                PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name,
                ["metadata": ["annotations": annotations], "spec": ["volumeName": .string(volume.name)]])
        }
        let status: JSONValue = [
            "phase": "Bound",
            "accessModes": try JSONValue(encoding: volume.spec?.accessModes ?? []),
            "capacity": try JSONValue(encoding: volume.spec?.capacity ?? [:]),
        ]
        if claim.status?.phase != "Bound" || claim.status?.capacity != volume.spec?.capacity {
            _ = try await client.mergePatch(
                PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name,
                ["status": status], subresource: "status")
        }
    }

    func setClaimPhase(_ claim: PersistentVolumeClaim, _ phase: String) async throws {
        guard claim.status?.phase != phase else { return }
        _ = try await client.mergePatch(
            PersistentVolumeClaim.self, namespace: claim.metadata.namespace, name: claim.name,
            ["status": ["phase": .string(phase)]], subresource: "status")
    }

    // MARK: Volumes

    /// One step for the volume `name`.
    public func syncVolume(_ name: String) async throws {
        guard let volume = try await client.getIfExists(PersistentVolume.self, name: name),
              volume.metadata.deletionTimestamp == nil
        else { return }
        guard let ref = volume.spec?.claimRef else {
            if volume.status?.phase != "Available" && volume.status?.phase != "Failed" {
                try await setVolumePhase(volume, "Available")
            }
            return
        }
        let claim = try await client.getIfExists(PersistentVolumeClaim.self, namespace: ref.namespace, name: ref.name ?? "")
        if let claim, ref.uid == nil || ref.uid == claim.metadata.uid {
            if claim.spec?.volumeName == volume.name {
                if volume.status?.phase != "Bound" { try await setVolumePhase(volume, "Bound") }
            } else if let other = claim.spec?.volumeName, !other.isEmpty,
                      volume.metadata.annotations?[VolumeBinding.boundByControllerAnnotation] != nil {
                // The claim went to another volume: this one is free again.
                var unbound = volume
                unbound.spec?.claimRef = nil
                unbound.metadata.annotations?[VolumeBinding.boundByControllerAnnotation] = nil
                let updated = try await client.update(unbound)
                try await setVolumePhase(updated, "Available")
            } else if volume.status?.phase == nil || volume.status?.phase == "Pending" {
                try await setVolumePhase(volume, "Available")
            }
            return
        }
        if ref.uid == nil {
            // Pre-bound by its creator to a claim that does not exist yet.
            if volume.status?.phase != "Available" { try await setVolumePhase(volume, "Available") }
            return
        }
        try await reclaim(volume)
    }

    /// The claim is gone: Retain keeps the volume Released (never rebound automatically),
    /// Delete removes it — its hostPath data only under an allowed prefix.
    func reclaim(_ volume: PersistentVolume) async throws {
        var volume = volume
        if volume.status?.phase != "Released" && volume.status?.phase != "Failed" {
            volume = try await setVolumePhase(volume, "Released")
        }
        switch volume.spec?.persistentVolumeReclaimPolicy ?? "Retain" {
        case "Delete":
            guard volume.status?.phase != "Failed" else { return }
            if let path = volume.spec?.hostPath?.path {
                let normalized = URL(fileURLWithPath: path).standardizedFileURL.path
                guard deletablePathPrefixes.contains(where: { normalized.hasPrefix($0) && normalized.count > $0.count }) else {
                    let message = "host_path deleter only supports \(deletablePathPrefixes.map { $0 + ".+" }.joined(separator: ", ")) but received provided \(path)"
                    try await setVolumePhase(volume, "Failed", message: message)
                    await events.record(volume, type: "Warning", reason: "VolumeFailedDelete", message: message)
                    return
                }
                do {
                    if FileManager.default.fileExists(atPath: normalized) { try FileManager.default.removeItem(atPath: normalized) }
                } catch {
                    let message = "delete \(path): \(error)"
                    try await setVolumePhase(volume, "Failed", message: message)
                    await events.record(volume, type: "Warning", reason: "VolumeFailedDelete", message: message)
                    return
                }
            }
            try await client.delete(PersistentVolume.self, name: volume.name)
        case "Retain":
            return
        default:
            let message = "reclaim policy \(volume.spec?.persistentVolumeReclaimPolicy ?? "") is not supported"
            try await setVolumePhase(volume, "Failed", message: message)
            await events.record(volume, type: "Warning", reason: "VolumeUnknownReclaimPolicy", message: message)
        }
    }

    @discardableResult
    func setVolumePhase(_ volume: PersistentVolume, _ phase: String, message: String? = nil) async throws -> PersistentVolume {
        var status: JSONValue = ["phase": .string(phase)]
        status["message"] = message.map(JSONValue.string) ?? .null
        return try await client.mergePatch(PersistentVolume.self, name: volume.name, ["status": status], subresource: "status")
    }
}
