import Foundation
import Testing
@testable import KubeModel

/// A minimal protobuf reader for checking the encoder's output.
private struct Fields {
    var entries: [(field: Int, bytes: [UInt8], varint: UInt64)] = []

    init(_ bytes: [UInt8]) throws {
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count else { throw CocoaError(.coderReadCorrupt) }
                let byte = bytes[index]; index += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0: entries.append((Int(key >> 3), [], try varint()))
            case 2:
                let length = Int(try varint())
                guard index + length <= bytes.count else { throw CocoaError(.coderReadCorrupt) }
                entries.append((Int(key >> 3), Array(bytes[index..<index + length]), 0))
                index += length
            default: throw CocoaError(.coderReadCorrupt)
            }
        }
    }

    func all(_ field: Int) -> [[UInt8]] { entries.filter { $0.field == field }.map(\.bytes) }
    func string(_ field: Int) -> String? { all(field).first.map { String(decoding: $0, as: UTF8.self) } }
}

@Suite struct OpenAPIV2Tests {
    @Test func swaggerJSON() throws {
        let document = OpenAPIDocuments.swaggerV2()
        #expect(document["swagger"] == .string("2.0"))
        let statefulSet = try #require(document[path: ["definitions", "io.k8s.api.apps.v1.StatefulSet"]])
        #expect(statefulSet[path: ["properties", "spec", "$ref"]] == .string("#/definitions/io.k8s.api.apps.v1.StatefulSetSpec"))
        #expect(document[path: ["definitions", "io.k8s.apimachinery.pkg.api.resource.Quantity", "type"]] == .string("string"))
        let patch = try #require(document[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}", "patch"]])
        #expect(patch["consumes"]?.arrayValue?.contains(.string("application/strategic-merge-patch+json")) == true)
        #expect(patch["parameters"]?.arrayValue?.first?["in"] == .string("body"))
        #expect(patch["parameters"]?.arrayValue?.contains { $0["name"] == .string("fieldValidation") && $0["type"] == .string("string") } == true)
        #expect(document[path: ["paths", "/api/v1/namespaces/{namespace}/pods/{name}", "get"]] != nil)
        let (json, hash) = OpenAPIDocuments.swaggerV2JSON()
        #expect(hash == SHA512.hexDigest(json))
    }

    @Test func protobufDocument() throws {
        let (data, hash) = OpenAPIDocuments.swaggerV2Protobuf()
        #expect(hash == SHA512.hexDigest(data))
        let document = try Fields(Array(data))
        #expect(document.string(1) == "2.0")
        let info = try Fields(try #require(document.all(2).first))
        #expect(info.string(1) == "Kubernetes")
        // definitions (9) → NamedSchema (1) { name (1), Schema (2) }
        let definitions = try Fields(try #require(document.all(9).first))
        var statefulSet: Fields?
        for named in definitions.all(1) {
            let fields = try Fields(named)
            if fields.string(1) == "io.k8s.api.apps.v1.StatefulSet" { statefulSet = try Fields(try #require(fields.all(2).first)) }
        }
        let schema = try #require(statefulSet)
        // vendor_extension (31) → NamedAny { name, Any { yaml (2) } }
        let extensions = try schema.all(31).map { try Fields($0) }
        let gvk = try #require(extensions.first { $0.string(1) == "x-kubernetes-group-version-kind" })
        let yaml = try Fields(try #require(gvk.all(2).first)).string(2)
        #expect(yaml == #"[{"group":"apps","kind":"StatefulSet","version":"v1"}]"# + "\n")
        let type = try Fields(try #require(schema.all(22).first))
        #expect(type.string(1) == "object")
        // paths (8) → NamedPathItem (2)
        let paths = try Fields(try #require(document.all(8).first))
        let names = try paths.all(2).compactMap { try Fields($0).string(1) }
        #expect(names.contains("/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"))
    }

    @Test func varints() {
        var message = ProtobufV2.Message()
        message.varint(300)
        #expect(message.bytes == [0xac, 0x02])
        var strings = ProtobufV2.Message()
        strings.string(1, "hi")
        #expect(strings.bytes == [0x0a, 0x02, 0x68, 0x69])
    }
}
