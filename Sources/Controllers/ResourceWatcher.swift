import KubeClient
import KubeModel
import Logging

/// Lists and watches one resource and hands every change to a handler, like an informer
/// without a cache: after a watch ends it resumes from the last resourceVersion, after an
/// error (410 Gone included) it lists again and reports objects that vanished meanwhile as
/// DELETED, so a handler never misses a change for long.
public struct ResourceWatcher: Sendable {
    public let client: any KubeClient
    public let resource: APIResource
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    let logger: Logger

    public init(
        client: any KubeClient, resource: APIResource, namespace: String? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil, logger: Logger? = nil
    ) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.logger = logger ?? Logger(label: "minikube-swift.watch.\(resource.plural)")
    }

    /// Runs until the task is cancelled.
    public func run(_ handler: @escaping @Sendable (KubeWatchEvent) async -> Void) async {
        var known: [String: JSONValue] = [:]
        var failures = 0
        while !Task.isCancelled {
            do {
                let page = try await client.list(
                    resource, namespace: namespace,
                    options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector))
                var current: [String: JSONValue] = [:]
                for object in page.items { current[Self.key(of: object)] = object }
                for (key, object) in known where current[key] == nil {
                    await handler(KubeWatchEvent(type: .deleted, object: object))
                }
                for object in page.items {
                    await handler(KubeWatchEvent(type: known[Self.key(of: object)] == nil ? .added : .modified, object: object))
                }
                known = current
                var resourceVersion = page.metadata.resourceVersion ?? ""
                failures = 0
                // Watch until an error; a watch that simply ends is resumed where it stopped.
                while !Task.isCancelled {
                    let options = ListOptions(
                        labelSelector: labelSelector, fieldSelector: fieldSelector,
                        resourceVersion: resourceVersion, timeoutSeconds: 300, allowWatchBookmarks: true)
                    for try await event in try await client.watch(resource, namespace: namespace, options: options) {
                        if let rv = event.object[path: ["metadata", "resourceVersion"]]?.stringValue { resourceVersion = rv }
                        switch event.type {
                        case .bookmark, .error: continue
                        case .deleted: known[Self.key(of: event.object)] = nil
                        case .added, .modified: known[Self.key(of: event.object)] = event.object
                        }
                        await handler(event)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.debug("watch \(resource.plural) failed, listing again: \(error)")
                let delay = min(5_000, 50 << min(failures, 7))
                try? await Task.sleep(for: .milliseconds(delay))
            }
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public static func key(of object: JSONValue) -> String {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        guard let namespace = object[path: ["metadata", "namespace"]]?.stringValue, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }
}
