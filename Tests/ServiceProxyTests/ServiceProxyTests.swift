import Foundation
import KubeClient
import KubeModel
import Kubelet
import Synchronization
import Testing
import TestSupport
@testable import ServiceProxy

func object<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONValue(json: Data(json.utf8)).decode(T.self)
}

func service(_ name: String, clusterIP: String, ports: String, type: String = "ClusterIP") throws -> Service {
    try object(Service.self, """
        {"metadata": {"name": "\(name)", "namespace": "default"},
         "spec": {"type": "\(type)", "clusterIP": "\(clusterIP)", "ports": \(ports)}}
        """)
}

func slice(_ name: String, for service: String, ports: String, endpoints: String, addressType: String = "IPv4") throws -> EndpointSlice {
    try object(EndpointSlice.self, """
        {"metadata": {"name": "\(name)", "namespace": "default", "labels": {"kubernetes.io/service-name": "\(service)"}},
         "addressType": "\(addressType)", "ports": \(ports), "endpoints": \(endpoints)}
        """)
}

/// web (NodePort 30080, named targetPort http → 8080 on the pods), dns (UDP), a headless and an ExternalName
/// Service, a Service without endpoints, and kube-dns's local address.
func cluster() throws -> (services: [Service], slices: [EndpointSlice]) {
    let services = [
        try service("web", clusterIP: "10.96.0.20", ports: #"[{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}]"#,
                    type: "NodePort"),
        try service("dns", clusterIP: "10.96.0.30", ports: #"[{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53}]"#),
        try service("nginx", clusterIP: "None", ports: #"[{"name": "web", "port": 80}]"#),
        try service("external", clusterIP: "", ports: "[]", type: "ExternalName"),
        try service("empty", clusterIP: "10.96.0.40", ports: #"[{"port": 8080}]"#),
        try service("kube-dns", clusterIP: "10.96.0.10", ports: #"[{"name": "dns", "port": 53, "protocol": "UDP"}]"#),
    ]
    let slices = [
        try slice("web-abc", for: "web", ports: #"[{"name": "http", "port": 8080, "protocol": "TCP"}]"#, endpoints: """
            [{"addresses": ["10.244.0.3"], "conditions": {"ready": true}},
             {"addresses": ["10.244.0.2"]},
             {"addresses": ["10.244.0.4"], "conditions": {"ready": false, "terminating": true}}]
            """),
        try slice("web-v6", for: "web", ports: #"[{"name": "http", "port": 8080}]"#,
                  endpoints: #"[{"addresses": ["fd00::2"]}]"#, addressType: "IPv6"),
        try slice("dns-abc", for: "dns", ports: #"[{"name": "dns", "port": 5353, "protocol": "UDP"}, {"name": "dns-tcp", "port": 5353, "protocol": "TCP"}]"#,
                  endpoints: #"[{"addresses": ["10.244.0.9"], "conditions": {"ready": true}}]"#),
        try slice("nginx-abc", for: "nginx", ports: #"[{"name": "web", "port": 80}]"#,
                  endpoints: #"[{"addresses": ["10.244.0.5"]}]"#),
    ]
    return (services, slices)
}

@Suite struct ServicePortProxyTests {
    @Test func planTakesReadyEndpointsOfMatchingPortsAndSkipsHeadlessExternalAndLocal() throws {
        let (services, slices) = try cluster()
        let plan = ServicePortProxy.plan(services: services, slices: slices, local: [IPv4Address(10, 96, 0, 10)])
        let ip = { (d: UInt8) in IPv4Address(10, 244, 0, d) }
        #expect(plan == [
            ServicePortProxy(service: "default/web", portName: "http", clusterIP: IPv4Address(10, 96, 0, 20), protocol: .tcp, port: 80,
                             nodePort: 30080, endpoints: [.init(address: ip(2), port: 8080), .init(address: ip(3), port: 8080)]),
            ServicePortProxy(service: "default/dns", portName: "dns-tcp", clusterIP: IPv4Address(10, 96, 0, 30), protocol: .tcp, port: 53,
                             endpoints: [.init(address: ip(9), port: 5353)]),
            ServicePortProxy(service: "default/dns", portName: "dns", clusterIP: IPv4Address(10, 96, 0, 30), protocol: .udp, port: 53,
                             endpoints: [.init(address: ip(9), port: 5353)]),
            ServicePortProxy(service: "default/empty", portName: "", clusterIP: IPv4Address(10, 96, 0, 40), protocol: .tcp, port: 8080,
                             endpoints: []),
        ])
        #expect(plan.map(\.chainName) == ["service-default/web/tcp/http", "service-default/dns/tcp/dns-tcp",
                                           "service-default/dns/udp/dns", "service-default/empty/tcp/8080"])
    }

    @Test func unknownProtocolIsSkipped() throws {
        let odd = try service("odd", clusterIP: "10.96.0.50", ports: #"[{"port": 80, "protocol": "QUIC"}, {"port": 81}]"#)
        #expect(ServicePortProxy.plan(services: [odd], slices: []).map(\.port) == [81])
    }
}

@Suite struct ServiceProxyRulesetTests {
    func ruleset() throws -> ServiceProxyRuleset {
        let (services, slices) = try cluster()
        let configuration = ServiceProxyConfiguration(localAddresses: [IPv4Address(10, 96, 0, 10)],
                                                      nodePortAddresses: [IPv4Address(192, 0, 2, 10)])
        return ServiceProxyRuleset(plan: ServicePortProxy.plan(services: services, slices: slices, local: configuration.localAddresses),
                                   configuration: configuration)
    }

    @Test func scriptReplacesTheWholeTable() throws {
        #expect(try ruleset().script == """
            table ip minikube-swift
            delete table ip minikube-swift
            table ip minikube-swift {
            \tcomment "minikube-swift Services: ClusterIP DNAT to ready endpoints"
            \tset cluster-ips {
            \t\ttype ipv4_addr
            \t\telements = { 10.96.0.20, 10.96.0.30, 10.96.0.40 }
            \t}
            \tmap service-ips {
            \t\ttype ipv4_addr . inet_proto . inet_service : verdict
            \t\telements = { 10.96.0.20 . tcp . 80 : goto service-default/web/tcp/http, 10.96.0.30 . tcp . 53 : goto service-default/dns/tcp/dns-tcp, 10.96.0.30 . udp . 53 : goto service-default/dns/udp/dns }
            \t}
            \tset local-ips {
            \t\ttype ipv4_addr
            \t\telements = { 10.96.0.10 }
            \t}
            \tset nodeport-ips {
            \t\ttype ipv4_addr
            \t\telements = { 192.0.2.10 }
            \t}
            \tmap service-nodeports {
            \t\ttype inet_proto . inet_service : verdict
            \t\telements = { tcp . 30080 : goto service-default/web/tcp/http }
            \t}
            \tchain services {
            \t\tip daddr . meta l4proto . th dport vmap @service-ips
            \t\tip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
            \t}
            \tchain raw-prerouting {
            \t\ttype filter hook prerouting priority raw; policy accept;
            \t\tip daddr @local-ips notrack
            \t}
            \tchain raw-output {
            \t\ttype filter hook output priority raw; policy accept;
            \t\tip daddr @local-ips notrack
            \t\tip saddr @local-ips notrack
            \t}
            \tchain nat-prerouting {
            \t\ttype nat hook prerouting priority dstnat; policy accept;
            \t\tjump services
            \t}
            \tchain nat-output {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tjump services
            \t}
            \tchain nat-postrouting {
            \t\ttype nat hook postrouting priority srcnat; policy accept;
            \t\tct status dnat oifname "cni0" masquerade
            \t}
            \tchain filter-forward {
            \t\ttype filter hook forward priority filter; policy accept;
            \t\tip daddr @cluster-ips reject
            \t\tct status dnat accept
            \t\tiifname "cni0" oifname != "cni0" drop
            \t\toifname "cni0" iifname != "cni0" drop
            \t}
            \tchain filter-output {
            \t\ttype filter hook output priority filter; policy accept;
            \t\tip daddr @cluster-ips reject
            \t}
            \tchain service-default/web/tcp/http {
            \t\tmeta l4proto tcp dnat to numgen inc mod 2 map { 0 : 10.244.0.2 . 8080, 1 : 10.244.0.3 . 8080 }
            \t}
            \tchain service-default/dns/tcp/dns-tcp {
            \t\tmeta l4proto tcp dnat to 10.244.0.9:5353
            \t}
            \tchain service-default/dns/udp/dns {
            \t\tmeta l4proto udp dnat to 10.244.0.9:5353
            \t}
            }

            """)
    }

    @Test func emptyPlanHasNoElementLines() {
        let script = ServiceProxyRuleset(plan: [], configuration: ServiceProxyConfiguration()).script
        #expect(!script.contains("elements"))
        #expect(!script.contains("chain service-"))
    }

    /// The kernel's own check: the scripts load into nftables in a network namespace of their
    /// own (`nft -c` validates without committing). Root only.
    @Test(.enabled(if: getuid() == 0 && access("/usr/sbin/nft", X_OK) == 0 && access("/usr/bin/unshare", X_OK) == 0))
    func nftablesAcceptsTheScripts() async throws {
        let ruleset = try ruleset()
        let empty = ServiceProxyRuleset(plan: [], configuration: ruleset.configuration)
        for script in [ruleset.script, empty.script, ruleset.deletion] {
            let result = try await PosixSpawnHostCommandRunner().run(
                HostCommand("/usr/bin/unshare", ["--net", "/usr/sbin/nft", "-c", "-f", "-"], stdin: script))
            #expect(result.status == 0, "nft -c rejected the script: \(result.stderr)\n\(script)")
        }
    }
}

@Suite struct ServiceProxySyncTests {
    @Test func syncAppliesOnlyChangesAndKeepsRoutesInStep() async throws {
        let runner = FakeHostCommandRunner()
        let routes = Mutex("")
        runner.script { command in command.arguments.contains("show") ? HostCommandResult(status: 0, stdout: routes.withLock { $0 }) : nil }
        let configuration = ServiceProxyConfiguration(localAddresses: [IPv4Address(10, 96, 0, 10)], nodeNetns: "node",
                                                      nftPath: "/usr/sbin/nft", ipPath: "/usr/sbin/ip", sysctlPath: "/usr/sbin/sysctl")
        let proxy = ServiceProxy(configuration: configuration, client: UnusedClient(), runner: runner)
        let (services, slices) = try cluster()
        await proxy.replace(services: services, slices: slices)
        try await proxy.sync()
        let script = await proxy.ruleset().script
        #expect(runner.lines == [
            "ip netns exec node /usr/sbin/sysctl -qw net.ipv4.conf.cni0.forwarding=1",
            HostCommand("/usr/sbin/ip", ["netns", "exec", "node", "/usr/sbin/nft", "-f", "-"], stdin: script).description,
            "ip -n node route show proto 211",
            "ip -n node -batch - <<< 'route replace 10.96.0.20/32 dev cni0 src 10.244.0.1 proto 211; "
                + "route replace 10.96.0.30/32 dev cni0 src 10.244.0.1 proto 211; route replace 10.96.0.40/32 dev cni0 src 10.244.0.1 proto 211'",
        ])

        // Nothing changed: the routes are listed, nothing is applied.
        routes.withLock { $0 = "10.96.0.20 dev cni0 scope link src 10.244.0.1 \n10.96.0.30 dev cni0 scope link src 10.244.0.1 \n10.96.0.40 dev cni0 scope link src 10.244.0.1 \n" }
        runner.reset()
        try await proxy.sync()
        #expect(runner.lines == ["ip -n node route show proto 211"])

        // The empty Service goes: new rules, its route goes.
        await proxy.replace(services: services.filter { $0.metadata.name != "empty" }, slices: slices)
        try await proxy.sync()
        #expect(runner.lines.count == 5)
        #expect(runner.lines.last == "ip -n node -batch - <<< 'route del 10.96.0.40/32 proto 211'")
        #expect(await !proxy.ruleset().script.contains("10.96.0.40"))
    }

    @Test func udpFlowsToAnEndpointThatWentAreForgotten() async throws {
        let runner = FakeHostCommandRunner()
        let configuration = ServiceProxyConfiguration(nftPath: "/usr/sbin/nft", ipPath: "/usr/sbin/ip", sysctlPath: "/usr/sbin/sysctl",
                                                      conntrackPath: "/usr/sbin/conntrack")
        let proxy = ServiceProxy(configuration: configuration, client: UnusedClient(), runner: runner)
        let (services, slices) = try cluster()
        await proxy.replace(services: services, slices: slices)
        try await proxy.sync()
        #expect(!runner.lines.contains { $0.hasPrefix("conntrack") })
        // dns's one endpoint goes (web's TCP endpoints go too: nothing to forget for TCP).
        runner.reset()
        await proxy.replace(services: services, slices: [])
        try await proxy.sync()
        #expect(runner.lines.filter { $0.hasPrefix("conntrack") } == ["conntrack -D -p udp --orig-dst 10.96.0.30 --dst-nat 10.244.0.9"])
        #expect(ServicePortProxy.removedUDPEndpoints(from: [], to: []).isEmpty)
    }

    @Test func failedStepNamesItselfAndIsRetried() async throws {
        let failing = FakeHostCommandRunner()
        failing.script { command in
            command.executable.hasSuffix("nft") ? HostCommandResult(status: 1, stderr: "Error: Could not process rule: No such file or directory\n") : nil
        }
        let proxy = ServiceProxy(configuration: ServiceProxyConfiguration(nftPath: "/usr/sbin/nft"), client: UnusedClient(), runner: failing)
        let error = await #expect(throws: ServiceProxyError.self) { try await proxy.sync() }
        #expect(error?.description == "apply the Service rules: nft -f - failed (exit 1: Error: Could not process rule: No such file or directory)")
        // Not recorded as applied: the next sync tries again.
        #expect(await proxy.applied == nil)
    }
}
