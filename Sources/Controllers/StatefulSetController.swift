import Foundation
import KubeClient
import KubeModel
import Logging

/// The StatefulSet controller (`pkg/controller/statefulset`): for each set, keeps one pod per
/// ordinal with a stable name, hostname and claims, created and removed in order, and keeps
/// the set's status and ControllerRevisions up to date.
public struct StatefulSetController: Sendable {
    public static let component = "statefulset-controller"

    let client: any KubeClient
    let queue: WorkQueue<String>
    let events: EventRecorder
    let now: @Sendable () -> Date
    let logger = Logger(label: "minikube-swift.statefulset-controller")

    public init(
        client: any KubeClient, clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.client = client
        self.queue = WorkQueue(clock: clock)
        self.events = EventRecorder(client: client, component: Self.component, now: now)
        self.now = now
    }

    /// Watches sets and pods and syncs sets until the task is cancelled.
    public func run(workers: Int = 2) async {
        let queue = self.queue
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard let resource = try? StatefulSet.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        await queue.add(ResourceWatcher.key(of: event.object))
                    }
                }
                group.addTask {
                    guard let resource = try? Pod.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        if let owner = Self.ownerKey(of: event.object, kind: "StatefulSet") { await queue.add(owner) }
                    }
                }
                group.addTask {
                    await Controller(name: "statefulset", queue: queue) { key in try await self.sync(key) }.run(workers: workers)
                }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    /// `namespace/name` of the controlling owner of `kind`, if any.
    static func ownerKey(of object: JSONValue, kind: String) -> String? {
        let owners = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
        guard let owner = owners.first(where: { $0["controller"]?.boolValue == true && $0["kind"]?.stringValue == kind }),
              let name = owner["name"]?.stringValue,
              let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        else { return nil }
        return "\(namespace)/\(name)"
    }

    // MARK: sync

    /// One level-triggered step for the set `namespace/name`.
    public func sync(_ key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let (namespace, name) = (parts[0], parts[1])
        let raw: JSONValue
        do {
            raw = try await client.get(StatefulSet.resource, namespace: namespace, name: name)
        } catch let error as KubeAPIError where error.isNotFound {
            return  // Its pods and revisions go with the garbage collector.
        }
        let set = try raw.decode(StatefulSet.self)
        guard set.metadata.deletionTimestamp == nil else { return }

        var pods = try await claimPods(of: set)
        let revisions = try await syncRevisions(of: set, template: raw[path: ["spec", "template"]] ?? [:])
        let plan = StatefulSetPlan.plan(
            set: set, pods: pods, currentRevision: revisions.current.name, updateRevision: revisions.update.name, now: now())
        for action in plan.actions {
            try await perform(action, set: set, pods: pods, revisions: revisions)
        }
        if let waiting = plan.waitingFor { logger.debug("StatefulSet \(key) waits for \(waiting)") }
        if !plan.actions.isEmpty { pods = try await claimPods(of: set) }
        try await updateStatus(of: set, pods: pods, revisions: revisions)
        try await cleanUpRevisions(of: set, revisions: revisions, pods: pods)
        if let wait = nextAvailabilityCheck(set: set, pods: pods) { await queue.add(key, after: wait) }
    }

    /// The set's pods: those it controls, plus orphans it adopts (members by name and selector).
    func claimPods(of set: StatefulSet) async throws -> [Pod] {
        let selector = set.spec?.selector ?? .nothing
        guard !selector.isEmpty, !selector.selectsNothing else { return [] }
        var pods: [Pod] = []
        for pod in try await client.list(Pod.self, namespace: set.namespace, labelSelector: selector.description) {
            guard set.ordinal(of: pod) != nil else { continue }
            if let controller = pod.metadata.ownerReferences?.first(where: { $0.controller == true }) {
                if controller.uid == set.metadata.uid { pods.append(pod) }
                continue
            }
            let owners = (pod.metadata.ownerReferences ?? []) + [set.controllerReference]
            let adopted = try await client.mergePatch(
                Pod.self, namespace: set.namespace, name: pod.name,
                ["metadata": ["ownerReferences": try JSONValue(encoding: owners)]])
            pods.append(adopted)
        }
        return pods
    }

    // MARK: Actions

    func perform(_ action: StatefulSetPlan.Action, set: StatefulSet, pods: [Pod], revisions: Revisions) async throws {
        switch action {
        case .createPod(let ordinal, let revision):
            try await createClaims(of: set, ordinal: ordinal)
            let template = revision == revisions.update.name ? revisions.updateTemplate : revisions.currentTemplate
            let podName = set.podName(ordinal: ordinal)
            do {
                let pod = try set.newPod(ordinal: ordinal, template: template, revision: revision)
                _ = try await client.create(Pod.resource, namespace: set.namespace, pod)
                await events.record(set, reason: "SuccessfulCreate", message: "create Pod \(podName) in StatefulSet \(set.name) successful")
            } catch let error as KubeAPIError where error.isAlreadyExists {
                return  // Seen on the next sync.
            } catch {
                await events.record(set, type: "Warning", reason: "FailedCreate",
                                    message: "create Pod \(podName) in StatefulSet \(set.name) failed error: \(error)")
                throw error
            }

        case .deletePod(let podName, let reason):
            if reason == .scaleDown, set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled == "Delete",
               let pod = pods.first(where: { $0.name == podName }), let ordinal = set.ordinal(of: pod) {
                try await giveClaims(of: set, ordinal: ordinal, to: pod)
            }
            do {
                try await client.delete(Pod.self, namespace: set.namespace, name: podName)
                await events.record(set, reason: "SuccessfulDelete", message: "delete Pod \(podName) in StatefulSet \(set.name) successful")
            } catch {
                await events.record(set, type: "Warning", reason: "FailedDelete",
                                    message: "delete Pod \(podName) in StatefulSet \(set.name) failed error: \(error)")
                throw error
            }

        case .updateIdentity(let podName, let ordinal):
            guard let pod = pods.first(where: { $0.name == podName }) else { return }
            let labels = set.identityLabels(pod.metadata.labels, ordinal: ordinal)
            _ = try await client.mergePatch(
                Pod.self, namespace: set.namespace, name: podName, ["metadata": ["labels": try JSONValue(encoding: labels)]])
        }
    }

    /// Creates the claims a pod of `ordinal` needs; existing claims are reused, never renamed.
    func createClaims(of set: StatefulSet, ordinal: Int) async throws {
        let podName = set.podName(ordinal: ordinal)
        for var claim in set.claims(ordinal: ordinal) {
            if let existing = try await client.getIfExists(PersistentVolumeClaim.self, namespace: set.namespace, name: claim.name) {
                if existing.metadata.deletionTimestamp != nil {
                    throw StatefulSetError.claimTerminating(claim.name)
                }
                continue
            }
            if set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted == "Delete" {
                var owner = set.controllerReference
                owner.controller = false
                claim.metadata.ownerReferences = [owner]
            }
            do {
                try await client.create(claim)
                await events.record(set, reason: "SuccessfulCreate",
                                    message: "create Claim \(claim.name) Pod \(podName) in StatefulSet \(set.name) success")
            } catch let error as KubeAPIError where error.isAlreadyExists {
                continue
            } catch {
                await events.record(set, type: "Warning", reason: "FailedCreate",
                                    message: "create Claim \(claim.name) for Pod \(podName) in StatefulSet \(set.name) failed error: \(error)")
                throw error
            }
        }
    }

    /// whenScaled: Delete — the condemned pod becomes an owner of its claims, so they go with it.
    func giveClaims(of set: StatefulSet, ordinal: Int, to pod: Pod) async throws {
        for template in set.claims(ordinal: ordinal) {
            guard let claim = try await client.getIfExists(PersistentVolumeClaim.self, namespace: set.namespace, name: template.name),
                  !(claim.metadata.ownerReferences ?? []).contains(where: { $0.uid == pod.metadata.uid })
            else { continue }
            let owner = OwnerReference(apiVersion: "v1", kind: "Pod", name: pod.name, uid: pod.metadata.uid ?? "")
            _ = try await client.mergePatch(
                PersistentVolumeClaim.self, namespace: set.namespace, name: claim.name,
                ["metadata": ["ownerReferences": try JSONValue(encoding: (claim.metadata.ownerReferences ?? []) + [owner])]])
        }
    }

    // MARK: Revisions

    struct Revisions {
        var current: ControllerRevision
        var update: ControllerRevision
        var currentTemplate: JSONValue
        var updateTemplate: JSONValue
        var collisionCount: Int32
        var all: [ControllerRevision]
    }

    /// Finds or creates the revision of the set's template; the current revision is the one
    /// the status names, else the update revision.
    func syncRevisions(of set: StatefulSet, template: JSONValue) async throws -> Revisions {
        let selector = set.spec?.selector?.description
        var owned = try await client.list(ControllerRevision.self, namespace: set.namespace, labelSelector: selector)
            .filter { $0.metadata.ownerReferences?.contains { $0.uid == set.metadata.uid && $0.controller == true } ?? false }
            .sorted { $0.revision < $1.revision }
        let data = StatefulSetRevisions.data(template: template)
        var collisionCount = set.status?.collisionCount ?? 0
        var update: ControllerRevision?
        if let equal = owned.last(where: { $0.data == data }) { update = equal }
        while update == nil {
            let hash = StatefulSetRevisions.hash(template: template, collisionCount: collisionCount)
            let name = "\(set.name)-\(hash)"
            if let existing = owned.first(where: { $0.name == name }) {
                // The same name for another template: a hash collision.
                if existing.data == data { update = existing } else { collisionCount += 1 }
                continue
            }
            var labels = (try? (template[path: ["metadata", "labels"]] ?? [:]).decode([String: String].self)) ?? [:]
            labels["controller.kubernetes.io/hash"] = hash
            let revision = ControllerRevision(
                metadata: ObjectMeta(name: name, namespace: set.namespace, labels: labels, ownerReferences: [set.controllerReference]),
                data: data, revision: (owned.last?.revision ?? 0) + 1)
            do {
                let created = try await client.create(revision)
                owned.append(created)
                update = created
            } catch let error as KubeAPIError where error.isAlreadyExists {
                collisionCount += 1
            }
        }
        guard let update else { throw StatefulSetError.noRevision(set.name) }
        let current = owned.first { $0.name == set.status?.currentRevision } ?? update
        return Revisions(
            current: current, update: update,
            currentTemplate: StatefulSetRevisions.template(from: current) ?? template, updateTemplate: template,
            collisionCount: collisionCount, all: owned)
    }

    /// Deletes revisions beyond `revisionHistoryLimit` that no pod and no status still uses.
    func cleanUpRevisions(of set: StatefulSet, revisions: Revisions, pods: [Pod]) async throws {
        let limit = Int(set.spec?.revisionHistoryLimit ?? 10)
        var live = Set(pods.compactMap(StatefulSet.revision(of:)))
        live.insert(revisions.current.name)
        live.insert(revisions.update.name)
        let history = revisions.all.filter { !live.contains($0.name) }
        guard history.count > limit else { return }
        for revision in history.prefix(history.count - limit) {
            try await client.delete(ControllerRevision.self, namespace: set.namespace, name: revision.name)
        }
    }

    // MARK: Status

    func updateStatus(of set: StatefulSet, pods: [Pod], revisions: Revisions) async throws {
        let date = now()
        let created = pods.filter(\.isCreated)
        var status = StatefulSetStatus(replicas: Int32(created.count))
        status.observedGeneration = set.metadata.generation
        status.readyReplicas = Int32(created.filter(\.isRunningAndReady).count)
        status.availableReplicas = Int32(created.filter {
            $0.isRunningAndReady && $0.isAvailable(minReadySeconds: set.minReadySeconds, now: date)
        }.count)
        status.currentReplicas = Int32(created.filter { StatefulSet.revision(of: $0) == revisions.current.name }.count)
        status.updatedReplicas = Int32(created.filter { StatefulSet.revision(of: $0) == revisions.update.name }.count)
        status.currentRevision = revisions.current.name
        status.updateRevision = revisions.update.name
        status.collisionCount = revisions.collisionCount
        // A finished rolling update makes the update revision current.
        if set.spec?.updateStrategy?.type ?? "RollingUpdate" == "RollingUpdate",
           status.updatedReplicas == status.replicas, status.readyReplicas == status.replicas {
            status.currentRevision = revisions.update.name
            status.currentReplicas = status.updatedReplicas
        }
        status.conditions = set.status?.conditions
        guard status != set.status else { return }
        _ = try await client.patch(
            StatefulSet.resource, namespace: set.namespace, name: set.name, type: .merge,
            ["status": try JSONValue(encoding: status)], subresource: "status")
    }

    /// When a pod is Ready but not yet available for minReadySeconds: the time left.
    func nextAvailabilityCheck(set: StatefulSet, pods: [Pod]) -> Duration? {
        let minReady = set.minReadySeconds
        guard minReady > 0 else { return nil }
        let date = now()
        let waits = pods.compactMap { pod -> TimeInterval? in
            guard pod.isRunningAndReady, !pod.isAvailable(minReadySeconds: minReady, now: date),
                  let since = pod.condition("Ready")?.lastTransitionTime.flatMap(RFC3339.date(from:)) else { return nil }
            return since.addingTimeInterval(TimeInterval(minReady)).timeIntervalSince(date)
        }
        return waits.min().map { .milliseconds(Int64(max(0, $0) * 1000) + 100) }
    }
}

/// Why a StatefulSet sync could not take its step (retried with backoff).
public enum StatefulSetError: Error, CustomStringConvertible {
    case claimTerminating(String)
    case noRevision(String)

    public var description: String {
        switch self {
        case .claimTerminating(let name): return "PersistentVolumeClaim \(name) is being deleted; waiting before creating its pod"
        case .noRevision(let name): return "no ControllerRevision could be made for StatefulSet \(name)"
        }
    }
}
