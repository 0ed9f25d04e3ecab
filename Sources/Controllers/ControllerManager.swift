import KubeClient

/// Runs every control loop of the cluster against one client, like kube-controller-manager:
/// StatefulSets, PersistentVolumes and claims, Endpoints and EndpointSlices, and the garbage
/// collector, node lifecycle. Returns when the task is cancelled.
public enum ControllerManager {
    public static func run(client: any KubeClient, deletablePathPrefixes: [String] = ["/tmp/"]) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await StatefulSetController(client: client).run() }
            group.addTask { await PersistentVolumeController(client: client, deletablePathPrefixes: deletablePathPrefixes).run() }
            group.addTask { await EndpointsController(client: client).run() }
            group.addTask { await GarbageCollector(client: client).run() }
            group.addTask { await NodeLifecycleController(client: client).run() }
        }
    }
}
