import Kubelet

/// Where the Service proxy puts its rules and what it leaves alone.
public struct ServiceProxyConfiguration: Sendable, Equatable {
    /// The nftables table (`ip` family) the proxy owns: replaced whole on every sync, deleted on
    /// `cleanUp()`.
    public var tableName: String
    /// The pod bridge: DNAT'd traffic leaves through it, and only it forwards.
    public var bridgeName: String
    /// The bridge's address: the source of the node's own Service traffic (per-ClusterIP routes
    /// say `src`) and what backends see after masquerade.
    public var gateway: IPv4Address
    /// ClusterIPs the node serves itself (kube-dns's 10.96.0.10 is an address of the bridge with
    /// the DNS server behind it): no DNAT, no reject, no route.
    public var localAddresses: Set<IPv4Address>
    /// The node's addresses that serve NodePorts (`--nodeport-address`); none by default: a
    /// NodePort Service is reachable only where the user asked.
    public var nodePortAddresses: [IPv4Address]
    /// The named network namespace that plays the node (`PodNetworkConfiguration.nodeNetns`); nil:
    /// the proxy's own.
    public var nodeNetns: String?
    /// The `proto` of the node's `<ClusterIP>/32 dev <bridge>` routes, which tells them from others'.
    public var routeProtocol: Int
    public var nftPath: String
    public var ipPath: String
    public var sysctlPath: String
    /// conntrack-tools' `conntrack`, for UDP flows to endpoints that are gone.
    public var conntrackPath: String

    public init(tableName: String = "minikube-swift", bridgeName: String = "cni0",
                gateway: IPv4Address = IPv4Address(10, 244, 0, 1), localAddresses: Set<IPv4Address> = [],
                nodePortAddresses: [IPv4Address] = [], nodeNetns: String? = nil, routeProtocol: Int = 211,
                nftPath: String = ServiceProxyConfiguration.find("nft"),
                ipPath: String = PodNetworkConfiguration.findIP(),
                sysctlPath: String = ServiceProxyConfiguration.find("sysctl"),
                conntrackPath: String = ServiceProxyConfiguration.find("conntrack")) {
        self.tableName = tableName
        self.bridgeName = bridgeName
        self.gateway = gateway
        self.localAddresses = localAddresses
        self.nodePortAddresses = nodePortAddresses
        self.nodeNetns = nodeNetns
        self.routeProtocol = routeProtocol
        self.nftPath = nftPath
        self.ipPath = ipPath
        self.sysctlPath = sysctlPath
        self.conntrackPath = conntrackPath
    }

    /// The proxy for a node network: its bridge, gateway, namespace, and kube-dns's address as a
    /// local one.
    public init(network: PodNetworkConfiguration, nodePortAddresses: [IPv4Address] = []) {
        self.init(bridgeName: network.bridgeName, gateway: network.gateway,
                  localAddresses: Set([network.clusterDNS].compactMap { $0 }),
                  nodePortAddresses: nodePortAddresses, nodeNetns: network.nodeNetns, ipPath: network.ipPath)
    }

    /// The first `tool` installed, else where Debian puts it (the error then names that path).
    public static func find(_ tool: String) -> String {
        HostCommand.installed(tool) ?? "/usr/sbin/" + tool
    }

    /// `command` in the node's namespace: `ip netns exec <ns> …` when it is a named one.
    func inNode(_ executable: String, _ arguments: [String], stdin: String? = nil) -> HostCommand {
        guard let nodeNetns else { return HostCommand(executable, arguments, stdin: stdin) }
        return HostCommand(ipPath, ["netns", "exec", nodeNetns, executable] + arguments, stdin: stdin)
    }

    /// `ip [-n <ns>] …`.
    func ip(_ arguments: [String], stdin: String? = nil) -> HostCommand {
        HostCommand(ipPath, (nodeNetns.map { ["-n", $0] } ?? []) + arguments, stdin: stdin)
    }
}
