import Controllers
import KubeClient
import KubeModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The cluster DNS server (`kube-dns` at 10.96.0.10): answers the cluster zone over UDP and TCP
/// from Services, EndpointSlices and Pods it watches through `KubeClient`; answers follow a
/// change as soon as the watch delivers it. Names outside the zone answer NXDOMAIN: no query
/// ever leaves the node (forwarding to upstream resolvers is not built yet).
public final class ClusterDNSServer: Sendable {
    public let client: any KubeClient
    public let domain: String
    let records: NIOLockedValueBox<ClusterDNSRecords>
    let logger = Logger(label: "minikube-swift.dns")

    public init(client: any KubeClient, domain: String = "cluster.local") {
        self.client = client
        self.domain = domain
        records = NIOLockedValueBox(ClusterDNSRecords(domain: domain))
    }

    /// Answers one query message (the wire bytes), or nil to drop it.
    public func respond(to bytes: [UInt8], from client: String? = nil, limit: Int? = nil) -> [UInt8]? {
        let query: DNSMessage
        do {
            query = try DNSMessage(parsing: bytes)
        } catch {
            // Answer FORMERR when at least the header is there; drop the rest.
            guard bytes.count >= 12 else { return nil }
            var response = DNSMessage(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            response.isResponse = true
            response.responseCode = .formatError
            return response.serialized()
        }
        guard !query.isResponse else { return nil }
        let records = self.records.withLockedValue { $0 }
        var response: DNSMessage
        if let name = query.questions.first?.name, !records.isAuthoritative(for: name),
           let client, let completed = records.completeSearchPath(query, client: client) {
            response = completed
        } else if let name = query.questions.first?.name, !records.isAuthoritative(for: name) {
            response = DNSMessage(id: query.id)
            response.isResponse = true
            response.recursionDesired = query.recursionDesired
            response.questions = query.questions
            // No upstream: names outside the cluster zone do not exist here. (REFUSED would make
            // busybox's nslookup stop before it tries the search path.)
            response.responseCode = .nameError
        } else {
            response = records.answer(query)
        }
        if query.additionals.contains(where: { $0.type == .opt }) {
            response.additionals.append(.init(name: "", ttl: 0, data: .opt([]), recordClass: 1232))
        }
        return response.serialized(limit: limit ?? min(query.udpPayloadSize, 65535))
    }

    /// Keeps the records in step with the cluster until cancelled.
    public func watch() async {
        let state = NIOLockedValueBox((services: [String: Service](), slices: [String: EndpointSlice](), pods: [String: Pod]()))
        let rebuild: @Sendable () -> Void = { [records, domain] in
            let current = state.withLockedValue { $0 }
            let built = ClusterDNSRecords(domain: domain, services: Array(current.services.values),
                                          slices: Array(current.slices.values), pods: Array(current.pods.values))
            records.withLockedValue { $0 = built }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.follow(Service.self) { event, service in
                state.withLockedValue { $0.services[service.key] = event == .deleted ? nil : service }
                rebuild()
            } }
            group.addTask { await self.follow(EndpointSlice.self) { event, slice in
                state.withLockedValue { $0.slices[slice.key] = event == .deleted ? nil : slice }
                rebuild()
            } }
            group.addTask { await self.follow(Pod.self) { event, pod in
                // Pods matter for their IP's namespace (search-path completion) and, with a
                // subdomain, for their own name.
                let old = state.withLockedValue { $0.pods[pod.key] }
                state.withLockedValue { $0.pods[pod.key] = event == .deleted ? nil : pod }
                if event == .deleted || old?.status?.podIP != pod.status?.podIP || pod.spec?.subdomain != nil { rebuild() }
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
            guard let response = server.respond(to: Array(envelope.data.readableBytesView), from: envelope.remoteAddress.ipAddress) else { return }
            let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: response))
            context.write(wrapOutboundOut(reply), promise: nil)
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
                if let response = server.respond(to: message, from: context.remoteAddress?.ipAddress, limit: 65535) {
                    var out = context.channel.allocator.buffer(capacity: response.count + 2)
                    out.writeInteger(UInt16(response.count))
                    out.writeBytes(response)
                    context.writeAndFlush(wrapOutboundOut(out), promise: nil)
                }
            }
            pending.discardReadBytes()
            if pending.readableBytes > 70_000 { context.close(promise: nil) }
        }
    }
}
