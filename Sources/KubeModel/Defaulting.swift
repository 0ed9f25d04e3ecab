/// Kubernetes' defaulting (`SetDefaults_*` of core/v1, apps/v1, storage/v1, discovery/v1, plus
/// what the registry strategies and default admission plugins add), on the JSON form so
/// unknown fields stay as sent.
enum Defaulting {
    static func apply(to object: inout JSONValue, kind: String) {
        guard case .object = object else { return }
        switch kind {
        case "Pod": pod(&object)
        case "StatefulSet": statefulSet(&object)
        case "Service": service(&object)
        case "PersistentVolume": persistentVolume(&object)
        case "PersistentVolumeClaim": persistentVolumeClaim(&object)
        case "StorageClass": storageClass(&object)
        case "Namespace": namespace(&object)
        case "Node": node(&object)
        case "Endpoints": endpoints(&object)
        case "EndpointSlice": endpointSlice(&object)
        case "Secret": object.setDefault("type", "Opaque")
        default: break
        }
    }

    // MARK: core/v1

    /// `SetDefaults_Pod` + `SetDefaults_PodSpec`, and the ServiceAccount, Priority and
    /// DefaultTolerationSeconds admission plugins' additions.
    static func pod(_ pod: inout JSONValue) {
        pod.update("spec") { spec in
            podSpec(&spec)
            spec.setDefault("enableServiceLinks", .bool(true))
            spec.setDefault("serviceAccountName", "default")
            spec.setDefault("serviceAccount", spec["serviceAccountName"] ?? .string("default"))
            spec.setDefault("priority", .int(0))
            spec.setDefault("preemptionPolicy", "PreemptLowerPriority")
            let hostNetwork = spec["hostNetwork"]?.boolValue == true
            for key in ["initContainers", "containers"] {
                spec.updateEach(key) { container in
                    // Requests default to limits.
                    if let limits = container[path: ["resources", "limits"]]?.objectValue {
                        container.update("resources") { resources in
                            resources.update("requests") { requests in
                                for (name, value) in limits where requests[name] == nil { requests[name] = value }
                            }
                        }
                    }
                    if hostNetwork {
                        container.updateEach("ports") { port in
                            if port["hostPort"] == nil, let p = port["containerPort"] { port["hostPort"] = p }
                        }
                    }
                }
            }
            var tolerations = spec["tolerations"]?.arrayValue ?? []
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                let tolerated = tolerations.contains { t in
                    (t["key"]?.stringValue == key || (t["key"] == nil && t["operator"]?.stringValue == "Exists"))
                        && (t["effect"] == nil || t["effect"]?.stringValue == "NoExecute")
                }
                if !tolerated {
                    tolerations.append(.object(["key": .string(key), "operator": .string("Exists"), "effect": .string("NoExecute"),
                                                "tolerationSeconds": .int(300)]))
                }
            }
            spec["tolerations"] = .array(tolerations)
        }
        let qos = qosClass(pod: pod)
        pod.update("status") { status in
            status.setDefault("phase", "Pending")
            status.setDefault("qosClass", .string(qos))
        }
    }

    /// `GetPodQOS`: Guaranteed when every container has equal cpu and memory requests and
    /// limits, BestEffort when none has any, Burstable otherwise.
    static func qosClass(pod: JSONValue) -> String {
        var anyResource = false
        var guaranteed = true
        let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []) + (pod[path: ["spec", "initContainers"]]?.arrayValue ?? [])
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            for name in ["cpu", "memory"] {
                let request = requests[name].flatMap { try? Quantity($0) }
                let limit = limits[name].flatMap { try? Quantity($0) }
                if let request, !request.isZero { anyResource = true }
                if let limit, !limit.isZero { anyResource = true }
                if limit == nil || (request ?? limit) != limit { guaranteed = false }
            }
        }
        if !anyResource { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// `SetDefaults_PodSpec` and the defaults of everything inside it; used for pods and templates.
    static func podSpec(_ spec: inout JSONValue) {
        spec.setDefault("dnsPolicy", "ClusterFirst")
        spec.setDefault("restartPolicy", "Always")
        spec.setDefault("securityContext", .object([:]))
        spec.setDefault("terminationGracePeriodSeconds", .int(30))
        spec.setDefault("schedulerName", "default-scheduler")
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            spec.updateEach(key) { container(&$0) }
        }
        spec.updateEach("volumes") { volume(&$0) }
    }

    /// `SetDefaults_Container` and its ports, probes, env.
    static func container(_ container: inout JSONValue) {
        if container["imagePullPolicy"] == nil || container["imagePullPolicy"] == .string("") {
            let image = container["image"]?.stringValue ?? ""
            container["imagePullPolicy"] = .string(imageTag(image) == "latest" ? "Always" : "IfNotPresent")
        }
        container.setDefault("terminationMessagePath", "/dev/termination-log")
        container.setDefault("terminationMessagePolicy", "File")
        container.updateEach("ports") { port in port.setDefault("protocol", "TCP") }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            container.update(probe, create: false) { (p: inout JSONValue) in
                p.setDefault("timeoutSeconds", .int(1))
                p.setDefault("periodSeconds", .int(10))
                p.setDefault("successThreshold", .int(1))
                p.setDefault("failureThreshold", .int(3))
                handler(&p)
            }
        }
        container.update("lifecycle", create: false) { lifecycle in
            lifecycle.update("postStart", create: false) { handler(&$0) }
            lifecycle.update("preStop", create: false) { handler(&$0) }
        }
        container.updateEach("env") { env in
            env.update("valueFrom", create: false) { from in
                from.update("fieldRef", create: false) { $0.setDefault("apiVersion", "v1") }
            }
        }
    }

    static func handler(_ handler: inout JSONValue) {
        handler.update("httpGet", create: false) { get in
            get.setDefault("path", "/")
            get.setDefault("scheme", "HTTP")
        }
    }

    /// The tag an image reference resolves to: `latest` when none is given (and no digest).
    static func imageTag(_ image: String) -> String {
        if image.contains("@") {
            let name = image.split(separator: "@", maxSplits: 1)[0]
            let last = name.split(separator: "/").last ?? ""
            if let colon = last.lastIndex(of: ":") { return String(last[last.index(after: colon)...]) }
            return ""
        }
        let last = image.split(separator: "/").last ?? ""
        if let colon = last.lastIndex(of: ":") { return String(last[last.index(after: colon)...]) }
        return "latest"
    }

    /// `SetDefaults_Volume` and its sources.
    static func volume(_ volume: inout JSONValue) {
        let sources = ["hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
                       "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
                       "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
                       "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"]
        if !sources.contains(where: { volume[$0] != nil }) {
            volume["emptyDir"] = .object([:])
        }
        volume.update("hostPath", create: false) { $0.setDefault("type", "") }
        for key in ["secret", "configMap", "downwardAPI", "projected"] {
            volume.update(key, create: false) { $0.setDefault("defaultMode", .int(0o644)) }
        }
    }

    /// `SetDefaults_Service` and the registry's IP family defaults.
    static func service(_ service: inout JSONValue) {
        service.update("spec") { spec in
            spec.setDefault("type", "ClusterIP")
            spec.setDefault("sessionAffinity", "None")
            if spec["sessionAffinity"] == .string("ClientIP") && spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]] == nil {
                spec["sessionAffinityConfig"] = .object(["clientIP": .object(["timeoutSeconds": .int(10800)])])
            }
            spec.updateEach("ports") { port in
                port.setDefault("protocol", "TCP")
                let target = port["targetPort"]
                if target == nil || target == .int(0) || target == .string("") {
                    if let p = port["port"] { port["targetPort"] = p }
                }
            }
            let type = spec["type"]?.stringValue ?? "ClusterIP"
            if type == "NodePort" || type == "LoadBalancer" { spec.setDefault("externalTrafficPolicy", "Cluster") }
            if type == "LoadBalancer" { spec.setDefault("allocateLoadBalancerNodePorts", .bool(true)) }
            if type != "ExternalName" {
                spec.setDefault("internalTrafficPolicy", "Cluster")
                spec.setDefault("ipFamilyPolicy", "SingleStack")
                spec.setDefault("ipFamilies", .array([.string("IPv4")]))
                if let ip = spec["clusterIP"], ip != .string(""), spec["clusterIPs"] == nil {
                    spec["clusterIPs"] = .array([ip])
                }
            }
        }
        service.update("status") { status in status.setDefault("loadBalancer", .object([:])) }
    }

    /// `SetDefaults_PersistentVolume`
    static func persistentVolume(_ pv: inout JSONValue) {
        pv.update("spec") { spec in
            spec.setDefault("persistentVolumeReclaimPolicy", "Retain")
            spec.setDefault("volumeMode", "Filesystem")
            spec.update("hostPath", create: false) { $0.setDefault("type", "") }
        }
        pv.update("status") { $0.setDefault("phase", "Pending") }
    }

    /// `SetDefaults_PersistentVolumeClaim` + `…Spec`
    static func persistentVolumeClaim(_ pvc: inout JSONValue) {
        pvc.update("spec") { $0.setDefault("volumeMode", "Filesystem") }
        pvc.update("status") { $0.setDefault("phase", "Pending") }
    }

    /// The namespace strategy's `kubernetes` finalizer, `SetDefaults_NamespaceStatus` and the
    /// `kubernetes.io/metadata.name` label.
    static func namespace(_ ns: inout JSONValue) {
        ns.update("spec") { $0.setDefault("finalizers", .array([.string("kubernetes")])) }
        ns.update("status") { $0.setDefault("phase", "Active") }
        if let name = ns[path: ["metadata", "name"]], name != .string("") {
            ns.update("metadata") { meta in
                meta.update("labels") { $0["kubernetes.io/metadata.name"] = name }
            }
        }
    }

    /// `SetDefaults_NodeStatus`: allocatable defaults to capacity.
    static func node(_ node: inout JSONValue) {
        guard let capacity = node[path: ["status", "capacity"]] else { return }
        node.update("status") { $0.setDefault("allocatable", capacity) }
    }

    static func endpoints(_ endpoints: inout JSONValue) {
        endpoints.updateEach("subsets") { subset in
            subset.updateEach("ports") { $0.setDefault("protocol", "TCP") }
        }
    }

    static func endpointSlice(_ slice: inout JSONValue) {
        slice.updateEach("ports") { port in
            port.setDefault("protocol", "TCP")
            port.setDefault("name", "")
        }
    }

    // MARK: apps/v1

    /// `SetDefaults_StatefulSet`, its pod template and claim templates.
    static func statefulSet(_ sts: inout JSONValue) {
        sts.update("spec") { spec in
            spec.setDefault("podManagementPolicy", "OrderedReady")
            if spec[path: ["updateStrategy", "type"]] == nil || spec[path: ["updateStrategy", "type"]] == .string("") {
                spec.update("updateStrategy") { strategy in
                    strategy["type"] = .string("RollingUpdate")
                    strategy.setDefault("rollingUpdate", .object([:]))
                }
            }
            if spec[path: ["updateStrategy", "type"]] == .string("RollingUpdate") {
                spec.update("updateStrategy") { strategy in
                    strategy.update("rollingUpdate", create: false) { $0.setDefault("partition", .int(0)) }
                }
            }
            spec.update("persistentVolumeClaimRetentionPolicy") { policy in
                policy.setDefault("whenDeleted", "Retain")
                policy.setDefault("whenScaled", "Retain")
            }
            spec.setDefault("replicas", .int(1))
            spec.setDefault("revisionHistoryLimit", .int(10))
            spec.update("template") { template in
                template.update("spec") { podSpec(&$0) }
            }
            spec.updateEach("volumeClaimTemplates") { claim in
                claim.setDefault("apiVersion", "v1")
                claim.setDefault("kind", "PersistentVolumeClaim")
                persistentVolumeClaim(&claim)
            }
        }
    }

    // MARK: storage.k8s.io/v1

    /// `SetDefaults_StorageClass`
    static func storageClass(_ sc: inout JSONValue) {
        sc.setDefault("reclaimPolicy", "Delete")
        sc.setDefault("volumeBindingMode", "Immediate")
    }
}

extension JSONValue {
    /// Sets `key` when it is absent or null (an object only).
    mutating func setDefault(_ key: String, _ value: JSONValue) {
        guard case .object = self else { return }
        if self[key] == nil || self[key] == .null { self[key] = value }
    }

    mutating func setDefault(_ key: String, _ value: String) { setDefault(key, .string(value)) }

    /// Runs `body` on the object at `key`, creating `{}` first when `create` and it is absent.
    mutating func update(_ key: String, create: Bool = true, _ body: (inout JSONValue) -> Void) {
        guard case .object = self else { return }
        var child: JSONValue
        if let existing = self[key], existing != .null {
            child = existing
        } else {
            guard create else { return }
            child = .object([:])
        }
        guard case .object = child else { return }
        body(&child)
        self[key] = child
    }

    /// Runs `body` on each object of the array at `key`.
    mutating func updateEach(_ key: String, _ body: (inout JSONValue) -> Void) {
        guard case .array(var items) = self[key] else { return }
        for i in items.indices where items[i].objectValue != nil { body(&items[i]) }
        self[key] = .array(items)
    }
}
