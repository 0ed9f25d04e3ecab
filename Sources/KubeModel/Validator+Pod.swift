/// Pod and pod template validation (`ValidatePodSpec`, `ValidatePodUpdate`).
extension Validator {
    static let volumeSources = ["hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret",
                                "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
                                "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte",
                                "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos",
                                "csi", "ephemeral", "image"]
    static let hostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]
    static let protocols = ["SCTP", "TCP", "UDP"]

    mutating func validatePod(_ pod: JSONValue, old: JSONValue?) {
        let spec = pod["spec"] ?? .object([:])
        validatePodSpec(spec, FieldPath("spec"), extraVolumes: [])
        if let old {
            validatePodSpecUpdate(spec, old: old["spec"] ?? .object([:]))
        }
    }

    /// `ValidatePodSpec`. `extraVolumes`: names that mounts may also refer to (a StatefulSet's
    /// claim templates).
    mutating func validatePodSpec(_ spec: JSONValue, _ path: FieldPath, extraVolumes: [String]) {
        let volumeNames = validateVolumes(spec["volumes"], path.child("volumes"))
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            add(FieldError.required(path.child("containers")))
        }
        var containerNames = Set<String>()
        for (key, list) in [("initContainers", spec["initContainers"]?.arrayValue ?? []), ("containers", containers)] {
            for (i, container) in list.enumerated() {
                validateContainer(container, path.child(key).index(i), volumes: volumeNames.union(extraVolumes), names: &containerNames)
            }
        }
        supported(spec["restartPolicy"], path.child("restartPolicy"), ["Always", "Never", "OnFailure"], required: true)
        supported(spec["dnsPolicy"], path.child("dnsPolicy"), ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"], required: true)
        nonNegative(spec["terminationGracePeriodSeconds"], path.child("terminationGracePeriodSeconds"))
        if let deadline = spec["activeDeadlineSeconds"], deadline != .null {
            if let value = deadline.intValue, value <= 0 || value > Int64(Int32.max) * 2 {
                add(FieldError.invalid(path.child("activeDeadlineSeconds"), deadline, "must be between 1 and 2147483647, inclusive"))
            }
        }
        if let nodeName = spec["nodeName"]?.stringValue, !nodeName.isEmpty {
            add(NameValidation.dns1123Subdomain(nodeName), path.child("nodeName"), nodeName)
            if !(spec["schedulingGates"]?.arrayValue ?? []).isEmpty {
                add(FieldError.forbidden(path.child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
            }
        }
        var gateNames = Set<String>()
        for (i, gate) in (spec["schedulingGates"]?.arrayValue ?? []).enumerated() {
            let name = gate["name"]?.stringValue ?? ""
            add(NameValidation.qualifiedName(name), path.child("schedulingGates").index(i).child("name"), name)
            if !gateNames.insert(name).inserted {
                add(FieldError.duplicate(path.child("schedulingGates").index(i), .string(name)))
            }
        }
        for key in ["hostname", "subdomain"] {
            if let value = spec[key]?.stringValue, !value.isEmpty {
                add(NameValidation.dns1123Label(value), path.child(key), value)
            }
        }
        if let selector = spec["nodeSelector"] { validateLabels(selector, path.child("nodeSelector")) }
        if let account = spec["serviceAccountName"]?.stringValue, !account.isEmpty {
            add(NameValidation.dns1123Subdomain(account), path.child("serviceAccountName"), account)
        }
        for (i, toleration) in (spec["tolerations"]?.arrayValue ?? []).enumerated() {
            let p = path.child("tolerations").index(i)
            let op = toleration["operator"]?.stringValue ?? "Equal"
            if let key = toleration["key"]?.stringValue, !key.isEmpty {
                add(NameValidation.qualifiedName(key), p.child("key"), key)
            } else if op != "Exists" {
                add(FieldError.invalid(p.child("operator"), .string(op), "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
            }
            switch op {
            case "Equal", "":
                if let value = toleration["value"]?.stringValue { add(NameValidation.labelValue(value), p.child("value"), value) }
            case "Exists":
                if let value = toleration["value"]?.stringValue, !value.isEmpty {
                    add(FieldError.invalid(p.child("operator"), toleration["value"], "value must be empty when `operator` is 'Exists'"))
                }
            default:
                add(FieldError.notSupported(p.child("operator"), .string(op), ["Equal", "Exists"]))
            }
            supported(toleration["effect"], p.child("effect"), ["NoExecute", "NoSchedule", "PreferNoSchedule"])
        }
        if let securityContext = spec["securityContext"] {
            for key in ["runAsUser", "runAsGroup", "fsGroup"] {
                nonNegative(securityContext[key], path.child("securityContext", key))
            }
        }
    }

    /// Volumes: unique DNS-label names, exactly one source each. Returns the names.
    mutating func validateVolumes(_ volumes: JSONValue?, _ path: FieldPath) -> Set<String> {
        var names = Set<String>()
        for (i, volume) in (volumes?.arrayValue ?? []).enumerated() {
            let p = path.index(i)
            let name = volume["name"]?.stringValue ?? ""
            if name.isEmpty {
                add(FieldError.required(p.child("name")))
            } else {
                add(NameValidation.dns1123Label(name), p.child("name"), name)
                if !names.insert(name).inserted { add(FieldError.duplicate(p.child("name"), .string(name))) }
            }
            let sources = Self.volumeSources.filter { volume[$0] != nil && volume[$0] != .null }
            if sources.isEmpty {
                add(FieldError.required(p, "must specify a volume type"))
            } else if sources.count > 1 {
                add(FieldError.forbidden(p.child(sources[1]), "may not specify more than 1 volume type"))
            }
            if let hostPath = volume["hostPath"] { validateHostPath(hostPath, p.child("hostPath")) }
            if let claim = volume["persistentVolumeClaim"], (claim["claimName"]?.stringValue ?? "").isEmpty {
                add(FieldError.required(p.child("persistentVolumeClaim", "claimName")))
            }
            if let secret = volume["secret"], (secret["secretName"]?.stringValue ?? "").isEmpty {
                add(FieldError.required(p.child("secret", "secretName")))
            }
            if let configMap = volume["configMap"], (configMap["name"]?.stringValue ?? "").isEmpty {
                add(FieldError.required(p.child("configMap", "name")))
            }
            for source in ["secret", "configMap"] {
                for (j, item) in (volume[path: [source, "items"]]?.arrayValue ?? []).enumerated() {
                    let ip = p.child(source, "items").index(j)
                    if (item["key"]?.stringValue ?? "").isEmpty { add(FieldError.required(ip.child("key"))) }
                    validateLocalPath(item["path"]?.stringValue ?? "", ip.child("path"))
                }
                if let mode = volume[path: [source, "defaultMode"]]?.intValue, mode < 0 || mode > 0o777 {
                    add(FieldError.invalid(p.child(source, "defaultMode"), .int(mode), "must be a number between 0 and 0777 (octal), both inclusive"))
                }
            }
            if let sizeLimit = volume[path: ["emptyDir", "sizeLimit"]] { quantity(sizeLimit, p.child("emptyDir", "sizeLimit")) }
            supported(volume[path: ["emptyDir", "medium"]], p.child("emptyDir", "medium"), ["", "Memory", "HugePages"])
        }
        return names
    }

    mutating func validateHostPath(_ hostPath: JSONValue, _ path: FieldPath) {
        let p = hostPath["path"]?.stringValue ?? ""
        if p.isEmpty {
            add(FieldError.required(path.child("path")))
        } else if p.split(separator: "/").contains("..") {
            add(FieldError.invalid(path.child("path"), .string(p), "must not contain '..'"))
        }
        if let type = hostPath["type"], type != .null {
            supported(type, path.child("type"), Self.hostPathTypes)
        }
    }

    /// `validateLocalDescendingPath`: relative, no `..`.
    mutating func validateLocalPath(_ p: String, _ path: FieldPath) {
        if p.isEmpty {
            add(FieldError.required(path))
        } else if p.hasPrefix("/") {
            add(FieldError.invalid(path, .string(p), "must be a relative path"))
        } else if p.split(separator: "/").contains("..") {
            add(FieldError.invalid(path, .string(p), "must not contain '..'"))
        }
    }

    mutating func validateContainer(_ container: JSONValue, _ path: FieldPath, volumes: Set<String>, names: inout Set<String>) {
        let name = container["name"]?.stringValue ?? ""
        if name.isEmpty {
            add(FieldError.required(path.child("name")))
        } else {
            add(NameValidation.dns1123Label(name), path.child("name"), name)
            if !names.insert(name).inserted { add(FieldError.duplicate(path.child("name"), .string(name))) }
        }
        let image = container["image"]?.stringValue ?? ""
        if image.isEmpty {
            add(FieldError.required(path.child("image")))
        } else if image != image.trimmingSpaces || image.hasSuffix("\t") || image.hasPrefix("\t") {
            add(FieldError.invalid(path.child("image"), .string(image), "must not have leading or trailing whitespace"))
        }
        supported(container["imagePullPolicy"], path.child("imagePullPolicy"), ["Always", "IfNotPresent", "Never"], required: true)
        supported(container["terminationMessagePolicy"], path.child("terminationMessagePolicy"), ["File", "FallbackToLogsOnError"], required: true)

        var portNames = Set<String>()
        for (i, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
            let p = path.child("ports").index(i)
            if let portName = port["name"]?.stringValue, !portName.isEmpty {
                add(NameValidation.portName(portName), p.child("name"), portName)
                if !portNames.insert(portName).inserted { add(FieldError.duplicate(p.child("name"), .string(portName))) }
            }
            let containerPort = port["containerPort"]?.intValue ?? 0
            if containerPort == 0 {
                add(FieldError.required(p.child("containerPort")))
            } else if !NameValidation.portNumber(containerPort).isEmpty {
                add(FieldError.invalid(p.child("containerPort"), .int(containerPort), NameValidation.portNumber(containerPort)[0]))
            }
            if let hostPort = port["hostPort"]?.intValue, hostPort != 0, !NameValidation.portNumber(hostPort).isEmpty {
                add(FieldError.invalid(p.child("hostPort"), .int(hostPort), NameValidation.portNumber(hostPort)[0]))
            }
            supported(port["protocol"], p.child("protocol"), Self.protocols, required: true)
        }

        for (i, env) in (container["env"]?.arrayValue ?? []).enumerated() {
            let p = path.child("env").index(i)
            let envName = env["name"]?.stringValue ?? ""
            if envName.isEmpty {
                add(FieldError.required(p.child("name")))
            } else {
                add(NameValidation.envVarName(envName), p.child("name"), envName)
            }
            if let from = env["valueFrom"], from != .null {
                let sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter { from[$0] != nil && from[$0] != .null }
                if let fieldRef = from["fieldRef"], fieldRef != .null {
                    validateObjectFieldSelector(fieldRef, p.child("valueFrom", "fieldRef"))
                }
                if let resourceRef = from["resourceFieldRef"], resourceRef != .null {
                    supported(resourceRef["resource"], p.child("valueFrom", "resourceFieldRef", "resource"), Self.resourceFieldPaths, required: true)
                }
                if sources.isEmpty {
                    add(FieldError.invalid(p.child("valueFrom"), rendered: "\"\"", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
                } else if let value = env["value"]?.stringValue, !value.isEmpty {
                    add(FieldError.invalid(p.child("valueFrom"), rendered: "\"\"", "may not be specified when `value` is not empty"))
                } else if sources.count > 1 {
                    add(FieldError.invalid(p.child("valueFrom"), rendered: "\"\"", "may not have more than one field specified at a time"))
                }
                for ref in ["configMapKeyRef", "secretKeyRef"] {
                    if let keyRef = from[ref] {
                        if (keyRef["key"]?.stringValue ?? "").isEmpty { add(FieldError.required(p.child("valueFrom", ref, "key"))) }
                        if (keyRef["name"]?.stringValue ?? "").isEmpty { add(FieldError.required(p.child("valueFrom", ref, "name"))) }
                    }
                }
            }
        }

        var mountPaths = Set<String>()
        for (i, mount) in (container["volumeMounts"]?.arrayValue ?? []).enumerated() {
            let p = path.child("volumeMounts").index(i)
            let volume = mount["name"]?.stringValue ?? ""
            if volume.isEmpty {
                add(FieldError.required(p.child("name")))
            } else if !volumes.contains(volume) {
                add(FieldError.notFound(p.child("name"), .string(volume)))
            }
            let mountPath = mount["mountPath"]?.stringValue ?? ""
            if mountPath.isEmpty {
                add(FieldError.required(p.child("mountPath")))
            } else if !mountPaths.insert(mountPath).inserted {
                add(FieldError.invalid(p.child("mountPath"), .string(mountPath), "must be unique"))
            }
            if let subPath = mount["subPath"]?.stringValue, !subPath.isEmpty {
                if subPath.hasPrefix("/") { add(FieldError.invalid(p.child("subPath"), .string(subPath), "must be a relative path")) }
                if subPath.split(separator: "/").contains("..") { add(FieldError.invalid(p.child("subPath"), .string(subPath), "must not contain '..'")) }
            }
            supported(mount["mountPropagation"], p.child("mountPropagation"), ["Bidirectional", "HostToContainer", "None"])
        }

        resourceRequirements(container["resources"], path.child("resources"))
        validateProbe(container["livenessProbe"], path.child("livenessProbe"), mustHaveSuccessThresholdOne: true)
        validateProbe(container["readinessProbe"], path.child("readinessProbe"), mustHaveSuccessThresholdOne: false)
        validateProbe(container["startupProbe"], path.child("startupProbe"), mustHaveSuccessThresholdOne: true)
        for hook in ["postStart", "preStop"] {
            if let handler = container[path: ["lifecycle", hook]], handler != .null {
                validateHandler(handler, path.child("lifecycle", hook), handlers: ["exec", "httpGet", "tcpSocket", "sleep"])
            }
        }
    }

    static let downwardAPIFieldPaths = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                                        "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"]
    static let resourceFieldPaths = ["limits.cpu", "limits.ephemeral-storage", "limits.memory",
                                     "requests.cpu", "requests.ephemeral-storage", "requests.memory"]

    /// `validateObjectFieldSelector` for environment variables.
    mutating func validateObjectFieldSelector(_ selector: JSONValue, _ path: FieldPath) {
        guard let apiVersion = selector["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            add(FieldError.required(path.child("apiVersion")))
            return
        }
        guard let fieldPath = selector["fieldPath"]?.stringValue, !fieldPath.isEmpty else {
            add(FieldError.required(path.child("fieldPath")))
            return
        }
        if apiVersion != "v1" {
            add(FieldError.invalid(path.child("fieldPath"), .string(fieldPath), "error converting fieldPath: No field label conversion function found for version: \(apiVersion)"))
            return
        }
        for prefix in ["metadata.labels[", "metadata.annotations["] where fieldPath.hasPrefix(prefix) {
            guard fieldPath.hasSuffix("']") && fieldPath.dropFirst(prefix.count).hasPrefix("'") else {
                add(FieldError.invalid(path.child("fieldPath"), .string(fieldPath), "error converting fieldPath: field label not supported: \(fieldPath)"))
                return
            }
            let key = String(fieldPath.dropFirst(prefix.count + 1).dropLast(2))
            add(NameValidation.qualifiedName(prefix.hasPrefix("metadata.labels") ? key : key.lowercased()), path.child("fieldPath"), key)
            return
        }
        if !Self.downwardAPIFieldPaths.contains(fieldPath) && fieldPath != "metadata.labels" && fieldPath != "metadata.annotations" {
            add(FieldError.notSupported(path.child("fieldPath"), .string(fieldPath), Self.downwardAPIFieldPaths))
        }
    }

    mutating func validateProbe(_ probe: JSONValue?, _ path: FieldPath, mustHaveSuccessThresholdOne: Bool) {
        guard let probe, probe != .null else { return }
        validateHandler(probe, path, handlers: ["exec", "httpGet", "tcpSocket", "grpc"])
        nonNegative(probe["initialDelaySeconds"], path.child("initialDelaySeconds"))
        for key in ["timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            if let value = probe[key]?.intValue, value < 1 {
                add(FieldError.invalid(path.child(key), .int(value), "must be greater than or equal to 1"))
            }
        }
        if mustHaveSuccessThresholdOne, let threshold = probe["successThreshold"]?.intValue, threshold != 1 {
            add(FieldError.invalid(path.child("successThreshold"), .int(threshold), "must be 1"))
        }
        positive(probe["terminationGracePeriodSeconds"], path.child("terminationGracePeriodSeconds"))
    }

    mutating func validateHandler(_ handler: JSONValue, _ path: FieldPath, handlers: [String]) {
        let present = handlers.filter { handler[$0] != nil && handler[$0] != .null }
        if present.isEmpty {
            add(FieldError.required(path, "must specify a handler type"))
            return
        }
        if present.count > 1 {
            add(FieldError.forbidden(path.child(present[1]), "may not specify more than 1 handler type"))
        }
        if let exec = handler["exec"], exec != .null, (exec["command"]?.arrayValue ?? []).isEmpty {
            add(FieldError.required(path.child("exec", "command")))
        }
        if let get = handler["httpGet"], get != .null {
            portNumberOrName(get["port"], path.child("httpGet", "port"))
            supported(get["scheme"], path.child("httpGet", "scheme"), ["HTTP", "HTTPS"])
        }
        if let tcp = handler["tcpSocket"], tcp != .null {
            portNumberOrName(tcp["port"], path.child("tcpSocket", "port"))
        }
        if let grpc = handler["grpc"], grpc != .null {
            portNumberOrName(grpc["port"] ?? .int(0), path.child("grpc", "port"))
        }
        if let sleep = handler["sleep"], sleep != .null {
            nonNegative(sleep["seconds"], path.child("sleep", "seconds"))
        }
    }

    static let podUpdateMessage = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

    /// `ValidatePodUpdate`: only images, activeDeadlineSeconds, added tolerations, a negative
    /// grace period set to 1 and removed scheduling gates may change.
    mutating func validatePodSpecUpdate(_ spec: JSONValue, old: JSONValue) {
        var munged = spec
        for key in ["containers", "initContainers"] {
            guard var items = munged[key]?.arrayValue, let oldItems = old[key]?.arrayValue, items.count == oldItems.count else { continue }
            for i in items.indices { items[i]["image"] = oldItems[i]["image"] }
            munged[key] = .array(items)
        }
        let oldDeadline = old["activeDeadlineSeconds"]?.intValue
        if let newDeadline = spec["activeDeadlineSeconds"]?.intValue {
            if let oldDeadline, newDeadline > oldDeadline {
                add(FieldError.invalid(FieldPath("spec.activeDeadlineSeconds"), .int(newDeadline), "must be less than or equal to previous value"))
            }
            munged["activeDeadlineSeconds"] = old["activeDeadlineSeconds"]
        } else if oldDeadline != nil {
            add(FieldError.invalid(FieldPath("spec.activeDeadlineSeconds"), nil, "must not update from a positive integer to nil value"))
        }
        let oldTolerations = old["tolerations"]?.arrayValue ?? []
        let newTolerations = spec["tolerations"]?.arrayValue ?? []
        if oldTolerations.allSatisfy({ newTolerations.contains($0) }) {
            munged["tolerations"] = old["tolerations"]
        }
        if let oldGrace = old["terminationGracePeriodSeconds"]?.intValue, oldGrace < 0,
           spec["terminationGracePeriodSeconds"]?.intValue == 1 {
            munged["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"]
        }
        let oldGates = old["schedulingGates"]?.arrayValue ?? []
        let newGates = spec["schedulingGates"]?.arrayValue ?? []
        if newGates.allSatisfy({ oldGates.contains($0) }) {
            munged["schedulingGates"] = old["schedulingGates"]
        }
        // nodeName may be set once (binding); it is the binding's job, not an update's.
        if munged != old {
            add(FieldError.forbidden(FieldPath("spec"), Self.podUpdateMessage + "\n" + Self.changedPaths(old, munged)))
        }
    }

    /// The paths at which two JSON documents differ, as a short diff for error messages.
    static func changedPaths(_ old: JSONValue, _ new: JSONValue, _ path: FieldPath = FieldPath("spec")) -> String {
        var lines: [String] = []
        func walk(_ a: JSONValue?, _ b: JSONValue?, _ p: FieldPath) {
            if a == b { return }
            if case .object(let x)? = a, case .object(let y)? = b {
                for key in Set(x.keys).union(y.keys).sorted() { walk(x[key], y[key], p.child(key)) }
            } else if case .array(let x)? = a, case .array(let y)? = b, x.count == y.count {
                for i in x.indices { walk(x[i], y[i], p.index(i)) }
            } else {
                lines.append("  \(p): \(FieldError.render(a)) -> \(FieldError.render(b))")
            }
        }
        walk(old, new, path)
        return lines.prefix(10).joined(separator: "\n")
    }
}
