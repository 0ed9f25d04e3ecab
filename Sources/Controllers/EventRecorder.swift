import Foundation
import KubeClient
import KubeModel
import Logging

/// Writes core/v1 Events as Kubernetes' record package does: one Event per object, reason
/// and message, and repeats within ten minutes counted on the same Event.
public actor EventRecorder {
    private let client: any KubeClient
    private let component: String
    private let host: String?
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var recent: [String: (name: String, namespace: String, count: Int64, first: String, at: Date)] = [:]

    public init(client: any KubeClient, component: String, host: String? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.component = component
        self.host = host
        self.now = now
        self.logger = Logger(label: "minikube-swift.events.\(component)")
    }

    /// Records `reason`/`message` about `object` (`type` is `Normal` or `Warning`).
    public func record<T: KubernetesObject>(_ object: T, type: String = "Normal", reason: String, message: String) async {
        let reference = ObjectReference(
            kind: T.gvk.kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, apiVersion: T.gvk.apiVersion, resourceVersion: object.metadata.resourceVersion)
        await record(reference, type: type, reason: reason, message: message)
    }

    public func record(_ reference: ObjectReference, type: String = "Normal", reason: String, message: String) async {
        let date = now()
        let timestamp = RFC3339.string(from: date)
        let namespace = reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let key = [reference.uid ?? "", reference.kind ?? "", reference.name ?? "", type, reason, message].joined(separator: "\u{1}")
        do {
            if let seen = recent[key], date.timeIntervalSince(seen.at) < 600 {
                let count = seen.count + 1
                _ = try await client.mergePatch(
                    Event.self, namespace: seen.namespace, name: seen.name,
                    .object(["count": .int(count), "lastTimestamp": .string(timestamp)]))
                recent[key] = (seen.name, seen.namespace, count, seen.first, date)
                return
            }
            let name = "\(reference.name ?? "unknown").\(String(UInt64(date.timeIntervalSince1970 * 1_000_000_000), radix: 16))"
            let event: JSONValue = .object([
                "apiVersion": "v1", "kind": "Event",
                "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
                "involvedObject": try JSONValue(encoding: reference),
                "reason": .string(reason), "message": .string(message), "type": .string(type),
                "source": .object(["component": .string(component)].merging(host.map { ["host": .string($0)] } ?? [:]) { $1 }),
                "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp), "count": 1,
                "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
            ])
            _ = try await client.create(Event.resource, namespace: namespace, event)
            recent[key] = (name, namespace, 1, timestamp, date)
            if recent.count > 4096 { recent = recent.filter { date.timeIntervalSince($0.value.at) < 600 } }
        } catch {
            logger.debug("event \(reason) for \(reference.name ?? ""): \(error)")
        }
    }
}
