import Kubelet

/// The proxy's nftables table for a plan, as one `nft -f` script that replaces the table whole in a
/// single transaction (no moment without rules, no rule from an earlier plan left behind):
///
/// - `nat-prerouting` (pods, other hosts) and `nat-output` (the node) jump to `services`, which
///   looks up `daddr . l4proto . dport` in the `service-ips` verdict map, and `l4proto . dport`
///   in `service-nodeports` for the `nodeport-ips`, and goes to the port's chain; that chain
///   DNATs to its endpoints, `numgen inc` round robin (no session affinity).
/// - `nat-postrouting` masquerades DNAT'd traffic that leaves through the bridge to the bridge's
///   address: replies from a backend on the same bridge would otherwise be bridged straight to the
///   client, past conntrack (that needs br_netfilter, a host-wide module we do not load).
/// - `raw-prerouting` and `raw-output` exempt traffic to and from the ClusterIPs the node serves
///   itself (kube-dns's 10.96.0.10) from conntrack: nothing NATs it, and untracked DNS cannot
///   hit the conntrack race of parallel A/AAAA queries from one socket (the 5 s lookups that
///   NodeLocal DNSCache's NOTRACK rules exist for), nor fill the table.
/// - `filter-forward` and `filter-output` reject what is still addressed to a ClusterIP after
///   DNAT (a port without ready endpoints, or a port the Service lacks) with ICMP port unreachable,
///   which TCP clients see as "connection refused"; forwarding into or out of the bridge from any
///   other interface is dropped unless it is DNAT'd Service traffic (a NodePort from another host,
///   when the host forwards), so pods reach each other, Services and the node, and nothing else.
public struct ServiceProxyRuleset: Sendable, Equatable {
    public var configuration: ServiceProxyConfiguration
    public var plan: [ServicePortProxy]

    public init(plan: [ServicePortProxy], configuration: ServiceProxyConfiguration) {
        self.plan = plan
        self.configuration = configuration
    }

    /// Every proxied ClusterIP (with or without endpoints), sorted.
    public var clusterIPs: [IPv4Address] { Set(plan.map(\.clusterIP)).sorted() }

    /// The script for `nft -f -`.
    public var script: String {
        let table = configuration.tableName
        let bridge = quoted(configuration.bridgeName)
        let served = plan.filter { !$0.endpoints.isEmpty }
        var lines = [
            "table ip \(table)",
            "delete table ip \(table)",
            "table ip \(table) {",
            "\tcomment \"minikube-swift Services: ClusterIP DNAT to ready endpoints\"",
            "\tset cluster-ips {",
            "\t\ttype ipv4_addr",
        ]
        lines += elements(clusterIPs.map(\.description))
        lines += [
            "\t}",
            "\tmap service-ips {",
            "\t\ttype ipv4_addr . inet_proto . inet_service : verdict",
        ]
        lines += elements(served.map { "\($0.clusterIP) . \($0.protocol.rawValue) . \($0.port) : goto \($0.chainName)" })
        lines += [
            "\t}",
            "\tset local-ips {",
            "\t\ttype ipv4_addr",
        ]
        lines += elements(configuration.localAddresses.sorted().map(\.description))
        lines += [
            "\t}",
            "\tset nodeport-ips {",
            "\t\ttype ipv4_addr",
        ]
        lines += elements(configuration.nodePortAddresses.map(\.description))
        lines += [
            "\t}",
            "\tmap service-nodeports {",
            "\t\ttype inet_proto . inet_service : verdict",
        ]
        lines += elements(served.compactMap { port in
            port.nodePort.map { "\(port.protocol.rawValue) . \($0) : goto \(port.chainName)" }
        })
        lines += [
            "\t}",
            "\tchain services {",
            "\t\tip daddr . meta l4proto . th dport vmap @service-ips",
            "\t\tip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports",
            "\t}",
            "\tchain raw-prerouting {",
            "\t\ttype filter hook prerouting priority raw; policy accept;",
            "\t\tip daddr @local-ips notrack",
            "\t}",
            "\tchain raw-output {",
            "\t\ttype filter hook output priority raw; policy accept;",
            "\t\tip daddr @local-ips notrack",
            "\t\tip saddr @local-ips notrack",
            "\t}",
            "\tchain nat-prerouting {",
            "\t\ttype nat hook prerouting priority dstnat; policy accept;",
            "\t\tjump services",
            "\t}",
            "\tchain nat-output {",
            "\t\ttype nat hook output priority -100; policy accept;",
            "\t\tjump services",
            "\t}",
            "\tchain nat-postrouting {",
            "\t\ttype nat hook postrouting priority srcnat; policy accept;",
            "\t\tct status dnat oifname \(bridge) masquerade",
            "\t}",
            "\tchain filter-forward {",
            "\t\ttype filter hook forward priority filter; policy accept;",
            "\t\tip daddr @cluster-ips reject",
            "\t\tct status dnat accept",
            "\t\tiifname \(bridge) oifname != \(bridge) drop",
            "\t\toifname \(bridge) iifname != \(bridge) drop",
            "\t}",
            "\tchain filter-output {",
            "\t\ttype filter hook output priority filter; policy accept;",
            "\t\tip daddr @cluster-ips reject",
            "\t}",
        ]
        for port in served {
            lines.append("\tchain \(port.chainName) {")
            let proto = "meta l4proto \(port.protocol.rawValue)"
            if port.endpoints.count == 1, let only = port.endpoints.first {
                lines.append("\t\t\(proto) dnat to \(only)")
            } else {
                let map = port.endpoints.enumerated().map { "\($0.offset) : \($0.element.address) . \($0.element.port)" }
                lines.append("\t\t\(proto) dnat to numgen inc mod \(port.endpoints.count) map { \(map.joined(separator: ", ")) }")
            }
            lines.append("\t}")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script that removes the table (and nothing else).
    public var deletion: String {
        "table ip \(configuration.tableName)\ndelete table ip \(configuration.tableName)\n"
    }

    private func elements(_ items: [String]) -> [String] {
        items.isEmpty ? [] : ["\t\telements = { \(items.joined(separator: ", ")) }"]
    }

    private func quoted(_ name: String) -> String { "\"\(name)\"" }
}
