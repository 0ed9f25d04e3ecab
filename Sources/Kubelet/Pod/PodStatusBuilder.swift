import Foundation
import KubeModel

/// Computes a pod's status from what the kubelet knows, as the real kubelet reports it: phase,
/// conditions (PodReadyToStartContainers, Initialized, ContainersReady, Ready, PodScheduled),
/// addresses, start time and every container's status.
enum PodStatusBuilder {
    static func status(pod: Pod, state: PodRuntimeState, hostIP: String, now: String) -> PodStatus {
        let spec = pod.spec
        let initContainers = spec?.initContainers ?? []
        let containers = spec?.containers ?? []
        var status = pod.status ?? PodStatus()
        let previous = pod.status

        status.hostIP = hostIP
        status.hostIPs = [HostIP(ip: hostIP)]
        if let ip = state.network?.ip.description {
            status.podIP = ip
            status.podIPs = [PodIP(ip: ip)]
        }
        status.startTime = state.startTime
        status.initContainerStatuses = initContainers.isEmpty ? nil : initContainers.map { containerStatus($0, state.record($0.name), pod: pod) }
        status.containerStatuses = containers.map { containerStatus($0, state.record($0.name), pod: pod) }

        let initialized = initContainers.allSatisfy { state.record($0.name).terminated?.exitCode == 0 }
        let phase = self.phase(pod: pod, state: state, initialized: initialized)
        status.phase = phase
        let terminal = phase == "Succeeded" || phase == "Failed"

        let unready = containers.filter { !state.record($0.name).ready }.map(\.name)
        let incomplete = initContainers.filter { state.record($0.name).terminated?.exitCode != 0 }.map(\.name)
        var conditions: [ObjectCondition] = []
        func condition(_ type: String, _ value: Bool, reason: String? = nil, message: String? = nil) {
            let old = previous?.conditions?.first { $0.type == type }
            let text = value ? "True" : "False"
            let since = old?.status == text ? old?.lastTransitionTime : now
            conditions.append(ObjectCondition(type: type, status: text, lastProbeTime: nil, lastTransitionTime: since,
                                              reason: value ? nil : reason, message: value ? nil : message))
        }
        condition("PodReadyToStartContainers", state.network != nil)
        condition("Initialized", initialized, reason: "ContainersNotInitialized",
                  message: "containers with incomplete status: [\(incomplete.joined(separator: " "))]")
        let containersReady = unready.isEmpty && !terminal
        let reason = terminal ? "PodCompleted" : "ContainersNotReady"
        let message = terminal ? nil : "containers with unready status: [\(unready.joined(separator: " "))]"
        let gates = (spec?.readinessGates ?? []).allSatisfy { gate in previous?.conditions?.first { $0.type == gate.conditionType }?.status == "True" }
        condition("Ready", containersReady && gates, reason: reason, message: message)
        condition("ContainersReady", containersReady, reason: reason, message: message)
        let scheduled = previous?.conditions?.first { $0.type == "PodScheduled" }
            ?? ObjectCondition(type: "PodScheduled", status: "True", lastTransitionTime: now)
        conditions.append(scheduled)
        // Conditions the kubelet does not own (readiness gates) stay as they are.
        let owned: Set<String> = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        conditions += (previous?.conditions ?? []).filter { !owned.contains($0.type) }
        status.conditions = conditions
        return status
    }

    /// Kubernetes' `getPhase`: Pending until the init containers succeeded and a container ran;
    /// Succeeded / Failed when every container ended and none will restart; else Running.
    static func phase(pod: Pod, state: PodRuntimeState, initialized: Bool) -> String {
        let policy = pod.spec?.restartPolicy ?? "Always"
        let initContainers = pod.spec?.initContainers ?? []
        if !initialized {
            let failed = initContainers.contains { state.record($0.name).terminated.map { $0.exitCode != 0 } ?? false }
            return failed && policy == "Never" ? "Failed" : "Pending"
        }
        var running = 0, waiting = 0, succeeded = 0, failed = 0
        for container in pod.spec?.containers ?? [] {
            let record = state.record(container.name)
            switch record.state {
            case .running: running += 1
            case .terminated(let t): if t.exitCode == 0 { succeeded += 1 } else { failed += 1 }
            case .waiting:
                if let last = record.lastTerminated {
                    // Restarting after a crash counts as running (CrashLoopBackOff).
                    if policy == "Never" || (policy == "OnFailure" && last.exitCode == 0) {
                        if last.exitCode == 0 { succeeded += 1 } else { failed += 1 }
                    } else { running += 1 }
                } else { waiting += 1 }
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        if failed > 0 {
            return policy == "Never" ? "Failed" : "Running"
        }
        if succeeded > 0 {
            return policy == "Always" ? "Running" : "Succeeded"
        }
        return "Pending"
    }

    static func containerStatus(_ container: Container, _ record: ContainerRecord, pod: Pod) -> ContainerStatus {
        ContainerStatus(
            name: container.name, state: record.apiState,
            lastState: record.lastTerminated.map { KubeModel.ContainerState(terminated: $0) } ?? KubeModel.ContainerState(),
            ready: record.ready, restartCount: record.restartCount,
            image: record.image.isEmpty ? (container.image ?? "") : record.image, imageID: record.imageID,
            containerID: record.runtimeID.map { Kubelet.containerIDPrefix + $0 }, started: record.isRunning && record.started)
    }
}
