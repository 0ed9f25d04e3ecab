import Foundation

/// The node's pod network: its podCIDR on a bridge, the cluster-wide CIDRs that must never leave
/// through an uplink, where state lives and which network namespace plays the node.
public struct PodNetworkConfiguration: Sendable, Equatable {
    /// The kubelet's data dir; the network keeps its state in `<dataDir>/network`.
    public var dataDir: String
    /// The node's `spec.podCIDR`: pod IPs come from here, the bridge holds its first address.
    public var podCIDR: IPv4Network
    /// The whole cluster's pod network (`--cluster-cidr`), made unreachable on the node.
    public var clusterCIDR: IPv4Network
    /// The Service network (`--service-cluster-ip-range`), made unreachable on the node.
    public var serviceCIDR: IPv4Network
    public var bridgeName: String
    /// The named network namespace (`/run/netns/<name>`) that holds the bridge and the routes;
    /// nil means the kubelet's own. Tests point it at a namespace of their own.
    public var nodeNetns: String?
    /// Pod sandboxes are `/run/netns/<prefix><pod UID>`; the prefix tells ours from others'.
    public var netnsPrefix: String
    /// The `ip` program of iproute2.
    public var ipPath: String
    /// The cluster DNS Service's address (`kube-dns`), put on the bridge so pods and the node
    /// reach the node's DNS server there; nil: none.
    public var clusterDNS: IPv4Address?

    public init(dataDir: String,
                podCIDR: IPv4Network = IPv4Network(masking: IPv4Address(10, 244, 0, 0), prefixLength: 24),
                clusterCIDR: IPv4Network = IPv4Network(masking: IPv4Address(10, 244, 0, 0), prefixLength: 16),
                serviceCIDR: IPv4Network = IPv4Network(masking: IPv4Address(10, 96, 0, 0), prefixLength: 12),
                bridgeName: String = "cni0",
                nodeNetns: String? = nil,
                netnsPrefix: String = "mks-",
                ipPath: String = PodNetworkConfiguration.findIP(),
                clusterDNS: IPv4Address? = IPv4Address(10, 96, 0, 10)) {
        self.dataDir = dataDir
        self.podCIDR = podCIDR
        self.clusterCIDR = clusterCIDR
        self.serviceCIDR = serviceCIDR
        self.bridgeName = bridgeName
        self.nodeNetns = nodeNetns
        self.netnsPrefix = netnsPrefix
        self.ipPath = ipPath
        self.clusterDNS = clusterDNS
    }

    /// The bridge's address and every pod's default gateway: the podCIDR's first host.
    public var gateway: IPv4Address { podCIDR.firstHost }

    /// `<dataDir>/network`.
    public var stateDirectory: String { dataDir + "/network" }

    /// Where `ip netns` keeps named namespaces (iproute2's compiled-in `NETNS_RUN_DIR`).
    public static let netnsDirectory = "/run/netns"

    /// The first iproute2 `ip` on the usual paths (`/usr/sbin/ip` on Debian).
    public static func findIP() -> String {
        HostCommand.installed("ip") ?? "/usr/sbin/ip"
    }

    func validate() throws(PodNetworkError) {
        guard clusterCIDR.contains(podCIDR) else {
            throw .invalidConfiguration("podCIDR \(podCIDR) is not inside the cluster CIDR \(clusterCIDR)")
        }
        guard !serviceCIDR.contains(clusterCIDR.address), !clusterCIDR.contains(serviceCIDR.address) else {
            throw .invalidConfiguration("service CIDR \(serviceCIDR) overlaps the cluster CIDR \(clusterCIDR)")
        }
        guard Self.isInterfaceName(bridgeName) else {
            throw .invalidConfiguration("bridge name \(bridgeName.debugDescription) is not an interface name")
        }
        if let nodeNetns, !PodIdentity.isSafeName(nodeNetns) {
            throw .invalidConfiguration("node netns \(nodeNetns.debugDescription) is not a plain name")
        }
        guard netnsPrefix.isEmpty || PodIdentity.isSafeName(netnsPrefix) else {
            throw .invalidConfiguration("netns prefix \(netnsPrefix.debugDescription) is not a plain name")
        }
    }

    static func isInterfaceName(_ name: String) -> Bool {
        (1...15).contains(name.utf8.count) && PodIdentity.isSafeName(name)
    }
}

/// Which pod a sandbox belongs to.
public struct PodIdentity: Sendable, Hashable, Codable {
    public var namespace: String
    public var name: String
    /// `metadata.uid`: the key of everything the pod network keeps.
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// Letters, digits, `-`, `_`, `.`, not starting with `.` or `-`: safe as a file name and as an
    /// `ip` argument. Kubernetes UIDs (UUIDs) always are.
    static func isSafeName(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 200, first != UInt8(ascii: "."),
              first != UInt8(ascii: "-") else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
    }
}

/// A pod's network as set up: what the pod worker needs to start containers in it
/// (`ContainerSpec.Network.join(path: netnsPath)`) and to report `status.podIP`.
public struct PodNetworkStatus: Sendable, Equatable, Codable {
    public var pod: PodIdentity
    /// The sandbox's name under `/run/netns` (`ip netns exec <name>` works for debugging).
    public var netnsName: String
    /// The nsfs bind mount that `setns` opens.
    public var netnsPath: String
    public var ip: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address
    /// The pod side of the veth pair, inside the sandbox.
    public var interfaceName: String
    public var macAddress: String
    /// The node side of the veth pair, a port of `bridgeName`.
    public var hostInterfaceName: String
    public var bridgeName: String

    /// `10.244.0.5/24`.
    public var cidr: String { "\(ip)/\(prefixLength)" }
}
