import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Sends a query the cluster zone does not cover to the upstream resolvers, in order, and returns
/// the first reply: over UDP for a UDP client (a truncated reply goes back as is and the client
/// asks again over TCP), over TCP for a TCP client. Each query has a socket of its own (a fresh
/// source port), and a reply counts only from the upstream asked, with the query's ID. At most
/// `maxConcurrent` queries are upstream at once (CoreDNS's `forward` has the same bound); more
/// fail at once instead of piling up sockets.
public struct DNSForwarder: Sendable {
    public let upstreams: [DNSUpstream]
    /// How long one upstream has to answer before the next is asked.
    public let timeout: Duration
    public let maxConcurrent: Int
    private let inFlight = NIOLockedValueBox(0)

    public init(upstreams: [DNSUpstream], timeout: Duration = .seconds(2), maxConcurrent: Int = 1000) {
        self.upstreams = upstreams
        self.timeout = timeout
        self.maxConcurrent = maxConcurrent
    }

    /// The first upstream reply to `query` (wire bytes), or nil when none answered in time (or
    /// too many queries are upstream already).
    public func forward(_ query: [UInt8], overTCP: Bool) async -> [UInt8]? {
        guard query.count >= 12 else { return nil }
        let admitted = inFlight.withLockedValue { count in
            guard count < maxConcurrent else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        for upstream in upstreams {
            if let reply = try? await withTimeout({
                overTCP ? try await exchangeTCP(query, with: upstream) : try await exchangeUDP(query, with: upstream)
            }) {
                return reply
            }
        }
        return nil
    }

    private func withTimeout(_ body: @escaping @Sendable () async throws -> [UInt8]?) async throws -> [UInt8]? {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await body() }
            group.addTask { [timeout] in
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Whether `reply` answers `query`: a response with the same ID.
    static func answers(_ reply: [UInt8], _ query: [UInt8]) -> Bool {
        reply.count >= 12 && reply[0] == query[0] && reply[1] == query[1] && reply[2] & 0x80 != 0
    }

    func exchangeUDP(_ query: [UInt8], with upstream: DNSUpstream) async throws -> [UInt8]? {
        let remote = try SocketAddress(ipAddress: upstream.host, port: upstream.port)
        let local = remote.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: local, port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: query)))
            for try await envelope in inbound where envelope.remoteAddress == remote {
                let reply = Array(envelope.data.readableBytesView)
                if Self.answers(reply, query) { return reply }
            }
            return nil
        }
    }

    func exchangeTCP(_ query: [UInt8], with upstream: DNSUpstream) async throws -> [UInt8]? {
        let remote = try SocketAddress(ipAddress: upstream.host, port: upstream.port)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(to: remote) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var message = ByteBuffer()
            message.writeInteger(UInt16(query.count))
            message.writeBytes(query)
            try await outbound.write(message)
            var received = ByteBuffer()
            for try await var chunk in inbound {
                received.writeBuffer(&chunk)
                guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
                      received.readableBytes >= 2 + Int(length),
                      let reply = received.getBytes(at: received.readerIndex + 2, length: Int(length)) else { continue }
                return Self.answers(reply, query) ? reply : nil
            }
            return nil
        }
    }
}
