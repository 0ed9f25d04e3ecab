import KubeClient
import KubeModel

/// Service node ports from 30000–32767 (`--service-node-port-range`), as kube-apiserver
/// allocates them: every port of a NodePort Service (and of a LoadBalancer one, unless
/// `allocateLoadBalancerNodePorts` is false) gets one; a requested one must be in the range and
/// free. An update keeps the ports a Service has (a port that leaves `nodePort` out keeps the one
/// of the same port and protocol); a change to ClusterIP drops them. A port is free again once
/// its Service is gone. Callers hold the Service allocation lock (`ClusterIPAllocator.lock`).
struct NodePortAllocator: Sendable {
    let range: ClosedRange<Int> = 30000...32767

    /// Sets `spec.ports[*].nodePort` of a Service being created (`old` nil) or updated, given the
    /// ports other Services hold. Throws 422 Invalid for a port outside the range or taken.
    func assign(_ service: inout JSONValue, old: JSONValue?, used: Set<Int>) throws {
        guard var spec = service["spec"]?.objectValue, var ports = spec["ports"]?.arrayValue else { return }
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        let wanted = type == "NodePort" || (type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.boolValue != false)
        let oldPorts = old?[path: ["spec", "ports"]]?.arrayValue ?? []
        let oldType = old?[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        func key(_ port: JSONValue) -> String { "\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "TCP")" }
        func nodePort(_ port: JSONValue) -> Int { Int(port["nodePort"]?.intValue ?? 0) }
        let kept = Dictionary(oldPorts.compactMap { port in nodePort(port) == 0 ? nil : (key(port), nodePort(port)) },
                              uniquingKeysWith: { first, _ in first })
        guard wanted else {
            // Leaving NodePort: the ports it was given go with it (ones the client set stay, and
            // validation names them).
            if oldType == "NodePort" || oldType == "LoadBalancer" {
                for i in ports.indices where nodePort(ports[i]) == kept[key(ports[i])] {
                    ports[i]["nodePort"] = nil
                }
                spec["ports"] = .array(ports)
                service["spec"] = .object(spec)
            }
            return
        }
        let name = service[path: ["metadata", "name"]]?.stringValue ?? ""
        var taken = used
        // A port number may serve one protocol of each port of this Service (53/UDP and 53/TCP
        // on one node port), never another Service.
        var own: [Int: Set<String>] = [:]
        // Requested and kept ones first, so a new one never takes a port asked for further down.
        for i in ports.indices {
            let requested = nodePort(ports[i])
            guard requested != 0 || kept[key(ports[i])] != nil else { continue }
            let number = requested != 0 ? requested : kept[key(ports[i]), default: 0]
            guard range.contains(number) else {
                throw invalid(name, i, number, "provided port is not in the valid range. The range of valid ports is \(range.lowerBound)-\(range.upperBound)")
            }
            let proto = ports[i]["protocol"]?.stringValue ?? "TCP"
            guard !used.contains(number), own[number, default: []].insert(proto).inserted else {
                throw invalid(name, i, number, "provided port is already allocated")
            }
            taken.insert(number)
            ports[i]["nodePort"] = .int(Int64(number))
        }
        for i in ports.indices where nodePort(ports[i]) == 0 {
            guard taken.count < range.count else {
                throw KubeAPIError(code: 500, reason: "InternalError",
                                   message: "Internal error occurred: failed to allocate a nodePort: range is full")
            }
            var candidate = Int.random(in: range)
            while taken.contains(candidate) { candidate = candidate == range.upperBound ? range.lowerBound : candidate + 1 }
            taken.insert(candidate)
            ports[i]["nodePort"] = .int(Int64(candidate))
        }
        spec["ports"] = .array(ports)
        service["spec"] = .object(spec)
    }

    func invalid(_ name: String, _ index: Int, _ port: Int, _ message: String) -> KubeAPIError {
        KubeAPIError.invalid(kind: "Service", group: "", name: name, causes: [
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(port): \(message)", field: "spec.ports[\(index)].nodePort"),
        ])
    }
}

extension Registry {
    /// The node ports every Service but `except` (`namespace/name`) holds now.
    func usedNodePorts(except: String? = nil) -> Set<Int> {
        var used: Set<Int> = []
        for stored in store.list(resource: "services", namespace: nil).objects {
            let object = stored.object
            let key = "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(object[path: ["metadata", "name"]]?.stringValue ?? "")"
            guard key != except else { continue }
            for port in object[path: ["spec", "ports"]]?.arrayValue ?? [] {
                if let number = port["nodePort"]?.intValue, number != 0 { used.insert(Int(number)) }
            }
        }
        return used
    }
}
