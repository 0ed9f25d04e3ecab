import Foundation
import KubeModel

/// One step of the StatefulSet controller, computed from the current state alone
/// (`pkg/controller/statefulset/stateful_set_control.go`): which pods to create, delete or
/// relabel now. OrderedReady sets take at most one step per sync and wait for every lower
/// ordinal to be Running and Ready; Parallel sets act on every ordinal at once.
public struct StatefulSetPlan: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Create the claims the pod needs (those missing), then the pod.
        case createPod(ordinal: Int, revision: String)
        /// Delete a pod: condemned by a scale down, failed, or of an old revision.
        case deletePod(name: String, reason: DeleteReason)
        /// Restore a pod's identity (name labels, hostname, subdomain).
        case updateIdentity(name: String, ordinal: Int)
    }

    public enum DeleteReason: String, Sendable, Equatable {
        case scaleDown, failed, update
    }

    public var actions: [Action] = []
    /// Why the controller stopped early (an OrderedReady set waiting for a pod), for logs.
    public var waitingFor: String?

    /// The step for `set` given the pods it owns.
    ///
    /// - Parameters:
    ///   - currentRevision: the revision pods below the partition are created at.
    ///   - updateRevision: the revision of the set's current template.
    public static func plan(
        set: StatefulSet, pods: [Pod], currentRevision: String, updateRevision: String, now: Date
    ) -> StatefulSetPlan {
        var plan = StatefulSetPlan()
        let monotonic = !set.isParallel
        let start = set.startOrdinal
        let end = start + set.desiredReplicas
        let minReady = set.minReadySeconds

        var replicas: [Int: Pod] = [:]
        var condemned: [(ordinal: Int, pod: Pod)] = []
        for pod in pods {
            guard let ordinal = set.ordinal(of: pod) else { continue }
            if (start..<end).contains(ordinal) { replicas[ordinal] = pod } else { condemned.append((ordinal, pod)) }
        }
        condemned.sort { $0.ordinal > $1.ordinal }

        // The first unhealthy pod: lowest replica, else highest condemned (`firstUnhealthyPod`).
        let unhealthyReplica = (start..<end).first { replicas[$0].map { !$0.isHealthy(minReadySeconds: minReady, now: now) } ?? false }
        let firstUnhealthy = unhealthyReplica.flatMap { replicas[$0]?.metadata.name }
            ?? condemned.first { !$0.pod.isHealthy(minReadySeconds: minReady, now: now) }?.pod.metadata.name

        // Replicas, lowest ordinal first.
        for ordinal in start..<end {
            guard let pod = replicas[ordinal] else {
                let partition = partitionOrdinal(set)
                let revision = ordinal < partition ? currentRevision : updateRevision
                plan.actions.append(.createPod(ordinal: ordinal, revision: revision))
                if monotonic { plan.waitingFor = "\(set.podName(ordinal: ordinal)) to be created"; return plan }
                continue
            }
            let name = pod.metadata.name ?? set.podName(ordinal: ordinal)
            if pod.isFailed || pod.isSucceeded {
                // Recreated on a later sync, once it is gone.
                if !pod.isTerminating { plan.actions.append(.deletePod(name: name, reason: .failed)) }
                if monotonic { plan.waitingFor = "\(name) to be recreated"; return plan }
                continue
            }
            if pod.isTerminating {
                if monotonic { plan.waitingFor = "\(name) to terminate"; return plan }
                continue
            }
            if !pod.isRunningAndReady || !pod.isAvailable(minReadySeconds: minReady, now: now) {
                if monotonic { plan.waitingFor = "\(name) to be Running and Ready"; return plan }
            }
            if !set.identityMatches(pod, ordinal: ordinal) {
                plan.actions.append(.updateIdentity(name: name, ordinal: ordinal))
            }
        }

        // Condemned pods, highest ordinal first.
        for (_, pod) in condemned {
            let name = pod.metadata.name ?? ""
            if pod.isTerminating {
                if monotonic { plan.waitingFor = "\(name) to terminate"; return plan }
                continue
            }
            if monotonic, let firstUnhealthy, firstUnhealthy != name {
                plan.waitingFor = "\(firstUnhealthy) to be healthy before scaling down"
                return plan
            }
            plan.actions.append(.deletePod(name: name, reason: .scaleDown))
            if monotonic { plan.waitingFor = "\(name) to be deleted"; return plan }
        }

        // Rolling update, from the highest ordinal down to the partition.
        guard set.spec?.updateStrategy?.type ?? "RollingUpdate" == "RollingUpdate" else { return plan }
        let maxUnavailable = max(1, set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable?
            .scaledValue(total: set.desiredReplicas, roundUp: false) ?? 1)
        let unavailable = (start..<end).filter { replicas[$0].map { !$0.isHealthy(minReadySeconds: minReady, now: now) } ?? true }.count
        var budget = maxUnavailable - unavailable
        for ordinal in stride(from: end - 1, through: max(start, partitionOrdinal(set)), by: -1) {
            guard let pod = replicas[ordinal] else { continue }
            let name = pod.metadata.name ?? ""
            if StatefulSet.revision(of: pod) != updateRevision, !pod.isTerminating {
                if budget <= 0 && pod.isHealthy(minReadySeconds: minReady, now: now) {
                    plan.waitingFor = "the update of \(name): at most \(maxUnavailable) unavailable"
                    return plan
                }
                plan.actions.append(.deletePod(name: name, reason: .update))
                if pod.isHealthy(minReadySeconds: minReady, now: now) { budget -= 1 }
                continue
            }
            if !pod.isHealthy(minReadySeconds: minReady, now: now) {
                plan.waitingFor = "\(name) to be updated and Ready"
                return plan
            }
        }
        return plan
    }

    /// The first ordinal a rolling update replaces: `start + partition`.
    static func partitionOrdinal(_ set: StatefulSet) -> Int {
        guard set.spec?.updateStrategy?.type ?? "RollingUpdate" == "RollingUpdate" else { return set.startOrdinal }
        return set.startOrdinal + Int(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0)
    }
}
