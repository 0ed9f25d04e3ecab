import Foundation

/// A hand-written JSON reader and writer for `JSONValue`: an order of magnitude faster than
/// going through `JSONDecoder`/`JSONEncoder` (every stored object passes through them), with
/// errors worded as Go's encoding/json words them and naming the line.
extension JSONValue {
    /// Malformed JSON: `invalid character 'x' looking for beginning of value` at a line and column.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        /// 1-based.
        public var line: Int
        /// 1-based, in bytes.
        public var column: Int
        /// 0-based byte offset.
        public var offset: Int

        public var description: String { "\(message) (line \(line), column \(column))" }
    }

    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses one JSON document (surrounding whitespace allowed).
    public static func parse(_ data: Data) throws(ParseError) -> JSONValue {
        let result: Result<JSONValue, ParseError> = data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(ParseError) {
                parser.skipWhitespace()
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                if parser.position < parser.bytes.count {
                    throw parser.error("invalid character \(parser.quoted(parser.bytes[parser.position])) after top-level value")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ message: String, at offset: Int? = nil) -> ParseError {
            let end = min(offset ?? position, bytes.count)
            var line = 1
            var lineStart = 0
            for i in 0..<end where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return ParseError(message: message, line: line, column: end - lineStart + 1, offset: end)
        }

        /// A byte as Go quotes it in errors: `'x'`, `'\n'`.
        func quoted(_ byte: UInt8) -> String {
            switch byte {
            case 0x0A: return "'\\n'"
            case 0x0D: return "'\\r'"
            case 0x09: return "'\\t'"
            case 0x27: return "'\\''"
            case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
            default: return String(format: "'\\x%02x'", byte)
            }
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        var endError: ParseError { error("unexpected end of JSON input") }

        mutating func parseValue(depth: Int) throws(ParseError) -> JSONValue {
            guard position < bytes.count else { throw endError }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                guard depth < JSONValue.maximumDepth else { throw error("exceeded max depth") }
                return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < JSONValue.maximumDepth else { throw error("exceeded max depth") }
                return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            case let byte:
                throw error("invalid character \(quoted(byte)) looking for beginning of value")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(ParseError) {
            let start = position
            for i in 0..<literal.utf8CodeUnitCount {
                guard position < bytes.count else { throw endError }
                let expected = literal.utf8Start[i]
                if bytes[position] != expected {
                    let name = String(decoding: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount), as: UTF8.self)
                    throw error("invalid character \(quoted(bytes[position])) in literal \(name) (expecting \(quoted(expected)))")
                }
                position += 1
            }
            _ = start
        }

        mutating func parseObject(depth: Int) throws(ParseError) -> JSONValue {
            position += 1  // {
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            guard position < bytes.count else { throw endError }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count else { throw endError }
                guard bytes[position] == UInt8(ascii: "\"") else {
                    throw error("invalid character \(quoted(bytes[position])) looking for beginning of object key string")
                }
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count else { throw endError }
                guard bytes[position] == UInt8(ascii: ":") else {
                    throw error("invalid character \(quoted(bytes[position])) after object key")
                }
                position += 1
                skipWhitespace()
                members[key] = try parseValue(depth: depth)
                skipWhitespace()
                guard position < bytes.count else { throw endError }
                switch bytes[position] {
                case UInt8(ascii: ","):
                    position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                case let byte:
                    throw error("invalid character \(quoted(byte)) after object key:value pair")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(ParseError) -> JSONValue {
            position += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            guard position < bytes.count else { throw endError }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth))
                skipWhitespace()
                guard position < bytes.count else { throw endError }
                switch bytes[position] {
                case UInt8(ascii: ","):
                    position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(items)
                case let byte:
                    throw error("invalid character \(quoted(byte)) after array element")
                }
            }
        }

        mutating func parseString() throws(ParseError) -> String {
            position += 1  // opening quote
            let start = position
            // Fast path: no escapes.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("invalid character \(quoted(byte)) in string literal") }
                position += 1
            }
            guard position < bytes.count else { throw endError }
            var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: buffer, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    position += 1
                    guard position < bytes.count else { throw endError }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""): buffer.append(0x22)
                    case UInt8(ascii: "\\"): buffer.append(0x5C)
                    case UInt8(ascii: "/"): buffer.append(0x2F)
                    case UInt8(ascii: "b"): buffer.append(0x08)
                    case UInt8(ascii: "f"): buffer.append(0x0C)
                    case UInt8(ascii: "n"): buffer.append(0x0A)
                    case UInt8(ascii: "r"): buffer.append(0x0D)
                    case UInt8(ascii: "t"): buffer.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try parseHex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            // A high surrogate must be followed by `\u` and a low one.
                            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                                let saved = position
                                position += 2
                                let low = try parseHex4()
                                if (0xDC00..<0xE000).contains(low) {
                                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                } else {
                                    position = saved
                                    scalar = 0xFFFD
                                }
                            } else {
                                scalar = 0xFFFD
                            }
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            scalar = 0xFFFD
                        }
                        buffer.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                    default:
                        throw error("invalid character \(quoted(escape)) in string escape code", at: position - 1)
                    }
                default:
                    if byte < 0x20 { throw error("invalid character \(quoted(byte)) in string literal") }
                    buffer.append(byte)
                    position += 1
                }
            }
            throw endError
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard position < bytes.count else { throw endError }
                let byte = bytes[position]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid character \(quoted(byte)) in \\u hexadecimal character escape")
                }
                value = value * 16 + digit
                position += 1
            }
            return value
        }

        mutating func parseNumber() throws(ParseError) -> JSONValue {
            let start = position
            var negative = false
            if bytes[position] == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
            guard position < bytes.count else { throw endError }
            guard isDigit(bytes[position]) else {
                throw error("invalid character \(quoted(bytes[position])) in numeric literal")
            }
            var integer: Int64 = 0
            var overflow = false
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < bytes.count, isDigit(bytes[position]) {
                    let digit = Int64(bytes[position] - UInt8(ascii: "0"))
                    // Accumulate negatively so Int64.min fits.
                    let (m, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(digit)
                    overflow = overflow || o1 || o2
                    integer = s
                    position += 1
                }
            }
            var isInteger = true
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard position < bytes.count else { throw endError }
                guard isDigit(bytes[position]) else {
                    throw error("invalid character \(quoted(bytes[position])) after decimal point in numeric literal")
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    position += 1
                }
                guard position < bytes.count else { throw endError }
                guard isDigit(bytes[position]) else {
                    throw error("invalid character \(quoted(bytes[position])) in exponent of numeric literal")
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if isInteger && !overflow {
                if negative { return .int(integer) }
                let (positive, o) = (0 as Int64).subtractingReportingOverflow(integer)
                if !o { return .int(positive) }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let double = Double(text), double.isFinite else {
                throw error("number \(text) is out of range", at: start)
            }
            // Integral values that fit are integers, as JSONValue's Codable form reads them.
            if double == double.rounded(), double >= -9.223372036854775808e18, double < 9.223372036854775808e18 {
                return .int(Int64(double))
            }
            return .double(double)
        }
    }

    // MARK: Writing

    /// Compact JSON with sorted keys and unescaped slashes, byte for byte what `JSONEncoder`
    /// with `[.sortedKeys, .withoutEscapingSlashes]` writes.
    public func serialized() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(to: &out)
        return out
    }

    /// Non-finite numbers cannot be written as JSON.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    func write(to out: inout [UInt8]) throws {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            out.append(contentsOf: String(value).utf8)
        case .double(let value):
            guard value.isFinite else { throw WriteError(description: "unable to encode \(value) as JSON") }
            var text = "\(value)"
            if text.hasSuffix(".0") { text.removeLast(2) }
            out.append(contentsOf: text.utf8)
        case .string(let value):
            Self.writeString(value, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try members[key]?.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
