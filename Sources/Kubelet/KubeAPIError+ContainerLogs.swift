import KubeClient

extension KubeAPIError {
    /// The kubelet's answer for the log (or exec) of a container that has not started:
    /// `container "nginx" in pod "web-0" is waiting to start: ContainerCreating`.
    public static func containerWaiting(container: String, pod: String, reason: String) -> KubeAPIError {
        .badRequest("container \"\(container)\" in pod \"\(pod)\" is waiting to start: \(reason)")
    }

    /// `kubectl logs --previous` of a container that never restarted:
    /// `previous terminated container "nginx" in pod "web-0" not found`.
    public static func previousContainerNotFound(container: String, pod: String) -> KubeAPIError {
        .badRequest("previous terminated container \"\(container)\" in pod \"\(pod)\" not found")
    }
}
