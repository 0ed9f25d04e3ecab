import Controllers
import KubeClient
import KubeModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The cluster DNS server (`kube-dns` at 10.96.0.10): answers the cluster zone over UDP and TCP
/// from Services, EndpointSlices and Pods it watches through `KubeClient`; answers follow a
/// change as soon as the watch delivers it. Names outside the zone go to the `forwarder`'s
/// upstream resolvers (SERVFAIL when none answers); without upstreams they answer NXDOMAIN.
public final class ClusterDNSServer: Sendable {
    public let client: any KubeClient
    public let domain: String
    public let forwarder: DNSForwarder
    let state: NIOLockedValueBox<State>
    let logger = Logger(label: "minikube-swift.dns")

    public init(client: any KubeClient, domain: String = "cluster.local", upstreams: [DNSUpstream] = [],
                upstreamTimeout: Duration = .seconds(2)) {
        self.client = client
        self.domain = domain
        forwarder = DNSForwarder(upstreams: upstreams, timeout: upstreamTimeout)
        state = NIOLockedValueBox(State(records: ClusterDNSRecords(domain: domain), generation: 0))
    }

    /// The records, and the answers already serialized from them: a query for a name in the zone
    /// depends on nothing but its bytes after the ID and the size limit, so a repeated one is a
    /// dictionary lookup and a new ID. A rebuild of the records starts an empty cache.
    struct State {
        var records: ClusterDNSRecords
        var generation: Int
        var answers: [[UInt8]: [UInt8]] = [:]
        static let maxAnswers = 10_000
    }

    /// The records as they are now.
    var records: ClusterDNSRecords { state.withLockedValue { $0.records } }

    /// Replaces the records (and forgets the answers given from the old ones).
    func replace(_ records: ClusterDNSRecords) {
        state.withLockedValue { $0 = State(records: records, generation: $0.generation + 1) }
    }

    /// What to do with a query: answer it now, send it upstream, or drop it.
    public enum Reply: Sendable, Equatable {
        case answer([UInt8])
        case forward
        case drop
    }

    /// Answers one query message (the wire bytes), or nil to drop it; a name for the upstreams
    /// is forwarded, or SERVFAIL when none answers.
    public func resolve(_ bytes: [UInt8], from client: String? = nil, overTCP: Bool = false) async -> [UInt8]? {
        switch respond(to: bytes, from: client, limit: overTCP ? 65535 : nil) {
        case .answer(let reply): return reply
        case .drop: return nil
        case .forward: return await forward(bytes, overTCP: overTCP)
        }
    }

    /// The upstreams' reply to a query `respond` said to forward, or SERVFAIL.
    func forward(_ bytes: [UInt8], overTCP: Bool) async -> [UInt8]? {
        if let query = try? DNSMessage(parsing: bytes), let name = query.questions.first?.name,
           let target = records.externalAlias(of: name) {
            return await chase(query, to: target, overTCP: overTCP)
        }
        if let reply = await forwarder.forward(bytes, overTCP: overTCP) { return reply }
        logger.debug("no upstream of \(forwarder.upstreams) answered; SERVFAIL")
        guard let query = try? DNSMessage(parsing: bytes) else { return nil }
        var response = DNSMessage(id: query.id)
        response.isResponse = true
        response.recursionDesired = query.recursionDesired
        response.recursionAvailable = true
        response.questions = query.questions
        response.responseCode = .serverFailure
        return response.serialized()
    }

    /// An ExternalName Service's answer: the CNAME, then what the upstreams answer for its target
    /// (just the CNAME when none answers; the client may ask for the target itself).
    func chase(_ query: DNSMessage, to target: String, overTCP: Bool) async -> [UInt8]? {
        var response = records.answer(query)
        var upstreamQuery = DNSMessage(id: UInt16.random(in: 0...UInt16.max))
        upstreamQuery.recursionDesired = true
        upstreamQuery.questions = [.init(name: target, type: query.questions.first?.type ?? .a)]
        if let bytes = await forwarder.forward(upstreamQuery.serialized(), overTCP: overTCP),
           let reply = try? DNSMessage(parsing: bytes) {
            response.answers += reply.answers
            response.responseCode = reply.responseCode
            response.recursionAvailable = true
        }
        if query.additionals.contains(where: { $0.type == .opt }) {
            response.additionals.append(.init(name: "", ttl: 0, data: .opt([]), recordClass: 1232))
        }
        return response.serialized(limit: overTCP ? 65535 : min(query.udpPayloadSize, 65535))
    }

    /// Answers one query message (the wire bytes) from the cluster's records, or says to forward
    /// or drop it.
    public func respond(to bytes: [UInt8], from client: String? = nil, limit: Int? = nil) -> Reply {
        var key: [UInt8] = []
        if bytes.count >= 12 {
            // The query with the size limit in place of its ID.
            key = bytes
            key[0] = UInt8(truncatingIfNeeded: (limit ?? 0) >> 8)
            key[1] = UInt8(truncatingIfNeeded: limit ?? 0)
            if var cached = state.withLockedValue({ $0.answers[key] }) {
                cached[0] = bytes[0]
                cached[1] = bytes[1]
                return .answer(cached)
            }
        }
        let query: DNSMessage
        do {
            query = try DNSMessage(parsing: bytes)
        } catch {
            // Answer FORMERR when at least the header is there; drop the rest.
            guard bytes.count >= 12 else { return .drop }
            var response = DNSMessage(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            response.isResponse = true
            response.responseCode = .formatError
            return .answer(response.serialized())
        }
        guard !query.isResponse else { return .drop }
        let (records, generation) = state.withLockedValue { ($0.records, $0.generation) }
        var response: DNSMessage
        var cacheable = false
        if let name = query.questions.first?.name, !records.isAuthoritative(for: name),
           let client, let completed = records.completeSearchPath(query, client: client) {
            response = completed
        } else if let name = query.questions.first?.name, !records.isAuthoritative(for: name) {
            if !forwarder.upstreams.isEmpty { return .forward }
            response = DNSMessage(id: query.id)
            response.isResponse = true
            response.recursionDesired = query.recursionDesired
            response.questions = query.questions
            // Forwarding disabled: names outside the cluster zone do not exist here. (REFUSED would make
            // busybox's nslookup stop before it tries the search path.)
            response.responseCode = .nameError
        } else if let name = query.questions.first?.name, query.questions.first?.type != .cname,
                  records.externalAlias(of: name) != nil, !forwarder.upstreams.isEmpty {
            // An ExternalName Service: the CNAME, then its target's records from upstream.
            return .forward
        } else {
            response = records.answer(query)
            cacheable = true
        }
        if query.additionals.contains(where: { $0.type == .opt }) {
            response.additionals.append(.init(name: "", ttl: 0, data: .opt([]), recordClass: 1232))
        }
        let reply = response.serialized(limit: limit ?? min(query.udpPayloadSize, 65535))
        if cacheable {
            state.withLockedValue { state in
                guard state.generation == generation else { return }
                if state.answers.count >= State.maxAnswers { state.answers.removeAll(keepingCapacity: true) }
                state.answers[key] = reply
            }
        }
        return .answer(reply)
    }

    /// Keeps the records in step with the cluster until cancelled.
    public func watch() async {
        let known = NIOLockedValueBox((services: [String: Service](), slices: [String: EndpointSlice](), pods: [String: Pod]()))
        // Built under the lock of what is known, so a rebuild from an older snapshot can never
        // land after one from a newer.
        let rebuild: @Sendable () -> Void = { [self, domain] in
            known.withLockedValue { current in
                replace(ClusterDNSRecords(domain: domain, services: Array(current.services.values),
                                          slices: Array(current.slices.values), pods: Array(current.pods.values)))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.follow(Service.self) { event, service in
                known.withLockedValue { $0.services[service.key] = event == .deleted ? nil : service }
                rebuild()
            } }
            group.addTask { await self.follow(EndpointSlice.self) { event, slice in
                known.withLockedValue { $0.slices[slice.key] = event == .deleted ? nil : slice }
                rebuild()
            } }
            group.addTask { await self.follow(Pod.self) { event, pod in
                // Pods matter for their IP's namespace (search-path completion) and, with a
                // subdomain, for their own name.
                // (Only those: a StatefulSet pod's status changes must not empty the answer cache.)
                let old = known.withLockedValue { known in
                    defer { known.pods[pod.key] = event == .deleted ? nil : pod }
                    return known.pods[pod.key]
                }
                if event == .deleted || old?.status?.podIP != pod.status?.podIP
                    || old?.spec?.hostname != pod.spec?.hostname || old?.spec?.subdomain != pod.spec?.subdomain { rebuild() }
            } }
        }
    }

    /// Watches one kind, handing every decoded change to `apply`.
    func follow<T: KubernetesObject>(_ type: T.Type, _ apply: @escaping @Sendable (KubeWatchEvent.EventType, T) -> Void) async {
        guard let resource = try? T.resource else { return }
        await ResourceWatcher(client: client, resource: resource).run { event in
            guard let object = try? event.object.decode(T.self) else { return }
            apply(event.type, object)
        }
    }

    /// Serves UDP and TCP on `host:port` until cancelled. Retries binding while the address is
    /// not there yet (the node network adds it).
    public func serve(host: String, port: Int = 53) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var udp: (any Channel)?
        var tcp: (any Channel)?
        while udp == nil || tcp == nil {
            do {
                if udp == nil {
                    udp = try await DatagramBootstrap(group: group)
                        .channelOption(.socketOption(.so_reuseaddr), value: 1)
                        // Many datagrams per read (recvmmsg) and per wake-up; replies flushed once.
                        .channelOption(.datagramVectorReadMessageCount, value: 32)
                        .channelOption(.maxMessagesPerRead, value: 16)
                        .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
                        .channelInitializer { channel in channel.pipeline.addHandler(UDPHandler(server: self)) }
                        .bind(host: host, port: port).get()
                }
                if tcp == nil {
                    tcp = try await ServerBootstrap(group: group)
                        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                        .childChannelInitializer { channel in channel.pipeline.addHandler(TCPHandler(server: self)) }
                        .bind(host: host, port: port).get()
                }
            } catch {
                if Task.isCancelled { break }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        logger.info("cluster DNS listening on \(host):\(port) (UDP and TCP)")
        let channels = [udp, tcp].compactMap { $0 }
        await withTaskCancellationHandler {
            try? await channels.first?.closeFuture.get()
        } onCancel: {
            channels.forEach { $0.close(promise: nil) }
        }
    }

    final class UDPHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let server: ClusterDNSServer

        init(server: ClusterDNSServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let query = Array(envelope.data.readableBytesView)
            switch server.respond(to: query, from: envelope.remoteAddress.ipAddress) {
            case .answer(let response):
                let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: response))
                context.write(wrapOutboundOut(reply), promise: nil)
            case .forward:
                let (channel, server, remote) = (context.channel, server, envelope.remoteAddress)
                Task {
                    guard let response = await server.forward(query, overTCP: false) else { return }
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: response)), promise: nil)
                }
            case .drop:
                break
            }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    /// RFC 1035 §4.2.2: each message prefixed by its two-byte length.
    final class TCPHandler: ChannelInboundHandler, @unchecked Sendable {  // one channel, its event loop
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: ClusterDNSServer
        var pending = ByteBuffer()

        init(server: ClusterDNSServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending.writeBuffer(&buffer)
            while let length = pending.getInteger(at: pending.readerIndex, as: UInt16.self),
                  pending.readableBytes >= 2 + Int(length) {
                pending.moveReaderIndex(forwardBy: 2)
                let message = pending.readBytes(length: Int(length)) ?? []
                switch server.respond(to: message, from: context.remoteAddress?.ipAddress, limit: 65535) {
                case .answer(let response):
                    context.writeAndFlush(wrapOutboundOut(Self.framed(response)), promise: nil)
                case .forward:
                    // Replies may overtake each other on one connection; clients match them by ID
                    // (RFC 7766 §7).
                    let (channel, server) = (context.channel, server)
                    Task {
                        guard let response = await server.forward(message, overTCP: true) else { return }
                        channel.writeAndFlush(Self.framed(response), promise: nil)
                    }
                case .drop:
                    break
                }
            }
            pending.discardReadBytes()
            if pending.readableBytes > 70_000 { context.close(promise: nil) }
        }

        static func framed(_ message: [UInt8]) -> ByteBuffer {
            var out = ByteBuffer()
            out.reserveCapacity(message.count + 2)
            out.writeInteger(UInt16(message.count))
            out.writeBytes(message)
            return out
        }
    }
}
