import Foundation
import Testing
@testable import KubeModel

@Suite struct JSONValueParsingTests {
    /// The reference: JSONValue's Codable form through Foundation.
    func foundationDecode(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func foundationEncode(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test(arguments: [
        "1", "1.0", "1e3", "-0", "1.5", "12345678901234567890", "1E2", "-1.5e-3", "0.1", "-9223372036854775808",
        "9223372036854775807", "9223372036854775808", "100000000000000000000.0", #""\u00e9\/x\ud83d\ude00""#,
        "[1,2.50,true,false,null]", #"{"b":1,"a":{"c":[{}]},"é":"x"}"#, "  [ ]  ", #""a\"b\\c\n\t\r\b\f""#,
        #"{"kind":"Pod","metadata":{"name":"web-0","labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":80}]}]}}"#,
    ])
    func matchesFoundation(text: String) throws {
        let fast = try JSONValue.parse(Data(text.utf8))
        #expect(fast == (try foundationDecode(text)))
        #expect(try fast.serialized() == (try foundationEncode(fast)))
    }

    @Test func writerMatchesFoundation() throws {
        var members: [String: JSONValue] = [:]
        for key in ["a10", "a2", "B", "a", "_x", "Z", "é", "1", "10", "9", "kubernetes.io/x"] { members[key] = .int(1) }
        var controls = ""
        for c in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        let doubles: [JSONValue] = [0.1, 2.5, 1e21, 1e-7, 123456789.123, 5e-324, 1e16, 3.0, -0.5, 1e15, 123456789.0].map { .double($0) }
        let value: JSONValue = .object([
            "keys": .object(members), "controls": .string(controls + "\u{7f}é/<>&\u{2028}\"\\"),
            "doubles": .array(doubles), "ints": .array([.int(0), .int(-1), .int(Int64.max), .int(Int64.min)]),
        ])
        #expect(try value.serialized() == (try foundationEncode(value)))
        #expect(try JSONValue.parse(Data(try value.serialized())) == (try foundationDecode(String(decoding: try value.serialized(), as: UTF8.self))))
    }

    @Test(arguments: [
        ("", "unexpected end of JSON input", 1, 1),
        ("{\"a\":1,}", "invalid character '}' looking for beginning of object key string", 1, 8),
        ("{\n  \"a\" 1}", "invalid character '1' after object key", 2, 7),
        ("[1 2]", "invalid character '2' after array element", 1, 4),
        ("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair", 1, 8),
        ("x", "invalid character 'x' looking for beginning of value", 1, 1),
        ("tru", "unexpected end of JSON input", 1, 4),
        ("{} {}", "invalid character '{' after top-level value", 1, 4),
        ("\"a\nb\"", "invalid character '\\n' in string literal", 1, 3),
        ("1e400", "number 1e400 is out of range", 1, 1),
        ("-", "unexpected end of JSON input", 1, 2),
        ("01", "invalid character '1' after top-level value", 1, 2),
    ])
    func errorsNameTheLine(text: String, message: String, line: Int, column: Int) {
        #expect {
            _ = try JSONValue.parse(Data(text.utf8))
        } throws: { error in
            guard let error = error as? JSONValue.ParseError else { return false }
            return error.message == message && error.line == line && error.column == column
        }
    }

    @Test func depthIsLimited() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Data(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue.parse(Data(fine.utf8)) }
    }

    @Test func seedRoundTrip() throws {
        for document in try ManifestDecoder.documents(from: SeedManifests.all) {
            let bytes = try document.serialized()
            #expect(bytes == (try foundationEncode(document)))
            #expect(try JSONValue.parse(Data(bytes)) == document)
        }
    }
}
