import Foundation
import Glibc
import KubeModel
import Testing
import TestSupport
@testable import ClusterDNS

/// A resolver on 127.0.0.1 for the tests (UDP and TCP on one port, blocking sockets on threads of
/// its own): answers every A query with 192.0.2.53, marking TCP answers with a second record
/// (192.0.2.54) so a test can tell the transports apart; `silent` reads and never answers.
final class LocalUpstream: @unchecked Sendable {  // fds and port are set once in init
    let port: Int
    private let udp: Int32
    private let tcp: Int32

    init(silent: Bool = false) throws {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        (self.udp, self.tcp) = (udp, tcp)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Bool in
                guard bind(udp, sa, length) == 0, getsockname(udp, sa, &length) == 0 else { return false }
                return bind(tcp, sa, length) == 0 && listen(tcp, 8) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 1500)
            while true {
                var peer = sockaddr_storage()
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, &buffer, buffer.count, 0, $0, &peerLength) }
                }
                if n <= 0 { return }
                guard !silent, let reply = Self.answer(Array(buffer[..<n]), overTCP: false) else { continue }
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp, reply, reply.count, 0, $0, peerLength) }
                }
            }
        }
        Thread.detachNewThread {
            while true {
                let connection = accept(tcp, nil, nil)
                if connection < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(connection, &buffer, buffer.count, 0)
                if !silent, n > 2, let reply = Self.answer(Array(buffer[2..<n]), overTCP: true) {
                    let framed = [UInt8(reply.count >> 8), UInt8(reply.count & 0xff)] + reply
                    _ = send(connection, framed, framed.count, 0)
                }
                close(connection)
            }
        }
    }

    static func answer(_ bytes: [UInt8], overTCP: Bool) -> [UInt8]? {
        guard let query = try? DNSMessage(parsing: bytes), let question = query.questions.first else { return nil }
        var response = DNSMessage(id: query.id)
        response.isResponse = true
        response.recursionAvailable = true
        response.questions = query.questions
        response.answers = [.init(name: question.name, ttl: 30, data: .a([192, 0, 2, 53]))]
        if overTCP { response.answers.append(.init(name: question.name, ttl: 30, data: .a([192, 0, 2, 54]))) }
        return response.serialized()
    }

    deinit {
        shutdown(udp, Int32(SHUT_RDWR))
        shutdown(tcp, Int32(SHUT_RDWR))
        close(udp)
        close(tcp)
    }
}

@Suite struct DNSForwarderTests {
    func query(_ name: String, id: UInt16 = 0x4242) -> [UInt8] {
        var message = DNSMessage(id: id)
        message.recursionDesired = true
        message.questions = [.init(name: name, type: .a)]
        return message.serialized()
    }

    @Test func upstreamsParseFromFlagsAndResolvConf() {
        #expect(DNSUpstream("1.1.1.1") == DNSUpstream(host: "1.1.1.1"))
        #expect(DNSUpstream("127.0.0.1:5353") == DNSUpstream(host: "127.0.0.1", port: 5353))
        #expect(DNSUpstream("[fd00::1]:54") == DNSUpstream(host: "fd00::1", port: 54))
        #expect(DNSUpstream("::1") == DNSUpstream(host: "::1"))
        #expect(DNSUpstream("dns.google") == nil)
        #expect(DNSUpstream("1.1.1.1:0") == nil)
        #expect(DNSUpstream("1.1.1.1:x") == nil)
        let conf = """
            # generated
            search example.com
            nameserver 10.96.0.10
            nameserver 192.168.1.1
            nameserver\t::1
            options ndots:1
            """
        #expect(DNSUpstream.fromResolvConf(conf, excluding: ["10.96.0.10"]) == [DNSUpstream(host: "192.168.1.1"), DNSUpstream(host: "::1")])
    }

    @Test func namesOutsideTheZoneAreForwardedOverTheClientsTransport() async throws {
        let upstream = try LocalUpstream()
        // (Timeouts are generous: the tests run beside busy ones on two cores.)
        let server = ClusterDNSServer(client: UnusedClient(), upstreams: [DNSUpstream(host: "127.0.0.1", port: upstream.port)],
                                      upstreamTimeout: .seconds(20))
        #expect(server.respond(to: query("example.org")) == .forward)
        let overUDP = try DNSMessage(parsing: try #require(await server.resolve(query("example.org"))))
        #expect(overUDP.id == 0x4242 && overUDP.responseCode == .noError)
        #expect(overUDP.answers.map(\.data) == [.a([192, 0, 2, 53])])
        let overTCP = try DNSMessage(parsing: try #require(await server.resolve(query("example.org", id: 7), overTCP: true)))
        #expect(overTCP.id == 7 && overTCP.answers.count == 2)
        // The cluster zone is never forwarded.
        #expect(server.respond(to: query("nope.default.svc.cluster.local")) != .forward)
    }

    @Test func silentOrMissingUpstreamsEndInServFailAndTheNextUpstreamIsAsked() async throws {
        let silent = try LocalUpstream(silent: true)
        let answering = try LocalUpstream()
        let forwarder = DNSForwarder(upstreams: [DNSUpstream(host: "127.0.0.1", port: silent.port)], timeout: .milliseconds(200))
        #expect(await forwarder.forward(query("example.org"), overTCP: false) == nil)
        #expect(await forwarder.forward(query("example.org"), overTCP: true) == nil)
        let two = DNSForwarder(upstreams: [DNSUpstream(host: "127.0.0.1", port: silent.port),
                                           DNSUpstream(host: "127.0.0.1", port: answering.port)], timeout: .seconds(3))
        #expect(await two.forward(query("example.org"), overTCP: false) != nil)
        // Over the bound of queries in flight: no answer, at once.
        let full = DNSForwarder(upstreams: [DNSUpstream(host: "127.0.0.1", port: answering.port)], maxConcurrent: 0)
        #expect(await full.forward(query("example.org"), overTCP: false) == nil)

        // A closed port (its upstream is gone) refuses the TCP connection.
        let closedPort = try LocalUpstream().port
        let refusing = ClusterDNSServer(client: UnusedClient(), upstreams: [DNSUpstream(host: "127.0.0.1", port: closedPort)],
                                        upstreamTimeout: .seconds(20))
        let reply = try DNSMessage(parsing: try #require(await refusing.resolve(query("example.org"), overTCP: true)))
        #expect(reply.responseCode == .serverFailure && reply.id == 0x4242)
    }

    func externalNames() throws -> ClusterDNSRecords {
        let services = try [
            #"{"metadata":{"name":"ext","namespace":"default"},"spec":{"type":"ExternalName","externalName":"Example.org."}}"#,
            #"{"metadata":{"name":"api","namespace":"default"},"spec":{"type":"ExternalName","externalName":"kubernetes.default.svc.cluster.local"}}"#,
            #"{"metadata":{"name":"loop","namespace":"default"},"spec":{"type":"ExternalName","externalName":"loop.default.svc.cluster.local"}}"#,
            #"{"metadata":{"name":"kubernetes","namespace":"default"},"spec":{"clusterIP":"10.96.0.1","ports":[{"name":"https","port":443}]}}"#,
        ].map { try JSONValue(json: Data($0.utf8)).decode(Service.self) }
        return ClusterDNSRecords(domain: "cluster.local", services: services)
    }

    @Test func externalNameServicesAreCNAMEsWhoseTargetsAreFollowed() async throws {
        let records = try externalNames()
        #expect(records.externalAlias(of: "ext.default.svc.cluster.local") == "example.org")
        #expect(records.externalAlias(of: "api.default.svc.cluster.local") == nil)  // in the zone: answered here
        let api = records.answer(try DNSMessage(parsing: query("api.default.svc.cluster.local")))
        #expect(api.answers.map(\.data) == [.cname("kubernetes.default.svc.cluster.local"), .a([10, 96, 0, 1])])
        let loop = records.answer(try DNSMessage(parsing: query("loop.default.svc.cluster.local")))
        #expect(loop.answers.count == 9)  // followed 8 links deep, then given up

        // Outside the zone: the CNAME, then the upstream's answer for the target.
        let upstream = try LocalUpstream()
        let server = ClusterDNSServer(client: UnusedClient(), upstreams: [DNSUpstream(host: "127.0.0.1", port: upstream.port)],
                                      upstreamTimeout: .seconds(20))
        server.replace(records)
        #expect(server.respond(to: query("ext.default.svc.cluster.local")) == .forward)
        let chased = try DNSMessage(parsing: try #require(await server.resolve(query("ext.default.svc.cluster.local"))))
        #expect(chased.id == 0x4242)
        #expect(chased.answers.map(\.data) == [.cname("example.org"), .a([192, 0, 2, 53])])
        #expect(chased.answers.last?.name == "example.org")

        // Without upstreams, the CNAME alone.
        let alone = ClusterDNSServer(client: UnusedClient())
        alone.replace(records)
        let reply = try DNSMessage(parsing: try #require(await alone.resolve(query("ext.default.svc.cluster.local"))))
        #expect(reply.answers.map(\.data) == [.cname("example.org")])
    }

    @Test func withoutUpstreamsNamesOutsideTheZoneDoNotExist() async throws {
        let server = ClusterDNSServer(client: UnusedClient())
        let reply = try DNSMessage(parsing: try #require(await server.resolve(query("example.org"))))
        #expect(reply.responseCode == .nameError)
    }
}
