/// A DNS message (RFC 1035 §4) with the record types cluster DNS answers: A, AAAA, SRV, PTR,
/// SOA, and EDNS0's OPT (RFC 6891). Parsing follows compression pointers (with a loop guard)
/// and rejects anything malformed; serializing compresses names and truncates (TC) to a size.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse = false
    public var opcode: UInt8 = 0
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    public var responseCode: ResponseCode = .noError
    public var questions: [Question] = []
    public var answers: [ResourceRecord] = []
    public var authorities: [ResourceRecord] = []
    public var additionals: [ResourceRecord] = []

    public init(id: UInt16) { self.id = id }

    public enum ResponseCode: UInt8, Sendable {
        case noError = 0, formatError = 1, serverFailure = 2, nameError = 3, notImplemented = 4, refused = 5
    }

    public enum RecordType: Sendable, Equatable, Hashable {
        case a, ns, cname, soa, ptr, aaaa, srv, opt, any
        case other(UInt16)

        public init(_ value: UInt16) {
            switch value {
            case 1: self = .a
            case 2: self = .ns
            case 5: self = .cname
            case 6: self = .soa
            case 12: self = .ptr
            case 28: self = .aaaa
            case 33: self = .srv
            case 41: self = .opt
            case 255: self = .any
            default: self = .other(value)
            }
        }

        public var value: UInt16 {
            switch self {
            case .a: 1
            case .ns: 2
            case .cname: 5
            case .soa: 6
            case .ptr: 12
            case .aaaa: 28
            case .srv: 33
            case .opt: 41
            case .any: 255
            case .other(let value): value
            }
        }
    }

    public struct Question: Sendable, Equatable {
        /// Lower-case, without the trailing dot (`nginx.default.svc.cluster.local`).
        public var name: String
        public var type: RecordType
        public var recordClass: UInt16 = 1

        public init(name: String, type: RecordType, recordClass: UInt16 = 1) {
            self.name = name
            self.type = type
            self.recordClass = recordClass
        }
    }

    public struct ResourceRecord: Sendable, Equatable {
        public var name: String
        public var ttl: UInt32
        public var data: RecordData
        /// The class (IN = 1), or the UDP payload size for OPT.
        public var recordClass: UInt16 = 1

        public init(name: String, ttl: UInt32, data: RecordData, recordClass: UInt16 = 1) {
            self.name = name
            self.ttl = ttl
            self.data = data
            self.recordClass = recordClass
        }

        public var type: RecordType {
            switch data {
            case .a: .a
            case .aaaa: .aaaa
            case .ptr: .ptr
            case .cname: .cname
            case .srv: .srv
            case .soa: .soa
            case .opt: .opt
            case .raw(let type, _): .other(type)
            }
        }
    }

    public enum RecordData: Sendable, Equatable {
        case a([UInt8])
        case aaaa([UInt8])
        case ptr(String)
        case cname(String)
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
        case soa(primary: String, mailbox: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)
        /// EDNS0: options kept as bytes.
        case opt([UInt8])
        case raw(type: UInt16, [UInt8])
    }

    /// The UDP payload size the client announced with EDNS0 (512 without it).
    public var udpPayloadSize: Int {
        guard let opt = additionals.first(where: { $0.type == .opt }) else { return 512 }
        return max(512, Int(opt.recordClass))
    }
}

/// Why a message could not be read.
public struct DNSFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension DNSMessage {
    // MARK: - Parsing

    public init(parsing bytes: [UInt8]) throws(DNSFormatError) {
        var reader = Reader(bytes: bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        opcode = UInt8(flags >> 11 & 0xF)
        authoritative = flags & 0x0400 != 0
        truncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        responseCode = ResponseCode(rawValue: UInt8(flags & 0xF)) ?? .serverFailure
        let counts = [try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16()]
        guard counts.reduce(0, { $0 + Int($1) }) <= 512 else { throw DNSFormatError("too many records") }
        for _ in 0..<counts[0] {
            let name = try reader.name()
            questions.append(Question(name: name, type: RecordType(try reader.u16()), recordClass: try reader.u16()))
        }
        for _ in 0..<counts[1] { answers.append(try reader.record()) }
        for _ in 0..<counts[2] { authorities.append(try reader.record()) }
        for _ in 0..<counts[3] { additionals.append(try reader.record()) }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u8() throws(DNSFormatError) -> UInt8 {
            guard offset < bytes.count else { throw DNSFormatError("message too short") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws(DNSFormatError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
        mutating func u32() throws(DNSFormatError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

        mutating func take(_ count: Int) throws(DNSFormatError) -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw DNSFormatError("message too short") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// A name at the current offset, following compression pointers (at most 32 jumps).
        mutating func name() throws(DNSFormatError) -> String {
            var labels: [String] = []
            var position = offset
            var jumped = false
            var jumps = 0
            var length = 0
            while true {
                guard position < bytes.count else { throw DNSFormatError("name runs past the message") }
                let size = Int(bytes[position])
                if size == 0 {
                    if !jumped { offset = position + 1 }
                    break
                }
                if size & 0xC0 == 0xC0 {
                    guard position + 1 < bytes.count else { throw DNSFormatError("truncated pointer") }
                    let target = (size & 0x3F) << 8 | Int(bytes[position + 1])
                    jumps += 1
                    guard jumps <= 32, target < position else { throw DNSFormatError("bad compression pointer") }
                    if !jumped { offset = position + 2 }
                    jumped = true
                    position = target
                    continue
                }
                guard size & 0xC0 == 0 else { throw DNSFormatError("bad label type") }
                guard position + 1 + size <= bytes.count else { throw DNSFormatError("label runs past the message") }
                length += size + 1
                guard length <= 255 else { throw DNSFormatError("name too long") }
                labels.append(String(decoding: bytes[position + 1..<position + 1 + size], as: UTF8.self).lowercased())
                position += 1 + size
            }
            return labels.joined(separator: ".")
        }

        mutating func record() throws(DNSFormatError) -> ResourceRecord {
            let name = try name()
            let type = try u16()
            let recordClass = try u16()
            let ttl = try u32()
            let length = Int(try u16())
            let end = offset + length
            guard end <= bytes.count else { throw DNSFormatError("record data runs past the message") }
            let data: RecordData
            switch RecordType(type) {
            case .a where length == 4: data = .a(try take(4))
            case .aaaa where length == 16: data = .aaaa(try take(16))
            case .ptr: data = .ptr(try self.name())
            case .cname: data = .cname(try self.name())
            case .srv: data = .srv(priority: try u16(), weight: try u16(), port: try u16(), target: try self.name())
            case .soa:
                data = .soa(primary: try self.name(), mailbox: try self.name(), serial: try u32(), refresh: try u32(),
                            retry: try u32(), expire: try u32(), minimum: try u32())
            case .opt: data = .opt(try take(length))
            default: data = .raw(type: type, try take(length))
            }
            guard offset == end else { throw DNSFormatError("record data length mismatch") }
            return ResourceRecord(name: name, ttl: ttl, data: data, recordClass: recordClass)
        }
    }

    // MARK: - Serializing

    /// The wire form, compressed; when longer than `limit`, records are dropped from the end
    /// and TC is set (the client retries over TCP).
    public func serialized(limit: Int = 65535) -> [UInt8] {
        var writer = Writer()
        let sections = [answers, authorities, additionals]
        writer.header(self, counts: [questions.count] + sections.map(\.count), truncated: truncated)
        for question in questions {
            writer.name(question.name)
            writer.u16(question.type.value)
            writer.u16(question.recordClass)
        }
        var written = [0, 0, 0]
        var truncatedNow = truncated
        outer: for (index, section) in sections.enumerated() {
            for record in section {
                let mark = writer.bytes.count
                let names = writer.names
                writer.record(record)
                if writer.bytes.count > limit {
                    writer.bytes.removeSubrange(mark...)
                    writer.names = names
                    truncatedNow = true
                    break outer
                }
                written[index] += 1
            }
        }
        if written != sections.map(\.count) || truncatedNow != truncated {
            var header = Writer()
            header.header(self, counts: [questions.count] + written, truncated: truncatedNow)
            writer.bytes.replaceSubrange(0..<12, with: header.bytes)
        }
        return writer.bytes
    }

    struct Writer {
        var bytes: [UInt8] = []
        /// Offsets of names already written, for compression.
        var names: [String: Int] = [:]

        mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
        mutating func u32(_ value: UInt32) { u16(UInt16(value >> 16)); u16(UInt16(value & 0xFFFF)) }

        mutating func header(_ message: DNSMessage, counts: [Int], truncated: Bool) {
            u16(message.id)
            var flags: UInt16 = message.isResponse ? 0x8000 : 0
            flags |= UInt16(message.opcode & 0xF) << 11
            if message.authoritative { flags |= 0x0400 }
            if truncated { flags |= 0x0200 }
            if message.recursionDesired { flags |= 0x0100 }
            if message.recursionAvailable { flags |= 0x0080 }
            flags |= UInt16(message.responseCode.rawValue)
            u16(flags)
            for count in counts { u16(UInt16(count)) }
        }

        mutating func name(_ name: String) {
            var labels = name.split(separator: ".").map(String.init)
            while !labels.isEmpty {
                let suffix = labels.joined(separator: ".")
                if let offset = names[suffix] {
                    u16(0xC000 | UInt16(offset))
                    return
                }
                if bytes.count < 0x3FFF { names[suffix] = bytes.count }
                let label = Array(labels.removeFirst().utf8.prefix(63))
                bytes.append(UInt8(label.count))
                bytes += label
            }
            bytes.append(0)
        }

        mutating func record(_ record: ResourceRecord) {
            name(record.name)
            u16(record.type.value)
            u16(record.recordClass)
            u32(record.ttl)
            let lengthAt = bytes.count
            u16(0)
            switch record.data {
            case .a(let address), .aaaa(let address): bytes += address
            case .ptr(let target), .cname(let target): name(target)
            case .srv(let priority, let weight, let port, let target):
                u16(priority); u16(weight); u16(port)
                name(target)
            case .soa(let primary, let mailbox, let serial, let refresh, let retry, let expire, let minimum):
                name(primary)
                name(mailbox)
                for value in [serial, refresh, retry, expire, minimum] { u32(value) }
            case .opt(let data), .raw(_, let data): bytes += data
            }
            let length = bytes.count - lengthAt - 2
            bytes[lengthAt] = UInt8(length >> 8)
            bytes[lengthAt + 1] = UInt8(length & 0xFF)
        }
    }
}
