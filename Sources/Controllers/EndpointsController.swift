import Foundation
import KubeClient
import KubeModel
import Logging

/// Keeps an Endpoints object and an EndpointSlice for every Service with a selector: ready
/// pods' IPs as addresses, the others as not-ready (all ready with
/// `publishNotReadyAddresses`), with hostname and targetRef for StatefulSet pods.
public struct EndpointsController: Sendable {
    public static let component = "endpoint-controller"
    public static let sliceManager = "endpointslice-controller.k8s.io"
    public static let serviceNameLabel = "kubernetes.io/service-name"

    let client: any KubeClient
    let queue: WorkQueue<String>

    public init(client: any KubeClient, clock: any Clock<Duration> = ContinuousClock()) {
        self.client = client
        self.queue = WorkQueue(clock: clock)
    }

    /// Watches services and pods and syncs until the task is cancelled.
    public func run() async {
        let (queue, client) = (self.queue, self.client)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard let resource = try? Service.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        await queue.add(ResourceWatcher.key(of: event.object))
                    }
                }
                group.addTask {
                    guard let resource = try? Pod.resource else { return }
                    await ResourceWatcher(client: client, resource: resource).run { event in
                        guard let pod = try? event.object.decode(Pod.self), let namespace = pod.metadata.namespace,
                              let services = try? await client.list(Service.self, namespace: namespace) else { return }
                        let labels = pod.metadata.labels ?? [:]
                        for service in services {
                            guard let selector = service.spec?.selector, !selector.isEmpty,
                                  selector.allSatisfy({ labels[$0.key] == $0.value }) else { continue }
                            await queue.add(service.key)
                        }
                    }
                }
                group.addTask { await Controller(name: "endpoints", queue: queue) { try await self.sync($0) }.run(workers: 2) }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    /// One step for the service `namespace/name`.
    public func sync(_ key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let (namespace, name) = (parts[0], parts[1])
        guard let service = try await client.getIfExists(Service.self, namespace: namespace, name: name) else {
            try await client.delete(Endpoints.self, namespace: namespace, name: name)
            for slice in try await client.list(EndpointSlice.self, namespace: namespace, labelSelector: "\(Self.serviceNameLabel)=\(name)") {
                try await client.delete(EndpointSlice.self, namespace: namespace, name: slice.name)
            }
            return
        }
        guard let selector = service.spec?.selector, !selector.isEmpty else { return }
        let labelSelector = LabelSelector(matchLabels: selector).description
        let pods = try await client.list(Pod.self, namespace: namespace, labelSelector: labelSelector)
            .filter { !($0.status?.podIP ?? "").isEmpty && !$0.isFailed && !$0.isSucceeded }
            .sorted { $0.name < $1.name }
        try await syncEndpoints(service, pods: pods)
        try await syncSlice(service, pods: pods)
    }

    /// The port a service port reaches on `pod` (a named targetPort resolves per pod).
    static func targetPort(_ port: ServicePort, on pod: Pod) -> Int32? {
        switch port.targetPort ?? .int(port.port) {
        case .int(let number): return number
        case .string(let name):
            for container in pod.spec?.containers ?? [] {
                if let match = container.ports?.first(where: { $0.name == name && ($0.protocol ?? "TCP") == (port.protocol ?? "TCP") }) {
                    return match.containerPort
                }
            }
            return nil
        }
    }

    static func reference(_ pod: Pod) -> ObjectReference {
        ObjectReference(kind: "Pod", namespace: pod.metadata.namespace, name: pod.name, uid: pod.metadata.uid)
    }

    /// A pod's DNS hostname in this service: its hostname when its subdomain is the service.
    static func hostname(_ pod: Pod, in service: Service) -> String? {
        guard let hostname = pod.spec?.hostname, !hostname.isEmpty, pod.spec?.subdomain == service.name else { return nil }
        return hostname
    }

    static func isServing(_ pod: Pod, in service: Service) -> Bool {
        service.spec?.publishNotReadyAddresses == true || (pod.isReady && !pod.isTerminating)
    }

    func syncEndpoints(_ service: Service, pods: [Pod]) async throws {
        // Pods with the same resolved ports share a subset.
        var subsets: [[EndpointPort]: EndpointSubset] = [:]
        for pod in pods where !pod.isTerminating || service.spec?.publishNotReadyAddresses == true {
            let ports = (service.spec?.ports ?? []).compactMap { port -> EndpointPort? in
                Self.targetPort(port, on: pod).map { EndpointPort(name: port.name, port: $0, protocol: port.protocol ?? "TCP") }
            }
            guard !ports.isEmpty || (service.spec?.ports ?? []).isEmpty else { continue }
            let address = EndpointAddress(
                ip: pod.status?.podIP ?? "", hostname: Self.hostname(pod, in: service), nodeName: pod.spec?.nodeName,
                targetRef: Self.reference(pod))
            var subset = subsets[ports] ?? EndpointSubset(ports: ports.isEmpty ? nil : ports)
            if Self.isServing(pod, in: service) {
                subset.addresses = (subset.addresses ?? []) + [address]
            } else {
                subset.notReadyAddresses = (subset.notReadyAddresses ?? []) + [address]
            }
            subsets[ports] = subset
        }
        let ordered = subsets.keys.sorted { $0.map(\.port).lexicographicallyPrecedes($1.map(\.port)) }.compactMap { subsets[$0] }
        var labels = service.metadata.labels ?? [:]
        if service.spec?.clusterIP == "None" { labels["service.kubernetes.io/headless"] = "" }
        let existing = try await client.getIfExists(Endpoints.self, namespace: service.metadata.namespace, name: service.name)
        let desired = ordered.isEmpty ? nil : ordered
        if var existing {
            guard existing.subsets != desired || existing.metadata.labels ?? [:] != labels else { return }
            existing.subsets = desired
            existing.metadata.labels = labels.isEmpty ? nil : labels
            try await client.update(existing)
        } else {
            try await client.create(Endpoints(
                metadata: ObjectMeta(name: service.name, namespace: service.metadata.namespace, labels: labels.isEmpty ? nil : labels),
                subsets: desired))
        }
    }

    func syncSlice(_ service: Service, pods: [Pod]) async throws {
        let ports = (service.spec?.ports ?? []).compactMap { port -> EndpointSlicePort? in
            guard let first = pods.first, let number = Self.targetPort(port, on: first) else { return nil }
            return EndpointSlicePort(name: port.name ?? "", protocol: port.protocol ?? "TCP", port: number)
        }
        let endpoints = pods.map { pod in
            Endpoint(
                addresses: [pod.status?.podIP ?? ""],
                conditions: EndpointConditions(
                    ready: Self.isServing(pod, in: service) && !pod.isTerminating,
                    serving: Self.isServing(pod, in: service), terminating: pod.isTerminating),
                hostname: Self.hostname(pod, in: service), targetRef: Self.reference(pod), nodeName: pod.spec?.nodeName)
        }
        var labels = service.metadata.labels ?? [:]
        labels[Self.serviceNameLabel] = service.name
        labels["endpointslice.kubernetes.io/managed-by"] = Self.sliceManager
        if service.spec?.clusterIP == "None" { labels["service.kubernetes.io/headless"] = "" }
        let namespace = service.metadata.namespace
        let existing = try await client.list(EndpointSlice.self, namespace: namespace, labelSelector: "\(Self.serviceNameLabel)=\(service.name)")
        if var slice = existing.first {
            for extra in existing.dropFirst() { try await client.delete(EndpointSlice.self, namespace: namespace, name: extra.name) }
            guard slice.endpoints != endpoints || slice.ports ?? [] != ports || slice.metadata.labels ?? [:] != labels else { return }
            slice.endpoints = endpoints
            slice.ports = ports
            slice.metadata.labels = labels
            try await client.update(slice)
        } else {
            let owner = OwnerReference(
                apiVersion: "v1", kind: "Service", name: service.name, uid: service.metadata.uid ?? "",
                controller: true, blockOwnerDeletion: true)
            try await client.create(EndpointSlice(
                metadata: ObjectMeta(
                    name: "\(service.name)-\(StatefulSetRevisions.hash(template: .string(service.metadata.uid ?? ""), collisionCount: 0).prefix(5))",
                    namespace: namespace, labels: labels, ownerReferences: [owner]),
                addressType: "IPv4", endpoints: endpoints, ports: ports))
        }
    }
}
