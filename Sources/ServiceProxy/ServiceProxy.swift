import Controllers
import Foundation
import KubeClient
import KubeModel
import Kubelet
import Logging

/// The node's Service proxy (kube-proxy's job, nftables mode): keeps the table
/// `ip minikube-swift` in step with Services and EndpointSlices, so traffic to a ClusterIP from
/// pods and from the node reaches a ready endpoint.
///
/// Every change queues the one key `sync`; `sync()` reads the current Services and slices, renders
/// the whole table (`ServiceProxyRuleset`) and applies it only when it differs from what was last
/// applied. The node's own traffic needs a route before netfilter sees it (the Service CIDR is
/// `unreachable`), so each proxied ClusterIP gets `<ip>/32 dev <bridge> src <gateway>` with the
/// proxy's route protocol; those routes go with the bridge. Packets DNAT'd on the bridge are
/// routed back out of it, so the bridge forwards (`net.ipv4.conf.<bridge>.forwarding=1`, that one
/// interface only). Correct after a restart: it lists before it applies, and re-reads its routes.
public actor ServiceProxy {
    public nonisolated let configuration: ServiceProxyConfiguration
    let client: any KubeClient
    let runner: any HostCommandRunner
    let logger = Logger(label: "minikube-swift.proxy")
    let queue = WorkQueue<String>(backoff: .init(base: .milliseconds(100), max: .seconds(10)))
    var services: [String: Service] = [:]
    var slices: [String: EndpointSlice] = [:]
    /// The script last applied with success; nil after a failure or before the first sync.
    var applied: String?
    /// The plan of the last applied script: what UDP flows may still point at.
    var appliedPlan: [ServicePortProxy] = []

    public init(configuration: ServiceProxyConfiguration, client: any KubeClient,
                runner: any HostCommandRunner = PosixSpawnHostCommandRunner()) {
        self.configuration = configuration
        self.client = client
        self.runner = runner
    }

    /// Lists Services and EndpointSlices, syncs, then follows their changes until cancelled. The
    /// first list is its own (the watchers list again): a watcher delivers its list one object at
    /// a time, and a sync from half of it would reject traffic to Services whose slices had not
    /// arrived yet — after a node process restart, traffic that was flowing.
    public func run() async {
        while !Task.isCancelled {
            do {
                replace(services: try await client.list(Service.self), slices: try await client.list(EndpointSlice.self))
                break
            } catch {
                logger.debug("list Services and EndpointSlices: \(error)")
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        await queue.add(Self.key)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.follow(Service.self) { proxy, event, service in
                await proxy.observe(service: service, deleted: event == .deleted)
            } }
            group.addTask { await self.follow(EndpointSlice.self) { proxy, event, slice in
                await proxy.observe(slice: slice, deleted: event == .deleted)
            } }
            group.addTask {
                await Controller(name: "service-proxy", queue: self.queue, logger: self.logger) { _ in
                    try await self.sync()
                }.run()
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                Task { await self.queue.shutDown() }
            }
        }
    }

    static let key = "sync"

    /// Forgets what the proxy knew and takes these instead.
    func replace(services: [Service], slices: [EndpointSlice]) {
        self.services = Dictionary(services.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        self.slices = Dictionary(slices.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
    }

    private func observe(service: Service, deleted: Bool) async {
        services[service.key] = deleted ? nil : service
        await queue.add(Self.key)
    }

    private func observe(slice: EndpointSlice, deleted: Bool) async {
        slices[slice.key] = deleted ? nil : slice
        await queue.add(Self.key)
    }

    private nonisolated func follow<T: KubernetesObject>(
        _ type: T.Type, _ apply: @escaping @Sendable (ServiceProxy, KubeWatchEvent.EventType, T) async -> Void
    ) async {
        guard let resource = try? T.resource else { return }
        await ResourceWatcher(client: client, resource: resource, logger: logger).run { event in
            guard let object = try? event.object.decode(T.self) else { return }
            await apply(self, event.type, object)
        }
    }

    /// The ruleset for what the proxy knows now.
    public func ruleset() -> ServiceProxyRuleset {
        let plan = ServicePortProxy.plan(services: Array(services.values), slices: Array(slices.values),
                                         local: configuration.localAddresses)
        return ServiceProxyRuleset(plan: plan, configuration: configuration)
    }

    /// One step to the current state: bridge forwarding, the table, the ClusterIP routes.
    public func sync() async throws {
        let ruleset = ruleset()
        let script = ruleset.script
        if applied != script {
            applied = nil
            let c = configuration
            try await run(c.inNode(c.sysctlPath, ["-qw", "net.ipv4.conf.\(c.bridgeName).forwarding=1"]),
                          step: "let the bridge \(c.bridgeName) forward")
            try await run(c.inNode(c.nftPath, ["-f", "-"], stdin: script), step: "apply the Service rules")
            applied = script
            await forgetUDPFlows(ServicePortProxy.removedUDPEndpoints(from: appliedPlan, to: ruleset.plan))
            appliedPlan = ruleset.plan
            logger.debug("Service rules applied: \(ruleset.plan.count) ports, \(ruleset.plan.filter { !$0.endpoints.isEmpty }.count) with endpoints")
        }
        try await syncRoutes(ruleset.clusterIPs)
    }

    /// Deletes the conntrack entries of UDP flows DNAT'd to endpoints that are gone, as kube-proxy
    /// does: a UDP client that keeps its socket would otherwise keep sending to the old endpoint
    /// until the entry times out. TCP needs nothing (the old endpoint resets). Best effort: without
    /// `conntrack` (Debian's conntrack) the entries time out on their own.
    func forgetUDPFlows(_ removed: [(clusterIP: IPv4Address, nodePort: Int?, endpoint: IPv4Address)]) async {
        let c = configuration
        for flow in removed {
            var filters = [["--orig-dst", flow.clusterIP.description]]
            if let nodePort = flow.nodePort, !c.nodePortAddresses.isEmpty { filters.append(["--orig-port-dst", String(nodePort)]) }
            for filter in filters {
                let command = c.inNode(c.conntrackPath, ["-D", "-p", "udp"] + filter + ["--dst-nat", flow.endpoint.description])
                // Exit 1 with "0 flow entries have been deleted" is the usual answer.
                if let result = try? await runner.run(command), result.status > 1 {
                    logger.debug("\(command): \(result.stderr)")
                }
            }
        }
    }

    /// Adds the missing `<ip>/32` routes, deletes the proxy's routes for addresses no longer proxied.
    func syncRoutes(_ clusterIPs: [IPv4Address]) async throws {
        let c = configuration
        let listing = try await run(c.ip(["route", "show", "proto", String(c.routeProtocol)]),
                                    step: "list the Service routes")
        let present = Set(listing.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first.flatMap { IPv4Address(String($0)) }
        })
        let wanted = Set(clusterIPs)
        var batch = wanted.subtracting(present).sorted().map {
            "route replace \($0)/32 dev \(c.bridgeName) src \(c.gateway) proto \(c.routeProtocol)"
        }
        batch += present.subtracting(wanted).sorted().map { "route del \($0)/32 proto \(c.routeProtocol)" }
        guard !batch.isEmpty else { return }
        try await run(c.ip(["-batch", "-"], stdin: batch.joined(separator: "\n") + "\n"), step: "route the ClusterIPs to the bridge")
    }

    /// Deletes the table and the proxy's routes; what is already gone is not an error.
    public func cleanUp() async {
        await Self.cleanUp(configuration: configuration, runner: runner)
        applied = nil
        appliedPlan = []
    }

    /// Deletes a proxy's table and routes without a proxy (`down` after a node process that did
    /// not stop cleanly).
    public static func cleanUp(configuration c: ServiceProxyConfiguration,
                               runner: any HostCommandRunner = PosixSpawnHostCommandRunner()) async {
        let ruleset = ServiceProxyRuleset(plan: [], configuration: c)
        _ = try? await runner.run(c.inNode(c.nftPath, ["-f", "-"], stdin: ruleset.deletion))
        _ = try? await runner.run(c.ip(["route", "flush", "proto", String(c.routeProtocol)]))
    }

    @discardableResult
    private func run(_ command: HostCommand, step: String) async throws -> HostCommandResult {
        let result: HostCommandResult
        do {
            result = try await runner.run(command)
        } catch {
            throw ServiceProxyError(step: step, command: command, detail: "\(error)")
        }
        guard result.status == 0 else {
            throw ServiceProxyError(step: step, command: command,
                                    detail: "exit \(result.status): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result
    }
}

/// A step of a sync that failed, with the command and what it printed.
public struct ServiceProxyError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var command: HostCommand
    public var detail: String

    public var description: String {
        let program = command.executable.split(separator: "/").last.map(String.init) ?? command.executable
        return "\(step): \(program) \(command.arguments.joined(separator: " ")) failed (\(detail))"
    }
}
