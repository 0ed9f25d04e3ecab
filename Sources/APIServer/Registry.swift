import Foundation
import KubeClient
import KubeModel
import Logging

/// The generic REST semantics of every resource in the catalog, on the JSON form: the one path
/// both HTTPS requests and the in-process client take (admission, resourceVersion,
/// optimistic concurrency, finalizers, graceful deletion, subresources, watch).
public final class Registry: Sendable {
    public let store: any Store
    /// Service ClusterIPs (10.96.0.0/12).
    let clusterIPs = ClusterIPAllocator()
    let nodePorts = NodePortAllocator()
    let now: @Sendable () -> Date
    let logger: Logger

    /// Namespaces that always exist and may not be deleted.
    public static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    public init(store: any Store, logger: Logger = Logger(label: "apiserver.registry"), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.logger = logger
        self.now = now
    }

    static var namespaces: APIResource { resource("namespaces") }

    static func resource(_ plural: String, group: String = "") -> APIResource {
        ResourceCatalog.all.first { $0.plural == plural && $0.gvk.group == group }
            ?? APIResource(gvk: GroupVersionKind(group: group, version: "v1", kind: plural), plural: plural, namespaced: false)
    }

    func key(_ resource: APIResource, _ namespace: String?, _ name: String) -> ObjectKey {
        ObjectKey(resource: resource.groupResource, namespace: resource.namespaced ? (namespace ?? "") : "", name: name)
    }

    /// Creates the system namespaces that are missing.
    public func bootstrap() throws {
        for name in Self.systemNamespaces where store.get(key(Self.namespaces, nil, name)) == nil {
            _ = try create(Self.namespaces, namespace: nil, .object([
                "apiVersion": .string("v1"), "kind": .string("Namespace"),
                "metadata": .object(["name": .string(name)]),
            ]))
        }
        try bootstrapServices()
    }

    // MARK: Reads

    public func get(_ resource: APIResource, namespace: String?, name: String) throws -> StoredObject {
        guard let object = store.get(key(resource, namespace, name)) else {
            throw KubeAPIError.notFound(resource.groupResource, name)
        }
        return object
    }

    /// One page of a list: filtered objects, the list's resourceVersion and the continue token.
    public func list(_ resource: APIResource, namespace: String?, options: ListOptions) throws
        -> (objects: [StoredObject], resourceVersion: Int64, continueToken: String?)
    {
        let filter = try ObjectFilter(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, kind: resource.gvk.kind)
        var (objects, rv) = store.list(resource: resource.groupResource, namespace: resource.namespaced ? namespace : nil)
        if let token = options.continueToken, !token.isEmpty {
            guard let data = Data(base64Encoded: token), let start = try? JSONValue(json: data),
                  let startNamespace = start["ns"]?.stringValue, let startName = start["name"]?.stringValue else {
                throw KubeAPIError.badRequest("continue key is not valid: illegal base64 data")
            }
            objects = objects.filter { ($0.key.namespace, $0.key.name) > (startNamespace, startName) }
        }
        if !filter.isEmpty { objects = objects.filter { filter.matches($0.object) } }
        var continueToken: String?
        if let limit = options.limit, limit > 0, objects.count > limit {
            objects = Array(objects.prefix(limit))
            if let last = objects.last {
                let token = JSONValue.object(["ns": .string(last.key.namespace), "name": .string(last.key.name), "rv": .int(rv)])
                continueToken = (try? token.jsonData())?.base64EncodedString()
            }
        }
        return (objects, rv, continueToken)
    }

    // MARK: Create

    public func create(_ resource: APIResource, namespace: String?, _ body: JSONValue, dryRun: Bool = false) throws -> JSONValue {
        var object = try prepareBody(resource, namespace: namespace, body)
        if resource.namespaced {
            let namespaceName = metadataString(object, "namespace") ?? ""
            guard let ns = store.get(key(Self.namespaces, nil, namespaceName)) else {
                throw KubeAPIError.notFound("namespaces", namespaceName)
            }
            if metadataString(ns.object, "deletionTimestamp") != nil {
                throw KubeAPIError(code: 403, reason: "Forbidden",
                                   message: "\(resource.groupResource) \"\(metadataString(object, "name") ?? "")\" is forbidden: unable to create new content in namespace \(namespaceName) because it is being terminated")
            }
        }
        if (metadataString(object, "name") ?? "").isEmpty, let prefix = metadataString(object, "generateName"), !prefix.isEmpty {
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            let suffix = String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            setJSON(&object, ["metadata", "name"], .string(prefix + suffix))
        }
        let name = metadataString(object, "name") ?? ""
        for field in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"] {
            setJSON(&object, ["metadata", field], nil)
        }
        setJSON(&object, ["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        setJSON(&object, ["metadata", "creationTimestamp"], .string(rfc3339(now())))
        setJSON(&object, ["metadata", "generation"], nil)
        if let message = Admission.decodingError(object, kind: resource.gvk.kind, version: resource.gvk.version) {
            throw KubeAPIError.badRequest(message)
        }
        Admission.prepareForCreate(&object, resource: resource)
        prepareForCreate(resource, &object)
        Admission.applyDefaults(to: &object, resource: resource)
        let causes = Admission.validate(object, old: nil, resource: resource, subresource: nil)
        if !causes.isEmpty {
            throw KubeAPIError.invalid(kind: resource.gvk.kind, group: resource.gvk.group, name: name, causes: causes)
        }
        if dryRun {
            if store.get(key(resource, metadataString(object, "namespace"), name)) != nil {
                throw KubeAPIError.alreadyExists(resource.groupResource, name)
            }
            return object
        }
        let put = { [store] (object: JSONValue) throws -> JSONValue in
            let event = try store.mutate(self.key(resource, metadataString(object, "namespace"), name)) { current in
                if current != nil { throw KubeAPIError.alreadyExists(resource.groupResource, name) }
                return .put(object)
            }
            return event?.object ?? object
        }
        guard resource.gvk.group == "", resource.plural == "services" else { return try put(object) }
        // One Service at a time takes an IP: no two get the same.
        return try clusterIPs.lock.withLock {
            if store.get(key(resource, metadataString(object, "namespace"), name)) != nil {
                throw KubeAPIError.alreadyExists(resource.groupResource, name)
            }
            try clusterIPs.allocate(&object, used: usedClusterIPs())
            try nodePorts.assign(&object, old: nil, used: usedNodePorts())
            return try put(object)
        }
    }

    /// Checks kind, apiVersion and namespace of a body and fills them in.
    func prepareBody(_ resource: APIResource, namespace: String?, _ body: JSONValue, subresourceKind: GroupVersionKind? = nil) throws -> JSONValue {
        guard case .object = body else {
            throw KubeAPIError.badRequest("the body of the request is not a JSON object")
        }
        var object = body
        let expected = subresourceKind ?? resource.gvk
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != expected.apiVersion {
            throw KubeAPIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(expected.apiVersion))")
        }
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != expected.kind {
            throw KubeAPIError.badRequest("\(kind) in version \"\(expected.version)\" cannot be handled as a \(expected.kind): no kind \"\(kind)\" is registered for version \"\(expected.apiVersion)\"")
        }
        object["apiVersion"] = .string(expected.apiVersion)
        object["kind"] = .string(expected.kind)
        if object["metadata"]?.objectValue == nil { object["metadata"] = .object([:]) }
        if resource.namespaced {
            let urlNamespace = namespace ?? "default"
            if let bodyNamespace = metadataString(object, "namespace"), !bodyNamespace.isEmpty, bodyNamespace != urlNamespace {
                throw KubeAPIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            setJSON(&object, ["metadata", "namespace"], .string(urlNamespace))
        } else {
            setJSON(&object, ["metadata", "namespace"], nil)
        }
        return object
    }

    /// What Kubernetes' pod and namespace strategies add on create, on top of KubeModel's:
    /// a pod starts Pending; a namespace starts Active with the `kubernetes` finalizer and its
    /// `kubernetes.io/metadata.name` label. (PersistentVolumes start Pending; the PV controller
    /// makes them Available.)
    func prepareForCreate(_ resource: APIResource, _ object: inout JSONValue) {
        switch (resource.gvk.group, resource.plural) {
        case ("", "pods"):
            var status = object["status"]?.objectValue ?? [:]
            if status["phase"] == nil { status["phase"] = .string("Pending") }
            object["status"] = .object(status)
        case ("", "namespaces"):
            setJSON(&object, ["status", "phase"], .string("Active"))
            if object[path: ["spec", "finalizers"]] == nil { setJSON(&object, ["spec", "finalizers"], .array([.string("kubernetes")])) }
            var labels = object["metadata"]?["labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = object["metadata"]?["name"]
            setJSON(&object, ["metadata", "labels"], .object(labels))
        default:
            break
        }
    }

    // MARK: Update

    /// Replaces an object (PUT). `subresource` "status" changes only the status.
    public func update(_ resource: APIResource, namespace: String?, name: String, _ body: JSONValue,
                       subresource: String? = nil, dryRun: Bool = false) throws -> JSONValue {
        var object = try prepareBody(resource, namespace: namespace, body)
        if let bodyName = metadataString(object, "name"), !bodyName.isEmpty, bodyName != name {
            throw KubeAPIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        setJSON(&object, ["metadata", "name"], .string(name))
        let expectedRV = metadataString(object, "resourceVersion").flatMap { $0.isEmpty ? nil : $0 }
        return try guaranteedUpdate(resource, namespace: namespace, name: name, expectedRV: expectedRV,
                                    subresource: subresource, dryRun: dryRun) { _ in object }
    }

    /// Reads, transforms and writes one object under the store's lock with admission and
    /// optimistic concurrency; removes it when its finalizers were the last thing keeping it.
    func guaranteedUpdate(_ resource: APIResource, namespace: String?, name: String, expectedRV: String?,
                          subresource: String? = nil, dryRun: Bool = false, admit: Bool = true,
                          _ transform: @escaping (JSONValue) throws -> JSONValue) throws -> JSONValue {
        guard resource.gvk.group == "", resource.plural == "services", subresource == nil, admit else {
            return try guaranteedUpdate(resource, namespace: namespace, name: name, expectedRV: expectedRV, subresource: subresource,
                                        dryRun: dryRun, admit: admit, allocate: nil, transform)
        }
        // A Service's spec change may take or give back node ports: one Service at a time.
        return try clusterIPs.lock.withLock {
            let used = usedNodePorts(except: "\(namespace ?? "")/\(name)")
            return try guaranteedUpdate(resource, namespace: namespace, name: name, expectedRV: expectedRV, subresource: subresource,
                                        dryRun: dryRun, admit: admit, allocate: { [nodePorts] updated, old in
                                            try nodePorts.assign(&updated, old: old, used: used)
                                        }, transform)
        }
    }

    private func guaranteedUpdate(_ resource: APIResource, namespace: String?, name: String, expectedRV: String?,
                                  subresource: String?, dryRun: Bool, admit: Bool,
                                  allocate: ((inout JSONValue, JSONValue) throws -> Void)?,
                                  _ transform: @escaping (JSONValue) throws -> JSONValue) throws -> JSONValue {
        var result: JSONValue?
        let event = try store.mutate(key(resource, namespace, name)) { current in
            guard let current else { throw KubeAPIError.notFound(resource.groupResource, name) }
            if let expectedRV, expectedRV != String(current.resourceVersion) {
                throw KubeAPIError.staleResourceVersion(resource.groupResource, name)
            }
            var updated = try transform(current.object)
            if admit, let message = Admission.decodingError(updated, kind: resource.gvk.kind, version: resource.gvk.version) {
                throw KubeAPIError.badRequest(message)
            }
            self.carryOver(from: current.object, to: &updated)
            Admission.prepareForUpdate(&updated, old: current.object, resource: resource,
                                       subresource: subresource == "status" ? "status" : nil)
            if admit { Admission.applyDefaults(to: &updated, resource: resource) }
            try allocate?(&updated, current.object)
            let causes = admit ? Admission.validate(updated, old: current.object, resource: resource, subresource: subresource) : []
            if !causes.isEmpty {
                throw KubeAPIError.invalid(kind: resource.gvk.kind, group: resource.gvk.group, name: name, causes: causes)
            }
            var comparable = updated
            setJSON(&comparable, ["metadata", "resourceVersion"], .string(String(current.resourceVersion)))
            if comparable == current.object || dryRun {
                result = dryRun ? updated : current.object
                return .unchanged
            }
            if self.shouldDeleteAfterUpdate(resource, updated) {
                return .delete
            }
            return .put(updated)
        }
        if let event { return event.object }
        return result ?? .null
    }

    /// An object being deleted whose last finalizer is gone (and, for a pod, whose grace
    /// period was confirmed as 0) leaves the store.
    func shouldDeleteAfterUpdate(_ resource: APIResource, _ object: JSONValue) -> Bool {
        guard metadataString(object, "deletionTimestamp") != nil else { return false }
        if !(object["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty { return false }
        if resource.plural == "pods", resource.gvk.group.isEmpty,
           let grace = object["metadata"]?["deletionGracePeriodSeconds"]?.intValue, grace > 0 {
            return false
        }
        return true
    }

    /// What an update keeps from the stored object: its identity and timestamps.
    func carryOver(from old: JSONValue, to updated: inout JSONValue) {
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace"] {
            setJSON(&updated, ["metadata", field], old["metadata"]?[field])
        }
    }

    // MARK: Patch

    public func patch(_ resource: APIResource, namespace: String?, name: String, type: PatchType, _ patch: JSONValue,
                      subresource: String? = nil, force: Bool = false, dryRun: Bool = false) throws -> JSONValue {
        if type == .apply, store.get(key(resource, namespace, name)) == nil, subresource == nil {
            var object = ApplyPatch.apply(patch, to: nil, resource: resource)
            if (metadataString(object, "name") ?? "").isEmpty { setJSON(&object, ["metadata", "name"], .string(name)) }
            return try create(resource, namespace: namespace, object, dryRun: dryRun)
        }
        let expectedRV: String? = {
            if type == .json { return nil }
            return patch["metadata"]?["resourceVersion"]?.stringValue
        }()
        return try guaranteedUpdate(resource, namespace: namespace, name: name, expectedRV: expectedRV,
                                    subresource: subresource, dryRun: dryRun) { old in
            var patched = type == .apply ? ApplyPatch.apply(patch, to: old, resource: resource)
                : try Patches.apply(type, patch, to: old, gvk: resource.gvk)
            guard case .object = patched else { throw KubeAPIError.badRequest("the patch did not produce an object") }
            patched = try self.prepareBody(resource, namespace: namespace, patched)
            if metadataString(patched, "name") != name {
                throw KubeAPIError.badRequest("the name of the object (\(metadataString(patched, "name") ?? "")) does not match the name on the URL (\(name))")
            }
            return patched
        }
    }

    // MARK: Delete

    /// Deletes an object, or marks it with a deletionTimestamp when finalizers or a pod's grace
    /// period keep it. Returns the object and whether it is gone.
    public func delete(_ resource: APIResource, namespace: String?, name: String, options: DeleteOptions = DeleteOptions())
        throws -> (object: JSONValue, deleted: Bool)
    {
        if resource.plural == "namespaces", resource.gvk.group.isEmpty, Self.systemNamespaces.contains(name) {
            throw KubeAPIError(code: 403, reason: "Forbidden", message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                               details: .object(["name": .string(name), "kind": .string("namespaces")]))
        }
        let timestamp = rfc3339(now())
        var gone = false
        let event = try store.mutate(key(resource, namespace, name)) { current in
            guard let current else { throw KubeAPIError.notFound(resource.groupResource, name) }
            if let uid = options.preconditions?.uid, uid != metadataString(current.object, "uid") {
                throw KubeAPIError.conflict(resource.groupResource, name,
                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(metadataString(current.object, "uid") ?? "")")
            }
            if let rv = options.preconditions?.resourceVersion, rv != String(current.resourceVersion) {
                throw KubeAPIError.conflict(resource.groupResource, name,
                    "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)")
            }
            if options.isDryRun { return .unchanged }
            var object = current.object
            var finalizers = object["metadata"]?["finalizers"]?.arrayValue ?? []
            // Foreground and Orphan propagation are finalizers the garbage collector clears.
            if let policy = options.propagationPolicy, policy == "Foreground" || policy == "Orphan",
               metadataString(object, "deletionTimestamp") == nil {
                let finalizer = JSONValue.string(policy == "Foreground" ? "foregroundDeletion" : "orphan")
                if !finalizers.contains(finalizer) { finalizers.append(finalizer) }
                setJSON(&object, ["metadata", "finalizers"], .array(finalizers))
            }
            let isPod = resource.plural == "pods" && resource.gvk.group.isEmpty
            let isNamespace = resource.plural == "namespaces" && resource.gvk.group.isEmpty
            var grace: Int64 = 0
            if isPod, object["spec"]?["nodeName"]?.stringValue?.isEmpty == false,
               object["status"]?["phase"]?.stringValue.map({ $0 != "Succeeded" && $0 != "Failed" }) ?? true {
                grace = options.gracePeriodSeconds ?? object["spec"]?["terminationGracePeriodSeconds"]?.intValue ?? 30
                if let existing = object["metadata"]?["deletionGracePeriodSeconds"]?.intValue { grace = min(grace, existing) }
                grace = max(grace, 0)
            }
            if isNamespace {
                // The namespace lifecycle: Terminating until its content is gone.
                if metadataString(object, "deletionTimestamp") == nil {
                    setJSON(&object, ["metadata", "deletionTimestamp"], .string(timestamp))
                    setJSON(&object, ["metadata", "deletionGracePeriodSeconds"], .int(0))
                    setJSON(&object, ["status", "phase"], .string("Terminating"))
                    return .put(object)
                }
                return .unchanged
            }
            if finalizers.isEmpty && grace == 0 {
                gone = true
                return .delete
            }
            if metadataString(object, "deletionTimestamp") == nil || grace < (object["metadata"]?["deletionGracePeriodSeconds"]?.intValue ?? Int64.max) {
                let deadline = isPod ? rfc3339(self.now().addingTimeInterval(TimeInterval(grace))) : timestamp
                setJSON(&object, ["metadata", "deletionTimestamp"], .string(metadataString(object, "deletionTimestamp") ?? deadline))
                if isPod { setJSON(&object, ["metadata", "deletionTimestamp"], .string(deadline)) }
                setJSON(&object, ["metadata", "deletionGracePeriodSeconds"], .int(grace))
                return .put(object)
            }
            return .unchanged
        }
        if resource.plural == "namespaces", resource.gvk.group.isEmpty {
            finalizeNamespace(name)
        }
        if let event { return (event.object, gone) }
        return (try get(resource, namespace: namespace, name: name).object, false)
    }

    /// Deletes what a terminating namespace holds, then the namespace itself once it is empty.
    func finalizeNamespace(_ name: String) {
        for resource in ResourceCatalog.all where resource.namespaced {
            for object in store.list(resource: resource.groupResource, namespace: name).objects
            where metadataString(object.object, "deletionTimestamp") == nil {
                _ = try? delete(resource, namespace: name, name: object.key.name)
            }
        }
        let remaining = ResourceCatalog.all.filter(\.namespaced).reduce(0) {
            $0 + store.list(resource: $1.groupResource, namespace: name).objects.count
        }
        if remaining == 0 {
            _ = try? store.mutate(key(Self.namespaces, nil, name)) { current in
                guard let current, metadataString(current.object, "deletionTimestamp") != nil else { return .unchanged }
                return .delete
            }
        } else {
            Task { [self] in
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                self.finalizeNamespace(name)
            }
        }
    }

    /// Deletes every object of a list request; returns the objects as they were after the delete.
    public func deleteCollection(_ resource: APIResource, namespace: String?, listOptions: ListOptions,
                                 options: DeleteOptions) throws -> [JSONValue] {
        var unpaged = listOptions
        unpaged.limit = nil
        unpaged.continueToken = nil
        return try list(resource, namespace: namespace, options: unpaged).objects.compactMap { stored in
            try? delete(resource, namespace: namespace, name: stored.key.name, options: options).object
        }
    }

    // MARK: Subresources

    /// `statefulsets/scale` as an autoscaling/v1 Scale.
    public func scale(_ resource: APIResource, namespace: String?, name: String) throws -> JSONValue {
        Self.scale(of: try get(resource, namespace: namespace, name: name).object)
    }

    static func scale(of object: JSONValue) -> JSONValue {
        Admission.scale(of: object)
    }

    /// Writes a Scale (PUT) or a patch of it (PATCH) back into the object's `spec.replicas`.
    public func updateScale(_ resource: APIResource, namespace: String?, name: String,
                            _ change: (JSONValue) throws -> JSONValue) throws -> JSONValue {
        let current = try get(resource, namespace: namespace, name: name)
        let scale = try change(Self.scale(of: current.object))
        guard let replicas = scale[path: ["spec", "replicas"]]?.intValue else {
            throw KubeAPIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                StatusCause(reason: StatusCause.Reason.required, message: "Required value", field: "spec.replicas"),
            ])
        }
        if replicas < 0 {
            throw KubeAPIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                StatusCause(reason: StatusCause.Reason.invalid, message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas"),
            ])
        }
        let expectedRV = scale["metadata"]?["resourceVersion"]?.stringValue
        let updated = try guaranteedUpdate(resource, namespace: namespace, name: name,
                                           expectedRV: expectedRV == String(current.resourceVersion) ? nil : expectedRV) { old in
            Admission.applyScale(scale, to: old)
        }
        return Self.scale(of: updated)
    }

    /// `pods/binding`: assigns a pod to a node once.
    public func bind(namespace: String?, name: String, binding: JSONValue) throws {
        let pods = Self.resource("pods")
        guard let node = binding["target"]?["name"]?.stringValue, !node.isEmpty else {
            throw KubeAPIError.invalid(kind: "Binding", group: "", name: name, causes: [
                StatusCause(reason: StatusCause.Reason.required, message: "Required value", field: "target.name"),
            ])
        }
        var binding = binding
        if metadataString(binding, "name") == nil { setJSON(&binding, ["metadata", "name"], .string(name)) }
        if metadataString(binding, "namespace") == nil, let namespace { setJSON(&binding, ["metadata", "namespace"], .string(namespace)) }
        let causes = Admission.validate(binding, old: nil, resource: pods, subresource: "binding")
        if !causes.isEmpty {
            throw KubeAPIError.invalid(kind: "Binding", group: "", name: name, causes: causes)
        }
        // The binding was validated; the pod's spec.nodeName is set once, as the binding REST does.
        _ = try guaranteedUpdate(pods, namespace: namespace, name: name, expectedRV: nil, admit: false) { old in
            if let existing = old["spec"]?["nodeName"]?.stringValue, !existing.isEmpty {
                throw KubeAPIError.conflict("pods", name, "pod \(name) is already assigned to node \"\(existing)\"")
            }
            if metadataString(old, "deletionTimestamp") != nil {
                throw KubeAPIError.conflict("pods", name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            var object = old
            setJSON(&object, ["spec", "nodeName"], .string(node))
            var conditions = object["status"]?["conditions"]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append(.object(["type": .string("PodScheduled"), "status": .string("True"),
                                       "lastTransitionTime": .string(rfc3339(self.now())), "lastProbeTime": .null]))
            setJSON(&object, ["status", "conditions"], .array(conditions))
            return object
        }
    }

    // MARK: Watch

    /// A watch of one resource: events after `options.resourceVersion` (or the current objects
    /// as ADDED when it is empty or "0"), filtered by the selectors; MODIFIED events that move an
    /// object in or out of the selection become ADDED or DELETED, as Kubernetes sends them.
    public func watch(_ resource: APIResource, namespace: String?, options: ListOptions) throws -> AsyncStream<StoreEvent> {
        let filter = try ObjectFilter(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, kind: resource.gvk.kind)
        let rvText = options.resourceVersion ?? ""
        let sendInitial = rvText.isEmpty || rvText == "0"
        var after: Int64?
        if !sendInitial {
            guard let rv = Int64(rvText) else {
                throw KubeAPIError.badRequest("invalid resource version: \(rvText)")
            }
            after = rv
        }
        let storeWatch = try store.watch(resource: resource.groupResource, namespace: resource.namespaced ? namespace : nil,
                                         after: after, sendInitial: sendInitial)
        return AsyncStream<StoreEvent> { continuation in
            let task = Task {
                for event in storeWatch.initial where filter.matches(event.object) {
                    continuation.yield(event)
                }
                for await event in storeWatch.events {
                    if let mapped = Self.filtered(event, filter) { continuation.yield(mapped) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func filtered(_ event: StoreEvent, _ filter: ObjectFilter) -> StoreEvent? {
        if filter.isEmpty { return event }
        let now = filter.matches(event.object)
        let before = event.previous.map(filter.matches) ?? now
        switch (event.type, before, now) {
        case (.modified, false, true):
            var added = event
            added.type = .added
            return added
        case (.modified, true, false):
            var deleted = event
            deleted.type = .deleted
            return deleted
        case (_, _, true): return event
        case (.deleted, true, _): return event
        default: return nil
        }
    }
}

extension Registry {
    /// Writes wait for a durable SQLite commit (an fsync): they run on one serial queue of
    /// their own, so they never hold the few threads of Swift's cooperative pool that the HTTP
    /// handlers, watches and in-process controllers share.
    static let writeQueue = DispatchQueue(label: "minikube-swift.apiserver.writes")

    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.writeQueue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
