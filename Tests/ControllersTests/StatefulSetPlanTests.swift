import Foundation
import KubeModel
import Testing
@testable import Controllers

@Suite struct StatefulSetPlanTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func set(
        replicas: Int32 = 3, parallel: Bool = false, partition: Int32? = nil, onDelete: Bool = false, start: Int32? = nil
    ) -> StatefulSet {
        var spec = StatefulSetSpec(template: PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "nginx"]),
            spec: PodSpec(containers: [Container(name: "nginx", image: "k8s.gcr.io/nginx-slim:0.8")])))
        spec.replicas = replicas
        spec.serviceName = "nginx"
        spec.selector = LabelSelector(matchLabels: ["app": "nginx"])
        spec.podManagementPolicy = parallel ? "Parallel" : "OrderedReady"
        spec.updateStrategy = StatefulSetUpdateStrategy(
            type: onDelete ? "OnDelete" : "RollingUpdate",
            rollingUpdate: partition.map { RollingUpdateStatefulSetStrategy(partition: $0) })
        if let start { spec.ordinals = StatefulSetOrdinals(start: start) }
        var claim = PersistentVolumeClaim(metadata: ObjectMeta(name: "www"))
        claim.spec = PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"])
        spec.volumeClaimTemplates = [claim]
        return StatefulSet(metadata: ObjectMeta(name: "web", namespace: "default", uid: "set-uid"), spec: spec)
    }

    enum State { case pending, ready, failed, terminating }

    static func pod(_ set: StatefulSet, _ ordinal: Int, _ state: State = .ready, revision: String = "rev-1") -> Pod {
        var pod = set.newPod(ordinal: ordinal, template: set.spec!.template, revision: revision)
        var status = PodStatus()
        switch state {
        case .pending:
            status.phase = "Pending"
        case .ready, .terminating:
            status.phase = "Running"
            status.conditions = [ObjectCondition(type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z")]
        case .failed:
            status.phase = "Failed"
        }
        if state == .terminating { pod.metadata.deletionTimestamp = "2027-01-15T08:00:00Z" }
        pod.status = status
        return pod
    }

    static func plan(_ set: StatefulSet, _ pods: [Pod], update: String = "rev-1", current: String = "rev-1") -> StatefulSetPlan {
        StatefulSetPlan.plan(set: set, pods: pods, currentRevision: current, updateRevision: update, now: now)
    }

    @Test func orderedReadyCreatesTheLowestMissingOrdinalOnly() {
        let set = Self.set()
        #expect(Self.plan(set, []).actions == [.createPod(ordinal: 0, revision: "rev-1")])
        #expect(Self.plan(set, [Self.pod(set, 0)]).actions == [.createPod(ordinal: 1, revision: "rev-1")])
    }

    @Test func web1IsNotCreatedWhileWeb0IsPendingOrNotReady() {
        let set = Self.set()
        let pending = Self.plan(set, [Self.pod(set, 0, .pending)])
        #expect(pending.actions.isEmpty)
        #expect(pending.waitingFor == "web-0 to be Running and Ready")
        var notReady = Self.pod(set, 0)
        notReady.status?.conditions = [ObjectCondition(type: "Ready", status: "False")]
        #expect(Self.plan(set, [notReady]).actions.isEmpty)
    }

    @Test func minReadySecondsDelaysTheNextOrdinal() {
        var set = Self.set()
        set.spec?.minReadySeconds = 30
        var fresh = Self.pod(set, 0)
        fresh.status?.conditions = [ObjectCondition(
            type: "Ready", status: "True", lastTransitionTime: RFC3339.string(from: Self.now.addingTimeInterval(-10)))]
        #expect(Self.plan(set, [fresh]).actions.isEmpty)
        fresh.status?.conditions = [ObjectCondition(
            type: "Ready", status: "True", lastTransitionTime: RFC3339.string(from: Self.now.addingTimeInterval(-31)))]
        #expect(Self.plan(set, [fresh]).actions == [.createPod(ordinal: 1, revision: "rev-1")])
    }

    @Test func parallelCreatesEveryMissingOrdinalAtOnce() {
        let set = Self.set(parallel: true)
        #expect(Self.plan(set, [Self.pod(set, 1, .pending)]).actions == [
            .createPod(ordinal: 0, revision: "rev-1"), .createPod(ordinal: 2, revision: "rev-1"),
        ])
    }

    @Test func aFailedPodIsDeletedThenRecreated() {
        let set = Self.set()
        #expect(Self.plan(set, [Self.pod(set, 0, .failed)]).actions == [.deletePod(name: "web-0", reason: .failed)])
        #expect(Self.plan(set, [Self.pod(set, 0, .terminating)]).actions.isEmpty, "never two pods with one identity")
    }

    @Test func scaleDownDeletesTheHighestOrdinalFirstAndWaits() {
        let set = Self.set(replicas: 1)
        let pods = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2)]
        #expect(Self.plan(set, pods).actions == [.deletePod(name: "web-2", reason: .scaleDown)])
        let terminating = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2, .terminating)]
        #expect(Self.plan(set, terminating).actions.isEmpty)
        #expect(Self.plan(set, [Self.pod(set, 0), Self.pod(set, 1)]).actions == [.deletePod(name: "web-1", reason: .scaleDown)])
    }

    @Test func parallelScaleDownDeletesAllCondemnedAtOnce() {
        let set = Self.set(replicas: 1, parallel: true)
        let pods = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2)]
        #expect(Self.plan(set, pods).actions == [
            .deletePod(name: "web-2", reason: .scaleDown), .deletePod(name: "web-1", reason: .scaleDown),
        ])
    }

    @Test func rollingUpdateReplacesFromTheHighestOrdinalOneAtATime() {
        let set = Self.set()
        let pods = (0..<3).map { Self.pod(set, $0) }
        #expect(Self.plan(set, pods, update: "rev-2").actions == [.deletePod(name: "web-2", reason: .update)])
        let replaced = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2, .pending, revision: "rev-2")]
        #expect(Self.plan(set, replaced, update: "rev-2").actions.isEmpty, "waits for web-2 to be Ready")
        let updated = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2, revision: "rev-2")]
        #expect(Self.plan(set, updated, update: "rev-2").actions == [.deletePod(name: "web-1", reason: .update)])
    }

    @Test func aPartitionedRollingUpdateTouchesOnlyOrdinalsAtOrAboveThePartition() {
        let set = Self.set(partition: 2)
        let pods = [Self.pod(set, 0), Self.pod(set, 1), Self.pod(set, 2, revision: "rev-2")]
        #expect(Self.plan(set, pods, update: "rev-2").actions.isEmpty)
        // A recreated pod below the partition comes back at the current revision.
        #expect(Self.plan(set, [Self.pod(set, 0)], update: "rev-2").actions == [.createPod(ordinal: 1, revision: "rev-1")])
    }

    @Test func onDeleteNeverDeletesForAnUpdate() {
        let set = Self.set(onDelete: true)
        let pods = (0..<3).map { Self.pod(set, $0) }
        #expect(Self.plan(set, pods, update: "rev-2").actions.isEmpty)
    }

    @Test func ordinalsStartShiftsTheIdentities() {
        let set = Self.set(replicas: 2, start: 5)
        #expect(Self.plan(set, []).actions == [.createPod(ordinal: 5, revision: "rev-1")])
        #expect(Self.plan(set, [Self.pod(set, 5), Self.pod(set, 0)]).actions == [.createPod(ordinal: 6, revision: "rev-1")])
    }

    @Test func newPodsCarryTheSetsIdentityAndClaims() {
        let set = Self.set()
        let pod = set.newPod(ordinal: 1, template: set.spec!.template, revision: "web-abc")
        #expect(pod.metadata.name == "web-1")
        #expect(pod.spec?.hostname == "web-1")
        #expect(pod.spec?.subdomain == "nginx")
        #expect(pod.metadata.labels?["statefulset.kubernetes.io/pod-name"] == "web-1")
        #expect(pod.metadata.labels?["apps.kubernetes.io/pod-index"] == "1")
        #expect(pod.metadata.labels?["controller-revision-hash"] == "web-abc")
        #expect(pod.metadata.ownerReferences?.first?.uid == "set-uid")
        #expect(pod.spec?.volumes?.first { $0.name == "www" }?.persistentVolumeClaim?.claimName == "www-web-1")
        #expect(set.claims(ordinal: 1).map(\.metadata.name) == ["www-web-1"])
        #expect(set.claims(ordinal: 1).first?.metadata.labels == ["app": "nginx"])
    }

    @Test func ordinalParsing() {
        #expect(StatefulSet.parentAndOrdinal("web-12")! == ("web", 12))
        #expect(StatefulSet.parentAndOrdinal("my-web-0")! == ("my-web", 0))
        #expect(StatefulSet.parentAndOrdinal("web") == nil)
        #expect(StatefulSet.parentAndOrdinal("web-x") == nil)
    }
}
