import Foundation

/// The per-kind printers of k8s.io/kubernetes/pkg/printers/internalversion, on the JSON form.
struct Printer {
    let object: JSONValue
    let now: Date

    func value(_ path: String...) -> JSONValue? { object[path: path] }
    func string(_ path: String...) -> String? { object[path: path]?.stringValue }
    func array(_ path: String...) -> [JSONValue] { object[path: path]?.arrayValue ?? [] }
    func map(_ path: String...) -> [String: JSONValue] { object[path: path]?.objectValue ?? [:] }

    var name: String { string("metadata", "name") ?? "" }
    var age: JSONValue { .string(Age.since(string("metadata", "creationTimestamp"), now: now)) }
    var deleting: Bool {
        if let stamp = value("metadata", "deletionTimestamp"), stamp != .null { return true }
        return false
    }

    // MARK: pods

    func pod() -> [JSONValue] {
        let initContainers = array("spec", "initContainers")
        func isRestartableInit(_ name: String?) -> Bool {
            initContainers.first { $0["name"]?.stringValue == name }?["restartPolicy"]?.stringValue == "Always"
        }
        var restarts: Int64 = 0
        var restartableInitRestarts: Int64 = 0
        var totalContainers = array("spec", "containers").count
        var readyContainers = 0
        var lastRestart: Date?
        var lastRestartableInitRestart: Date?
        let phase = string("status", "phase") ?? ""
        var reason = phase
        if let statusReason = string("status", "reason"), !statusReason.isEmpty { reason = statusReason }
        let conditions = array("status", "conditions")
        for condition in conditions where condition["type"]?.stringValue == "PodScheduled"
            && condition["reason"]?.stringValue == "SchedulingGated" {
            reason = "SchedulingGated"
        }
        for container in initContainers where container["restartPolicy"]?.stringValue == "Always" {
            totalContainers += 1
        }

        func later(_ current: Date?, _ candidate: JSONValue?) -> Date? {
            guard let text = candidate?.stringValue, let date = Age.parseTimestamp(text) else { return current }
            guard let current else { return date }
            return date > current ? date : current
        }

        var initializing = false
        let initStatuses = array("status", "initContainerStatuses")
        for (index, status) in initStatuses.enumerated() {
            let count = status["restartCount"]?.intValue ?? 0
            restarts += count
            let finishedAt = status[path: ["lastState", "terminated", "finishedAt"]]
            lastRestart = later(lastRestart, finishedAt)
            let restartable = isRestartableInit(status["name"]?.stringValue)
            if restartable {
                restartableInitRestarts += count
                lastRestartableInitRestart = later(lastRestartableInitRestart, finishedAt)
            }
            let terminated = status[path: ["state", "terminated"]]?.objectValue
            let waiting = status[path: ["state", "waiting"]]?.objectValue
            if let terminated, (terminated["exitCode"]?.intValue ?? 0) == 0 {
                continue
            } else if restartable, status["started"]?.boolValue == true {
                if status["ready"]?.boolValue == true { readyContainers += 1 }
                continue
            } else if let terminated {
                if let why = terminated["reason"]?.stringValue, !why.isEmpty {
                    reason = "Init:" + why
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
                initializing = true
            } else if let why = waiting?["reason"]?.stringValue, !why.isEmpty, why != "PodInitializing" {
                reason = "Init:" + why
                initializing = true
            } else {
                reason = "Init:\(index)/\(initContainers.count)"
                initializing = true
            }
            break
        }

        let initializedTrue = conditions.contains {
            $0["type"]?.stringValue == "Initialized" && $0["status"]?.stringValue == "True"
        }
        if !initializing || initializedTrue {
            restarts = restartableInitRestarts
            lastRestart = lastRestartableInitRestart
            var hasRunning = false
            for status in array("status", "containerStatuses").reversed() {
                restarts += status["restartCount"]?.intValue ?? 0
                lastRestart = later(lastRestart, status[path: ["lastState", "terminated", "finishedAt"]])
                let waiting = status[path: ["state", "waiting"]]?.objectValue
                let terminated = status[path: ["state", "terminated"]]?.objectValue
                if let why = waiting?["reason"]?.stringValue, !why.isEmpty {
                    reason = why
                } else if let why = terminated?["reason"]?.stringValue, !why.isEmpty {
                    reason = why
                } else if let terminated {
                    if let signal = terminated["signal"]?.intValue, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if status["ready"]?.boolValue == true, status[path: ["state", "running"]]?.objectValue != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed", hasRunning {
                let ready = conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }

        if deleting, string("status", "reason") == "NodeLost" {
            reason = "Unknown"
        } else if deleting, phase != "Succeeded", phase != "Failed" {
            reason = "Terminating"
        }

        var restartsText = "\(restarts)"
        if restarts != 0, let lastRestart {
            restartsText = "\(restarts) (\(Age.format(now.timeIntervalSince(lastRestart))) ago)"
        }

        var podIP = array("status", "podIPs").first?["ip"]?.stringValue ?? ""
        if podIP.isEmpty { podIP = "<none>" }
        var nodeName = string("spec", "nodeName") ?? ""
        if nodeName.isEmpty { nodeName = "<none>" }
        var nominated = string("status", "nominatedNodeName") ?? ""
        if nominated.isEmpty { nominated = "<none>" }
        var readinessGates = "<none>"
        let gates = array("spec", "readinessGates")
        if !gates.isEmpty {
            var trueConditions = 0
            for gate in gates {
                let type = gate["conditionType"]?.stringValue
                if let condition = conditions.first(where: { $0["type"]?.stringValue == type }),
                   condition["status"]?.stringValue == "True" {
                    trueConditions += 1
                }
            }
            readinessGates = "\(trueConditions)/\(gates.count)"
        }
        return [
            .string(name), .string("\(readyContainers)/\(totalContainers)"), .string(reason), .string(restartsText), age,
            .string(podIP), .string(nodeName), .string(nominated), .string(readinessGates),
        ]
    }

    // MARK: workloads

    static func containerCells(_ containers: [JSONValue]) -> (names: String, images: String) {
        (containers.map { $0["name"]?.stringValue ?? "" }.joined(separator: ","),
         containers.map { $0["image"]?.stringValue ?? "" }.joined(separator: ","))
    }

    func statefulSet() -> [JSONValue] {
        let desired = value("spec", "replicas")?.intValue ?? 0
        let ready = value("status", "readyReplicas")?.intValue ?? 0
        let (names, images) = Self.containerCells(array("spec", "template", "spec", "containers"))
        return [.string(name), .string("\(ready)/\(desired)"), age, .string(names), .string(images)]
    }

    func controllerRevision() -> [JSONValue] {
        var controller = "<none>"
        if let ref = array("metadata", "ownerReferences").first(where: { $0["controller"]?.boolValue == true }) {
            let apiVersion = ref["apiVersion"]?.stringValue ?? ""
            let group = apiVersion.contains("/") ? String(apiVersion[..<apiVersion.firstIndex(of: "/")!]) : ""
            let kind = ref["kind"]?.stringValue ?? ""
            let refName = ref["name"]?.stringValue ?? ""
            if kind.isEmpty && group.isEmpty {
                controller = refName
            } else {
                controller = (group.isEmpty ? kind : "\(kind).\(group)").lowercased() + "/" + refName
            }
        }
        return [.string(name), .string(controller), .int(value("revision")?.intValue ?? 0), age]
    }

    func scale() -> [JSONValue] {
        [.string(name), .int(value("spec", "replicas")?.intValue ?? 0), .int(value("status", "replicas")?.intValue ?? 0), age]
    }

    // MARK: services and endpoints

    static func formatLabels(_ labels: [String: JSONValue]) -> String {
        if labels.isEmpty { return "<none>" }
        return labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    func service() -> [JSONValue] {
        let type = string("spec", "type") ?? ""
        var clusterIP = array("spec", "clusterIPs").first?.stringValue ?? string("spec", "clusterIP") ?? ""
        if clusterIP.isEmpty { clusterIP = "<none>" }
        let externalIPs = array("spec", "externalIPs").compactMap(\.stringValue)
        let externalIP: String
        switch type {
        case "ClusterIP", "NodePort":
            externalIP = externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            var ingress: [String] = []
            for entry in array("status", "loadBalancer", "ingress") {
                if let ip = entry["ip"]?.stringValue, !ip.isEmpty { ingress.append(ip) }
                else if let host = entry["hostname"]?.stringValue, !host.isEmpty { ingress.append(host) }
            }
            let lb = Array(Set(ingress)).sorted()
            if !externalIPs.isEmpty {
                externalIP = (lb + externalIPs).joined(separator: ",")
            } else {
                externalIP = lb.isEmpty ? "<pending>" : lb.joined(separator: ",")
            }
        case "ExternalName":
            externalIP = string("spec", "externalName") ?? ""
        default:
            externalIP = "<unknown>"
        }
        var ports = array("spec", "ports").map { port -> String in
            let number = port["port"]?.intValue ?? 0
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.intValue, nodePort > 0 { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
        if ports.isEmpty { ports = "<none>" }
        return [.string(name), .string(type), .string(clusterIP), .string(externalIP), .string(ports), age,
                .string(Self.formatLabels(map("spec", "selector")))]
    }

    static func hostPort(_ host: String, _ port: Int64) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func endpoints() -> [JSONValue] {
        let subsets = array("subsets")
        guard !subsets.isEmpty else { return [.string(name), .string("<none>"), age] }
        var list: [String] = []
        let max = 3
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = subset["addresses"]?.arrayValue ?? []
            let ports = subset["ports"]?.arrayValue ?? []
            if ports.isEmpty {
                count += addresses.count
                for address in addresses {
                    if list.count == max { more = true; break }
                    list.append(address["ip"]?.stringValue ?? "")
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for address in addresses {
                    if list.count == max { more = true; break }
                    list.append(Self.hostPort(address["ip"]?.stringValue ?? "", port["port"]?.intValue ?? 0))
                }
            }
        }
        var text = list.joined(separator: ",")
        if more { text += " + \(count - max) more..." }
        return [.string(name), .string(text), age]
    }

    static func listWithMore(_ list: [String], more: Bool, count: Int, max: Int) -> String {
        let text = list.joined(separator: ",")
        if more { return "\(text) + \(count - max) more..." }
        return text.isEmpty ? "<unset>" : text
    }

    func endpointSlice() -> [JSONValue] {
        let max = 3
        var ports: [String] = []
        var morePorts = false
        var portCount = 0
        for port in array("ports") {
            if ports.count < max {
                if let number = port["port"]?.intValue { ports.append("\(number)") }
                else if let portName = port["name"]?.stringValue { ports.append(portName) }
                else { ports.append("*") }
            } else if ports.count == max {
                morePorts = true
            }
            portCount += 1
        }
        var addresses: [String] = []
        var moreAddresses = false
        var addressCount = 0
        for endpoint in array("endpoints") {
            for address in endpoint["addresses"]?.arrayValue ?? [] {
                if addresses.count < max { addresses.append(address.stringValue ?? "") }
                else if addresses.count == max { moreAddresses = true }
                addressCount += 1
            }
        }
        return [.string(name), .string(string("addressType") ?? ""),
                .string(Self.listWithMore(ports, more: morePorts, count: portCount, max: max)),
                .string(Self.listWithMore(addresses, more: moreAddresses, count: addressCount, max: max)), age]
    }

    // MARK: storage

    static func accessModes(_ modes: [JSONValue]) -> String {
        let set = Set(modes.compactMap(\.stringValue))
        var result: [String] = []
        if set.contains("ReadWriteOnce") { result.append("RWO") }
        if set.contains("ReadOnlyMany") { result.append("ROX") }
        if set.contains("ReadWriteMany") { result.append("RWX") }
        if set.contains("ReadWriteOncePod") { result.append("RWOP") }
        return result.joined(separator: ",")
    }

    func persistentVolume() -> [JSONValue] {
        var claim = ""
        if let ref = value("spec", "claimRef")?.objectValue {
            claim = (ref["namespace"]?.stringValue ?? "") + "/" + (ref["name"]?.stringValue ?? "")
        }
        let capacity = Quantities.display(value("spec", "capacity", "storage"))
        var phase = string("status", "phase") ?? ""
        if deleting { phase = "Terminating" }
        let storageClass = string("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            ?? string("spec", "storageClassName") ?? ""
        return [
            .string(name), .string(capacity), .string(Self.accessModes(array("spec", "accessModes"))),
            .string(string("spec", "persistentVolumeReclaimPolicy") ?? ""), .string(phase), .string(claim),
            .string(storageClass), .string(string("spec", "volumeAttributesClassName") ?? "<unset>"),
            .string(string("status", "reason") ?? ""), age, .string(string("spec", "volumeMode") ?? "<unset>"),
        ]
    }

    func persistentVolumeClaim() -> [JSONValue] {
        var phase = string("status", "phase") ?? ""
        if deleting { phase = "Terminating" }
        var capacity = ""
        var accessModes = ""
        if let volumeName = string("spec", "volumeName"), !volumeName.isEmpty {
            accessModes = Self.accessModes(array("status", "accessModes"))
            capacity = Quantities.display(value("status", "capacity", "storage"))
        }
        let storageClass = string("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            ?? string("spec", "storageClassName") ?? ""
        return [
            .string(name), .string(phase), .string(string("spec", "volumeName") ?? ""), .string(capacity),
            .string(accessModes), .string(storageClass),
            .string(string("spec", "volumeAttributesClassName") ?? "<unset>"), age,
            .string(string("spec", "volumeMode") ?? "<unset>"),
        ]
    }

    func storageClass() -> [JSONValue] {
        var shown = name
        let annotations = map("metadata", "annotations")
        if annotations["storageclass.kubernetes.io/is-default-class"]?.stringValue == "true"
            || annotations["storageclass.beta.kubernetes.io/is-default-class"]?.stringValue == "true" {
            shown += " (default)"
        }
        return [
            .string(shown), .string(string("provisioner") ?? ""), .string(string("reclaimPolicy") ?? "Delete"),
            .string(string("volumeBindingMode") ?? "Immediate"), .bool(value("allowVolumeExpansion")?.boolValue ?? false), age,
        ]
    }

    // MARK: cluster

    func node() -> [JSONValue] {
        var status: [String] = []
        if let ready = array("status", "conditions").last(where: { $0["type"]?.stringValue == "Ready" }) {
            status.append(ready["status"]?.stringValue == "True" ? "Ready" : "NotReady")
        }
        if status.isEmpty { status.append("Unknown") }
        if value("spec", "unschedulable")?.boolValue == true { status.append("SchedulingDisabled") }
        var roles = Set<String>()
        for (key, labelValue) in map("metadata", "labels") {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", let role = labelValue.stringValue, !role.isEmpty {
                roles.insert(role)
            }
        }
        let addresses = array("status", "addresses")
        func address(_ type: String) -> String {
            addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
        }
        func info(_ key: String) -> String {
            let text = string("status", "nodeInfo", key) ?? ""
            return text.isEmpty ? "<unknown>" : text
        }
        return [
            .string(name), .string(status.joined(separator: ",")),
            .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")), age,
            .string(string("status", "nodeInfo", "kubeletVersion") ?? ""),
            .string(address("InternalIP")), .string(address("ExternalIP")),
            .string(info("osImage")), .string(info("kernelVersion")), .string(info("containerRuntimeVersion")),
        ]
    }

    func namespace() -> [JSONValue] {
        [.string(name), .string(string("status", "phase") ?? ""), age]
    }

    func event() -> [JSONValue] {
        func since(_ text: String?) -> String {
            guard let text, !text.isEmpty else { return "<unknown>" }
            return Age.since(text, now: now)
        }
        var firstSeen = since(string("firstTimestamp"))
        if (string("firstTimestamp") ?? "").isEmpty { firstSeen = since(string("eventTime")) }
        var lastSeen = since(string("lastTimestamp"))
        if (string("lastTimestamp") ?? "").isEmpty { lastSeen = firstSeen }
        var count = value("count")?.intValue ?? 0
        if let series = value("series")?.objectValue {
            lastSeen = since(series["lastObservedTime"]?.stringValue)
            count = series["count"]?.intValue ?? 0
        } else if count == 0 {
            count = 1
        }
        let kind = (string("involvedObject", "kind") ?? "").lowercased()
        let objectName = string("involvedObject", "name") ?? ""
        let target = objectName.isEmpty ? kind : "\(kind)/\(objectName)"
        let component = [string("source", "component"), string("reportingComponent")].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let host = [string("source", "host"), string("reportingInstance")].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let source = host.isEmpty ? component : "\(component), \(host)"
        let message = (string("message") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return [
            .string(lastSeen), .string(string("type") ?? ""), .string(string("reason") ?? ""), .string(target),
            .string(string("involvedObject", "fieldPath") ?? ""), .string(source), .string(message),
            .string(firstSeen), .int(count), .string(name),
        ]
    }

    func configMap() -> [JSONValue] {
        [.string(name), .int(Int64(map("data").count + map("binaryData").count)), age]
    }

    func secret() -> [JSONValue] {
        [.string(name), .string(string("type") ?? ""), .int(Int64(map("data").count)), age]
    }

    func lease() -> [JSONValue] {
        [.string(name), .string(string("spec", "holderIdentity") ?? ""), age]
    }
}

/// Display of resource quantities in tables.
enum Quantities {
    /// The quantity in canonical form (`1024Mi` → `1Gi`), as Go's `Quantity.String()`; "0"
    /// when absent (a zero Quantity).
    static func display(_ value: JSONValue?) -> String {
        if let value, let quantity = try? Quantity(value) { return quantity.description }
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return "\(number)"
        case .double(let number)?: return "\(number)"
        default: return "0"
        }
    }
}
