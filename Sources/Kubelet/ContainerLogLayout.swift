import Glibc

/// Where the kubelet keeps container logs, as the real kubelet lays out `/var/log/pods`:
///
///     <root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log
///     <root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log.1   (rotated, newest first)
///
/// The previous instance of a container (`kubectl logs --previous`) is `<restartCount-1>.log`;
/// the pod's directory is kept until the pod is removed.
public struct ContainerLogLayout: Sendable, Equatable {
    /// `/var/log/pods` on a real node; `<data-dir>/pods-logs` or similar in minikube-swift.
    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// `<root>/<namespace>_<pod>_<uid>` (kubelet's `BuildPodLogsDirectory`).
    public func podDirectory(namespace: String, pod: String, uid: String) -> String {
        root + "/" + namespace + "_" + pod + "_" + uid
    }

    /// `<root>/<namespace>_<pod>_<uid>/<container>` (kubelet's `BuildContainerLogsDirectory`).
    public func containerDirectory(namespace: String, pod: String, uid: String, container: String) -> String {
        podDirectory(namespace: namespace, pod: pod, uid: uid) + "/" + container
    }

    /// The log of one instance of a container: `…/<container>/<restartCount>.log`.
    public func logPath(namespace: String, pod: String, uid: String, container: String, restartCount: Int) -> String {
        containerDirectory(namespace: namespace, pod: pod, uid: uid, container: container) + "/\(restartCount).log"
    }

    /// Creates `<root>/<namespace>_<pod>_<uid>/<container>` (and its parents) and returns it.
    @discardableResult
    public func createContainerDirectory(namespace: String, pod: String, uid: String, container: String) throws(SpawnError) -> String {
        let directory = containerDirectory(namespace: namespace, pod: pod, uid: uid, container: container)
        var current = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw SpawnError.last("mkdir \(current)") }
        }
        return directory
    }

    /// Deletes the pod's log directory (when the pod is removed).
    public func removePodDirectory(namespace: String, pod: String, uid: String) throws(SpawnError) {
        try removeTree(podDirectory(namespace: namespace, pod: pod, uid: uid))
    }

    /// The `index`-th rotated file of a log (`x.log.1` is the newest rotated one); index 0 is
    /// the live file itself.
    public static func rotatedPath(_ path: String, _ index: Int) -> String {
        index == 0 ? path : path + ".\(index)"
    }
}
