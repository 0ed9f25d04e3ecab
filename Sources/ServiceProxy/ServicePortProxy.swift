import Controllers
import KubeModel
import Kubelet

/// One port of one Service as the proxy serves it: traffic to `clusterIP:port` over `protocol`
/// goes to one of `endpoints`, round robin.
public struct ServicePortProxy: Sendable, Hashable {
    /// `namespace/name`.
    public var service: String
    /// The Service port's name; empty for the single unnamed port.
    public var portName: String
    public var clusterIP: IPv4Address
    public var `protocol`: TransportProtocol
    public var port: Int
    /// The node port of a NodePort (or LoadBalancer) Service's port.
    public var nodePort: Int?
    /// Ready endpoints, sorted: the pod's address and the port its container listens on (a named
    /// `targetPort` is resolved per pod by the EndpointSlice controller).
    public var endpoints: [Destination]

    public struct Destination: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var address: IPv4Address
        public var port: Int

        public init(address: IPv4Address, port: Int) {
            self.address = address
            self.port = port
        }

        public var description: String { "\(address):\(port)" }

        public static func < (a: Destination, b: Destination) -> Bool {
            (a.address, a.port) < (b.address, b.port)
        }
    }

    /// A Service port's `protocol`, as nftables spells it.
    public enum TransportProtocol: String, Sendable, Hashable, Comparable {
        case tcp, udp, sctp

        /// `TCP` (the default when unset), `UDP`, `SCTP`; nil for anything else.
        public init?(kubernetes name: String?) {
            self.init(rawValue: (name ?? "TCP").lowercased())
        }

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public init(service: String, portName: String, clusterIP: IPv4Address, protocol: TransportProtocol,
                port: Int, nodePort: Int? = nil, endpoints: [Destination]) {
        self.service = service
        self.portName = portName
        self.clusterIP = clusterIP
        self.protocol = `protocol`
        self.port = port
        self.nodePort = nodePort
        self.endpoints = endpoints
    }

    /// The proxied ports of every Service with a ClusterIP (not headless, not ExternalName, not one
    /// of `local`), each with the ready endpoints of the Service's IPv4 EndpointSlices that carry
    /// a port of the same name and protocol. Sorted by ClusterIP, protocol and port.
    public static func plan(services: [Service], slices: [EndpointSlice],
                            local: Set<IPv4Address> = []) -> [ServicePortProxy] {
        var slicesByService: [String: [EndpointSlice]] = [:]
        for slice in slices where slice.addressType == "IPv4" {
            guard let name = slice.metadata.labels?[EndpointsController.serviceNameLabel],
                  let namespace = slice.metadata.namespace else { continue }
            slicesByService["\(namespace)/\(name)", default: []].append(slice)
        }
        var plan: [ServicePortProxy] = []
        for service in services {
            guard let spec = service.spec, spec.type != "ExternalName",
                  let text = spec.clusterIP, let clusterIP = IPv4Address(text), !local.contains(clusterIP)
            else { continue }
            let key = service.key
            for servicePort in spec.ports ?? [] {
                guard let proto = TransportProtocol(kubernetes: servicePort.protocol) else { continue }
                let name = servicePort.name ?? ""
                var endpoints = Set<Destination>()
                for slice in slicesByService[key] ?? [] {
                    guard let slicePort = slice.ports?.first(where: {
                        ($0.name ?? "") == name && TransportProtocol(kubernetes: $0.protocol) == proto
                    }), let port = slicePort.port else { continue }
                    for endpoint in slice.endpoints where endpoint.conditions?.ready ?? true {
                        guard let first = endpoint.addresses.first, let address = IPv4Address(first) else { continue }
                        endpoints.insert(Destination(address: address, port: Int(port)))
                    }
                }
                let nodePort = spec.type == "NodePort" || spec.type == "LoadBalancer" ? servicePort.nodePort.map(Int.init) : nil
                plan.append(ServicePortProxy(service: key, portName: name, clusterIP: clusterIP, protocol: proto,
                                             port: Int(servicePort.port), nodePort: nodePort == 0 ? nil : nodePort,
                                             endpoints: endpoints.sorted()))
            }
        }
        return plan.sorted { ($0.clusterIP, $0.protocol, $0.port) < ($1.clusterIP, $1.protocol, $1.port) }
    }

    /// The UDP endpoints that `old` sent to and `new` no longer does, per ClusterIP (and node
    /// port): the flows whose conntrack entries must go.
    public static func removedUDPEndpoints(from old: [ServicePortProxy], to new: [ServicePortProxy])
        -> [(clusterIP: IPv4Address, nodePort: Int?, endpoint: IPv4Address)] {
        let current = Dictionary(new.filter { $0.protocol == .udp }.map { ("\($0.clusterIP):\($0.port)", $0) },
                                 uniquingKeysWith: { first, _ in first })
        var removed: [(clusterIP: IPv4Address, nodePort: Int?, endpoint: IPv4Address)] = []
        for port in old where port.protocol == .udp {
            let kept = Set(current["\(port.clusterIP):\(port.port)"]?.endpoints.map(\.address) ?? [])
            for address in Set(port.endpoints.map(\.address)).subtracting(kept).sorted() {
                removed.append((port.clusterIP, port.nodePort, address))
            }
        }
        return removed
    }

    /// The per-port chain: `service-default/web/tcp/http` (`…/tcp/80` for an unnamed port).
    public var chainName: String {
        "service-\(service)/\(`protocol`.rawValue)/\(portName.isEmpty ? String(port) : portName)"
    }
}
