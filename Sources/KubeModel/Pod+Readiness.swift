import Foundation

/// Pod states as Kubernetes' controllers read them (`k8s.io/kubernetes/pkg/api/v1/pod`).
extension Pod {
    /// The status condition of `type`, if reported.
    public func condition(_ type: String) -> ObjectCondition? {
        status?.conditions?.first { $0.type == type }
    }

    /// The API server has accepted the pod (it has a phase).
    public var isCreated: Bool { !(status?.phase ?? "").isEmpty }
    public var isFailed: Bool { status?.phase == "Failed" }
    public var isSucceeded: Bool { status?.phase == "Succeeded" }
    public var isTerminating: Bool { metadata.deletionTimestamp != nil }

    /// The `Ready` condition is True.
    public var isReady: Bool { condition("Ready")?.status == "True" }

    /// Running with the `Ready` condition True.
    public var isRunningAndReady: Bool { status?.phase == "Running" && isReady }

    /// Ready for at least `minReadySeconds` at `now`.
    public func isAvailable(minReadySeconds: Int, now: Date) -> Bool {
        guard isReady else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = condition("Ready")?.lastTransitionTime.flatMap(RFC3339.date(from:)) else { return false }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) <= now
    }

    /// Running, Ready (and available), and not being deleted.
    public func isHealthy(minReadySeconds: Int = 0, now: Date = Date()) -> Bool {
        isRunningAndReady && !isTerminating && isAvailable(minReadySeconds: minReadySeconds, now: now)
    }
}
