import KubeClient
import KubeModel

/// `pods/log` and `pods/exec`, served from this node's containers.
extension Kubelet: ContainerStreams {
    public func logs(namespace: String, pod: String, container: String, options: PodLogOptions) async throws
        -> AsyncThrowingStream<[UInt8], any Error> {
        let (state, record) = try lookup(namespace: namespace, pod: pod, container: container)
        var restartCount = Int(record.restartCount)
        var current = true
        if options.previous {
            guard record.lastTerminated != nil, restartCount > 0 else {
                throw KubeAPIError.previousContainerNotFound(container: container, pod: pod)
            }
            restartCount -= 1
            current = false
        } else if record.runtimeID == nil, case .waiting(let reason, _) = record.state {
            throw KubeAPIError.containerWaiting(container: container, pod: pod, reason: reason)
        }
        let path = logLayout.logPath(namespace: namespace, pod: pod, uid: state.uid, container: container, restartCount: restartCount)
        let id = current && record.isRunning ? record.runtimeID : nil
        let runtime = self.runtime
        return try ContainerLogReader(path: path).logs(options: options) {
            if let id { _ = try? await runtime.wait(id) }
        }
    }

    public func exec(namespace: String, pod: String, container: String, request: ExecRequest) async throws -> any ExecSession {
        let (_, record) = try lookup(namespace: namespace, pod: pod, container: container)
        guard record.isRunning, let id = record.runtimeID else {
            throw KubeAPIError.badRequest("unable to upgrade connection: container not found (\"\(container)\")")
        }
        return try await exec(id: id, command: request.command, tty: request.tty, stdin: request.stdin, terminalSize: request.terminalSize)
    }

    /// The pod's runtime state and the container's record, or the error the kubelet answers.
    func lookup(namespace: String, pod: String, container: String) throws -> (PodRuntimeState, ContainerRecord) {
        let key = namespace + "/" + pod
        guard let state = states[key] else {
            if pods[key] != nil {
                throw KubeAPIError.containerWaiting(container: container, pod: pod, reason: "ContainerCreating")
            }
            throw KubeAPIError.notFound("pods", pod)
        }
        guard let record = state.containers[container] else {
            throw KubeAPIError.containerWaiting(container: container, pod: pod, reason: "PodInitializing")
        }
        return (state, record)
    }
}
