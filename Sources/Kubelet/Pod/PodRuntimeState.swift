import Foundation
import KubeModel

/// What the kubelet knows of one pod it runs: its sandbox, its volumes, and each container's
/// current and last instance. Lives in the `Kubelet` actor.
final class PodRuntimeState {
    let uid: String
    var network: PodNetworkStatus?
    var volumes: [String: HostVolume]?
    /// By container name (init containers and containers).
    var containers: [String: ContainerRecord] = [:]
    var startTime: String
    /// The status last written to the API (to skip writes that change nothing).
    var reported: PodStatus?
    /// The pod reached Succeeded or Failed: nothing runs or restarts any more.
    var finished = false

    init(uid: String, startTime: String) {
        self.uid = uid
        self.startTime = startTime
    }

    func record(_ name: String) -> ContainerRecord { containers[name] ?? ContainerRecord() }
}

/// One container of a pod across its restarts.
struct ContainerRecord {
    /// The runtime's id of the current instance.
    var runtimeID: String?
    var state: State = .waiting(reason: "ContainerCreating", message: nil)
    var lastTerminated: ContainerStateTerminated?
    var restartCount: Int32 = 0
    var ready = false
    /// A startup probe passed (or there is none) since the last start.
    var started = false
    var image = ""
    var imageID = ""
    /// Next restart not before this time (CrashLoopBackOff).
    var backoffUntil: Date?
    /// The delay after the next crash; nil before the first restart.
    var backoff: Duration?
    /// The Pulled event was recorded.
    var announcedImage = false
    /// The probes of the current instance run.
    var probing = false

    enum State: Equatable {
        case waiting(reason: String, message: String?)
        case running(startedAt: String)
        case terminated(ContainerStateTerminated)
    }

    var isRunning: Bool { if case .running = state { return true } else { return false } }
    var terminated: ContainerStateTerminated? { if case .terminated(let t) = state { return t } else { return nil } }

    /// The state in the API's terms.
    var apiState: KubeModel.ContainerState {
        switch state {
        case .waiting(let reason, let message): return KubeModel.ContainerState(waiting: ContainerStateWaiting(reason: reason, message: message))
        case .running(let startedAt): return KubeModel.ContainerState(running: ContainerStateRunning(startedAt: startedAt))
        case .terminated(let terminated): return KubeModel.ContainerState(terminated: terminated)
        }
    }
}
