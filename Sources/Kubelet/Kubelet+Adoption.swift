import Foundation
import KubeModel

extension Kubelet {
    // Annotations the kubelet stores with each container (ContainerSpec.annotations), read back
    // when a restarted kubelet adopts the containers of the earlier one.
    static let podAnnotation = "io.kubernetes.pod.key"
    static let uidAnnotation = "io.kubernetes.pod.uid"
    static let containerAnnotation = "io.kubernetes.container.name"
    static let restartCountAnnotation = "io.kubernetes.container.restartCount"
    static let imageAnnotation = "io.kubernetes.container.image"
    static let imageIDAnnotation = "io.kubernetes.container.imageID"
    static let startedAtAnnotation = "io.kubernetes.container.startedAt"
    static let podStartTimeAnnotation = "io.kubernetes.pod.startTime"
    static let lastStateAnnotation = "io.kubernetes.container.lastState"

    /// Takes over the containers an earlier kubelet started (after a restart or a `kill -9`):
    /// running ones keep running and are watched again, ended ones are reported with their exit
    /// status and restarted by their pod's policy. Runs before the first sync.
    func adoptContainers() async {
        for container in await runtime.adopt() {
            let annotations = container.spec.annotations
            guard let key = annotations[Self.podAnnotation], let uid = annotations[Self.uidAnnotation],
                  let name = annotations[Self.containerAnnotation],
                  let restartCount = annotations[Self.restartCountAnnotation].flatMap(Int32.init) else {
                try? await runtime.remove(container.spec.id)
                continue
            }
            let state = states[key] ?? PodRuntimeState(uid: uid, startTime: annotations[Self.podStartTimeAnnotation] ?? now())
            guard state.uid == uid else {
                try? await runtime.remove(container.spec.id)
                continue
            }
            states[key] = state
            if state.network == nil { state.network = try? await network.status(podUID: uid) }
            var record = state.record(name)
            record.runtimeID = container.spec.id
            record.restartCount = restartCount
            record.image = annotations[Self.imageAnnotation] ?? ""
            record.imageID = annotations[Self.imageIDAnnotation] ?? ""
            record.announcedImage = true
            record.backoff = restartCount > 0 ? .seconds(10) : nil
            if let json = annotations[Self.lastStateAnnotation] {
                record.lastTerminated = try? JSONDecoder().decode(ContainerStateTerminated.self, from: Data(json.utf8))
            }
            let startedAt = annotations[Self.startedAtAnnotation] ?? now()
            let id = container.spec.id
            switch container.state {
            case .running:
                record.state = .running(startedAt: startedAt)
                record.started = true
                record.ready = true
                Task { [runtime] in
                    let status = try? await runtime.wait(id)
                    await self.containerExited(key: key, uid: uid, name: name, id: id, status: status)
                }
            case .exited(let status):
                record.state = .terminated(ContainerStateTerminated(
                    exitCode: status.exitCode, signal: status.signal, reason: status.reason, startedAt: startedAt,
                    finishedAt: now(), containerID: Self.containerIDPrefix + id))
            case .created:
                record.state = .waiting(reason: "ContainerCreating", message: nil)
            }
            state.containers[name] = record
            logger.info("adopted container \(name) of pod \(key) (\(container.state))")
        }
    }
}
