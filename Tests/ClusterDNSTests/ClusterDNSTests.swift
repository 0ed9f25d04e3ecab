import Foundation
import KubeClient
import KubeModel
import Testing
import TestSupport
@testable import ClusterDNS

@Suite struct DNSMessageTests {
    func query(_ name: String, _ type: DNSMessage.RecordType, id: UInt16 = 0x1234, edns: Bool = false) -> [UInt8] {
        var message = DNSMessage(id: id)
        message.recursionDesired = true
        message.questions = [.init(name: name, type: type)]
        if edns { message.additionals = [.init(name: "", ttl: 0, data: .opt([]), recordClass: 4096)] }
        return message.serialized()
    }

    @Test func roundTripWithCompression() throws {
        var message = DNSMessage(id: 7)
        message.isResponse = true
        message.authoritative = true
        message.questions = [.init(name: "nginx.default.svc.cluster.local", type: .a)]
        message.answers = (1...3).map { .init(name: "nginx.default.svc.cluster.local", ttl: 5, data: .a([10, 244, 0, UInt8($0)])) }
        message.additionals = [.init(name: "_web._tcp.nginx.default.svc.cluster.local", ttl: 5,
                                     data: .srv(priority: 0, weight: 100, port: 80, target: "web-0.nginx.default.svc.cluster.local"))]
        let bytes = message.serialized()
        #expect(try DNSMessage(parsing: bytes) == message)
        // Repeated names are pointers: far smaller than four full copies of the name.
        #expect(bytes.count < 12 + 4 * 33 + 60)
    }

    @Test func truncationSetsTCAndDropsWholeRecords() throws {
        var message = DNSMessage(id: 9)
        message.isResponse = true
        message.questions = [.init(name: "many.default.svc.cluster.local", type: .a)]
        message.answers = (0..<100).map { .init(name: "many.default.svc.cluster.local", ttl: 5, data: .a([10, 244, 0, UInt8($0)])) }
        let bytes = message.serialized(limit: 512)
        #expect(bytes.count <= 512)
        let parsed = try DNSMessage(parsing: bytes)
        #expect(parsed.truncated)
        #expect(parsed.answers.count > 10 && parsed.answers.count < 100)
    }

    @Test func malformedMessagesAreRejected() {
        #expect(throws: DNSFormatError.self) { try DNSMessage(parsing: [0x12]) }
        // A question whose name points at itself.
        let loop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSFormatError.self) { try DNSMessage(parsing: loop) }
        // A label longer than the message.
        let long: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, 0x61, 0x62]
        #expect(throws: DNSFormatError.self) { try DNSMessage(parsing: long) }
        // Random bytes never crash the parser.
        for seed in 0..<2000 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let bytes = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? DNSMessage(parsing: bytes)
        }
    }

    @Test func serverAnswersFormErrForGarbageAndDropsRunts() async throws {
        let server = ClusterDNSServer(client: UnusedClient())
        #expect(server.respond(to: [1, 2, 3]) == .drop)
        let reply = try DNSMessage(parsing: try #require(await server.resolve([0xAB, 0xCD, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63])))
        #expect(reply.id == 0xABCD && reply.responseCode == .formatError)
    }

    @Test func repeatedQueriesAreAnsweredFromTheCacheUntilTheRecordsChange() throws {
        let server = ClusterDNSServer(client: UnusedClient())
        server.replace(try Fixtures.records())
        func addresses(_ reply: ClusterDNSServer.Reply, id: UInt16) throws -> [DNSMessage.RecordData] {
            guard case .answer(let bytes) = reply else { throw DNSFormatError("not an answer") }
            let message = try DNSMessage(parsing: bytes)
            #expect(message.id == id)
            return message.answers.map(\.data)
        }
        let name = "web-0.nginx.default.svc.cluster.local"
        #expect(try addresses(server.respond(to: query(name, .a, id: 1)), id: 1) == [.a([10, 244, 0, 4])])
        #expect(server.state.withLockedValue { $0.answers.count } == 1)
        #expect(try addresses(server.respond(to: query(name, .a, id: 2)), id: 2) == [.a([10, 244, 0, 4])])
        // Another size limit is another answer; new records forget the old ones.
        _ = server.respond(to: query(name, .a, id: 3), limit: 65535)
        #expect(server.state.withLockedValue { $0.answers.count } == 2)
        server.replace(ClusterDNSRecords(domain: "cluster.local"))
        #expect(try addresses(server.respond(to: query(name, .a, id: 4)), id: 4) == [])
    }

    @Test func recordsFollowTheKubernetesDNSSpecification() throws {
        let records = try Fixtures.records()
        func ask(_ name: String, _ type: DNSMessage.RecordType) throws -> DNSMessage {
            records.answer(try DNSMessage(parsing: query(name, type)))
        }
        let headless = try ask("nginx.default.svc.cluster.local", .a)
        #expect(headless.answers.map(\.data) == [.a([10, 244, 0, 4]), .a([10, 244, 0, 5])])  // web-2 is not ready
        #expect(try ask("web-0.nginx.default.svc.cluster.local", .a).answers.map(\.data) == [.a([10, 244, 0, 4])])
        #expect(try ask("kubernetes.default.svc.cluster.local", .a).answers.map(\.data) == [.a([10, 96, 0, 1])])
        let srv = try ask("_web._tcp.nginx.default.svc.cluster.local", .srv)
        #expect(srv.answers.contains { $0.data == .srv(priority: 0, weight: 100, port: 80, target: "web-0.nginx.default.svc.cluster.local") })
        #expect(srv.additionals.contains { $0.name == "web-0.nginx.default.svc.cluster.local" })
        #expect(try ask("4.0.244.10.in-addr.arpa", .ptr).answers.map(\.data) == [.ptr("web-0.nginx.default.svc.cluster.local")])
        #expect(try ask("10.0.96.10.in-addr.arpa", .ptr).answers.map(\.data) == [.ptr("kube-dns.kube-system.svc.cluster.local")])
        let missing = try ask("nope.default.svc.cluster.local", .a)
        #expect(missing.responseCode == .nameError)
        #expect(missing.authorities.first?.type == .soa)
        let noData = try ask("nginx.default.svc.cluster.local", .aaaa)
        #expect(noData.responseCode == .noError && noData.answers.isEmpty && noData.authorities.count == 1)
        // busybox's `nslookup web-0.nginx` from a pod in default: completed on the server.
        let completed = try #require(records.completeSearchPath(try DNSMessage(parsing: query("web-0.nginx", .a)), client: "10.244.0.9"))
        #expect(completed.answers.first?.data == .cname("web-0.nginx.default.svc.cluster.local"))
        #expect(completed.answers.last?.data == .a([10, 244, 0, 4]))
        #expect(records.completeSearchPath(try DNSMessage(parsing: query("example.com", .a)), client: "10.244.0.9") == nil)
    }
}

enum Fixtures {
    static func records() throws -> ClusterDNSRecords {
        let services = try [
            """
            {"metadata":{"name":"nginx","namespace":"default"},"spec":{"clusterIP":"None","ports":[{"name":"web","port":80}]}}
            """,
            """
            {"metadata":{"name":"kubernetes","namespace":"default"},"spec":{"clusterIP":"10.96.0.1","ports":[{"name":"https","port":443}]}}
            """,
            """
            {"metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"10.96.0.10","ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}
            """,
        ].map { try JSONValue(json: Data($0.utf8)).decode(Service.self) }
        let slice = try JSONValue(json: Data("""
            {"metadata":{"name":"nginx-abc","namespace":"default","labels":{"kubernetes.io/service-name":"nginx"}},"addressType":"IPv4",
             "ports":[{"name":"web","port":80,"protocol":"TCP"}],
             "endpoints":[{"addresses":["10.244.0.4"],"hostname":"web-0","conditions":{"ready":true}},
                          {"addresses":["10.244.0.5"],"hostname":"web-1","conditions":{"ready":true}},
                          {"addresses":["10.244.0.6"],"hostname":"web-2","conditions":{"ready":false}}]}
            """.utf8)).decode(EndpointSlice.self)
        let client = try JSONValue(json: Data("""
            {"metadata":{"name":"busybox","namespace":"default"},"spec":{"containers":[]},"status":{"podIP":"10.244.0.9"}}
            """.utf8)).decode(Pod.self)
        return ClusterDNSRecords(services: services, slices: [slice], pods: [client])
    }
}

/// A deterministic generator for the fuzz loop.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state ^ (state >> 29)
    }
}
