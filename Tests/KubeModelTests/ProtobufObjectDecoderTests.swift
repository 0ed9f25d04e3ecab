import Foundation
import Testing
@testable import KubeModel

/// Bodies as kubectl encodes them (`k8s\0` + runtime.Unknown), built field by field.
@Suite struct ProtobufObjectDecoderTests {
    static func varint(_ value: Int) -> [UInt8] {
        var value = UInt64(value), bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    static func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(bytes.count) + bytes }
    static func field(_ number: Int, _ string: String) -> [UInt8] { field(number, Array(string.utf8)) }
    static func flag(_ number: Int, _ value: Bool) -> [UInt8] { varint(number << 3) + [value ? 1 : 0] }
    static func entry(_ number: Int, _ key: String, _ value: String) -> [UInt8] { field(number, field(1, key) + field(2, value)) }

    static func envelope(kind: String, apiVersion: String = "v1", _ raw: [UInt8]) -> Data {
        Data([0x6B, 0x38, 0x73, 0x00] + field(1, field(1, apiVersion) + field(2, kind)) + field(2, raw)
            + field(4, "application/vnd.kubernetes.protobuf"))
    }

    @Test func configMapWithLabels() throws {
        let meta = Self.field(1, "cm1") + Self.field(3, "default") + Self.entry(11, "app", "web")
        let body = Self.envelope(kind: "ConfigMap", Self.field(1, meta) + Self.entry(2, "a", "b") + Self.entry(3, "bin", "\u{1}\u{2}")
            + Self.flag(4, true))
        let object = try ProtobufObjectDecoder.decode(body)
        #expect(object["kind"] == "ConfigMap")
        #expect(object[path: ["metadata", "name"]] == "cm1")
        #expect(object[path: ["metadata", "labels", "app"]] == "web")
        #expect(object[path: ["data", "a"]] == "b")
        #expect(object[path: ["binaryData", "bin"]] == .string(Data([1, 2]).base64EncodedString()))
        #expect(object["immutable"] == .bool(true))
    }

    @Test func secretDataIsBase64AsInJSON() throws {
        let body = Self.envelope(kind: "Secret", Self.field(1, Self.field(1, "s1")) + Self.entry(2, "pw", "hunter2") + Self.field(3, "Opaque"))
        let object = try ProtobufObjectDecoder.decode(body)
        #expect(object[path: ["data", "pw"]] == .string(Data("hunter2".utf8).base64EncodedString()))
        #expect(object["type"] == "Opaque")
    }

    static func number(_ field: Int, _ value: Int) -> [UInt8] { varint(field << 3) + varint(value) }

    /// What `kubectl create service nodeport web --tcp=80:http` sends, zero values included (the Go
    /// encoder writes empty strings and zeros of non-pointer fields).
    @Test func serviceWithNamedTargetPortAndZeroValues() throws {
        let targetPort = Self.number(1, 1) + Self.number(2, 0) + Self.field(3, "http")
        let port = Self.field(1, "80-http") + Self.field(2, "TCP") + Self.number(3, 80) + Self.field(4, targetPort)
            + Self.number(5, 0)
        let udp = Self.field(1, "dns") + Self.field(2, "UDP") + Self.number(3, 53) + Self.field(4, Self.number(1, 0) + Self.number(2, 5353))
            + Self.number(5, 30053)
        let affinity = Self.field(1, Self.number(1, 10800))
        let spec = Self.field(1, port) + Self.field(1, udp) + Self.entry(2, "app", "web") + Self.field(3, "") + Self.field(4, "NodePort")
            + Self.field(7, "") + Self.field(10, "") + Self.number(12, 0) + Self.flag(13, false) + Self.field(14, affinity)
            + Self.field(18, "10.96.0.50") + Self.field(19, "IPv4") + Self.flag(20, true)
        let body = Self.envelope(kind: "Service", Self.field(1, Self.field(1, "web") + Self.entry(11, "app", "web")) + Self.field(2, spec))
        let object = try ProtobufObjectDecoder.decode(body)
        #expect(object[path: ["metadata", "name"]] == "web")
        #expect(object["spec"] == [
            "ports": [
                ["name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http"],
                ["name": "dns", "protocol": "UDP", "port": 53, "targetPort": 5353, "nodePort": 30053],
            ],
            "selector": ["app": "web"],
            "type": "NodePort",
            "sessionAffinityConfig": ["clientIP": ["timeoutSeconds": 10800]],
            "clusterIPs": ["10.96.0.50"],
            "ipFamilies": ["IPv4"],
            "allocateLoadBalancerNodePorts": true,
        ])
    }

    @Test func namespaceAndErrors() throws {
        let namespace = try ProtobufObjectDecoder.decode(Self.envelope(kind: "Namespace", Self.field(1, Self.field(1, "team-a"))))
        #expect(namespace[path: ["metadata", "name"]] == "team-a")
        #expect(throws: ProtobufObjectDecoder.DecodingError.self) { try ProtobufObjectDecoder.decode(Data("{}".utf8)) }
        #expect(throws: ProtobufObjectDecoder.DecodingError.self) {
            try ProtobufObjectDecoder.decode(Self.envelope(kind: "Deployment", apiVersion: "apps/v1", []))
        }
        var truncated = Array(Self.envelope(kind: "ConfigMap", Self.field(1, Self.field(1, "x"))))
        truncated.removeLast(2)
        #expect(throws: ProtobufObjectDecoder.DecodingError.self) { try ProtobufObjectDecoder.decode(Data(truncated)) }
    }
}
