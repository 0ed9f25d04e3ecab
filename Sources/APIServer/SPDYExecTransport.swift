import CZlib
import KubeClient
import NIOCore

/// `v4.channel.k8s.io` (or v5) over SPDY/3.1, as kubectl 1.27–1.29 speak it (and 1.30+ when
/// WebSocket is refused): the client opens one stream per channel with SYN_STREAM (header
/// `streamtype`: error, stdin, stdout, stderr, resize); the server answers each with SYN_REPLY,
/// writes DATA on stdout/stderr/error, and ends every stream with FLAG_FIN. Header blocks are
/// zlib streams with SPDY/3's dictionary, one per direction for the whole connection.
struct SPDYExecTransport: ExecTransport {
    let request: ExecRequest
    private var streams: [ExecChannel: UInt32] = [:]
    private var streamTypes: [UInt32: ExecChannel] = [:]
    private var resizeBuffer: [UInt8] = []
    private var lastStreamID: UInt32 = 0
    private var announcedReady = false
    private let inflater: SPDYHeaderCompression
    private let deflater: SPDYHeaderCompression

    static let maxFrameSize = 16 * 1024 * 1024
    static let flagFin: UInt8 = 0x01

    init(request: ExecRequest) throws {
        self.request = request
        inflater = try SPDYHeaderCompression(compressing: false)
        deflater = try SPDYHeaderCompression(compressing: true)
    }

    var readyAtStart: Bool { false }

    /// The 101 response.
    static func upgradeResponse(protocolName: String) -> String {
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
            + "X-Stream-Protocol-Version: \(protocolName)\r\n\r\n"
    }

    /// The streams kubelet waits for before it runs the command.
    private var expected: [ExecChannel] {
        var channels: [ExecChannel] = [.error]
        if request.stdin { channels.append(.stdin) }
        if request.stdout { channels.append(.stdout) }
        if request.stderr && !request.tty { channels.append(.stderr) }
        if request.tty { channels.append(.resize) }
        return channels
    }

    mutating func receive(_ buffer: inout ByteBuffer) throws -> [ExecClientEvent] {
        var events: [ExecClientEvent] = []
        while let frame = try Self.parseFrame(&buffer) {
            if frame.control {
                events += try control(type: frame.type, flags: frame.flags, data: frame.data)
            } else {
                events += data(stream: frame.streamID, flags: frame.flags, payload: frame.data)
            }
        }
        if !announcedReady && expected.allSatisfy({ streams[$0] != nil }) {
            announcedReady = true
            events.append(.ready)
        }
        return events
    }

    private mutating func control(type: UInt16, flags: UInt8, data: [UInt8]) throws -> [ExecClientEvent] {
        var reader = ByteBuffer(bytes: data)
        switch type {
        case 1:  // SYN_STREAM
            guard let id: UInt32 = reader.readInteger(), reader.readInteger(as: UInt32.self) != nil,
                  reader.readInteger(as: UInt16.self) != nil else { throw ExecProtocolError("spdy: short SYN_STREAM") }
            let streamID = id & 0x7FFF_FFFF
            let headers = try SPDYHeaderBlock.decode(inflater.process(reader.readBytes(length: reader.readableBytes) ?? []))
            lastStreamID = max(lastStreamID, streamID)
            let type = headers.first { $0.name == "streamtype" }?.value ?? ""
            let channel: ExecChannel? = switch type {
            case "error": .error
            case "stdin": .stdin
            case "stdout": .stdout
            case "stderr": .stderr
            case "resize": .resize
            default: nil
            }
            if let channel {
                streams[channel] = streamID
                streamTypes[streamID] = channel
            }
            var events: [ExecClientEvent] = [.reply(try synReply(streamID))]
            if flags & Self.flagFin != 0, channel == .stdin { events.append(.stdinClosed) }
            return events
        case 3:  // RST_STREAM
            guard let id: UInt32 = reader.readInteger() else { return [] }
            return streamTypes[id & 0x7FFF_FFFF] == .stdin ? [.stdinClosed] : []
        case 6:  // PING: echo it
            return [.reply(Self.controlFrame(type: 6, flags: 0, data: data))]
        case 7:  // GOAWAY
            return [.closed]
        case 8:  // HEADERS: decompress to keep the zlib stream in step
            guard reader.readInteger(as: UInt32.self) != nil else { return [] }
            _ = try inflater.process(reader.readBytes(length: reader.readableBytes) ?? [])
            return []
        default:  // SYN_REPLY, SETTINGS, WINDOW_UPDATE, …
            return []
        }
    }

    private mutating func data(stream: UInt32, flags: UInt8, payload: [UInt8]) -> [ExecClientEvent] {
        var events: [ExecClientEvent] = []
        switch streamTypes[stream] {
        case .stdin:
            if !payload.isEmpty { events.append(.stdin(payload)) }
            if flags & Self.flagFin != 0 { events.append(.stdinClosed) }
        case .resize:
            // A stream of JSON objects, one per line (Go's json.Encoder).
            resizeBuffer += payload
            while let newline = resizeBuffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = resizeBuffer[..<newline]
                resizeBuffer.removeSubrange(...newline)
                if let size = decodeTerminalSize(Array(line)) { events.append(.resize(width: size.width, height: size.height)) }
            }
        default:
            break
        }
        return events
    }

    private func synReply(_ streamID: UInt32) throws -> ByteBuffer {
        var data: [UInt8] = []
        data += streamID.bigEndianBytes
        data += try deflater.process(SPDYHeaderBlock.encode([]))
        return Self.controlFrame(type: 2, flags: 0, data: data)
    }

    func frame(_ channel: ExecChannel, _ bytes: [UInt8]) -> ByteBuffer {
        guard let id = streams[channel] else { return ByteBuffer() }
        return Self.dataFrame(stream: id, flags: 0, payload: bytes)
    }

    func finish() -> ByteBuffer {
        var buffer = ByteBuffer()
        for channel in [ExecChannel.stdout, .stderr, .error] {
            if let id = streams[channel] {
                var fin = Self.dataFrame(stream: id, flags: Self.flagFin, payload: [])
                buffer.writeBuffer(&fin)
            }
        }
        var goAway = Self.controlFrame(type: 7, flags: 0, data: lastStreamID.bigEndianBytes + UInt32(0).bigEndianBytes)
        buffer.writeBuffer(&goAway)
        return buffer
    }

    static func controlFrame(type: UInt16, flags: UInt8, data: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(0x8003))  // control bit, version 3
        buffer.writeInteger(type)
        buffer.writeInteger(UInt32(flags) << 24 | UInt32(data.count))
        buffer.writeBytes(data)
        return buffer
    }

    static func dataFrame(stream: UInt32, flags: UInt8, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(stream & 0x7FFF_FFFF)
        buffer.writeInteger(UInt32(flags) << 24 | UInt32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }

    struct Frame {
        var control: Bool
        var type: UInt16
        var streamID: UInt32
        var flags: UInt8
        var data: [UInt8]
    }

    static func parseFrame(_ buffer: inout ByteBuffer) throws -> Frame? {
        let start = buffer.readerIndex
        guard let first: UInt32 = buffer.getInteger(at: start), let second: UInt32 = buffer.getInteger(at: start + 4) else { return nil }
        let length = Int(second & 0xFF_FFFF)
        guard length <= maxFrameSize else { throw ExecProtocolError("spdy: frame too large") }
        guard let data = buffer.getBytes(at: start + 8, length: length) else { return nil }
        buffer.moveReaderIndex(to: start + 8 + length)
        let flags = UInt8(second >> 24)
        if first & 0x8000_0000 != 0 {
            let version = UInt16((first >> 16) & 0x7FFF)
            guard version == 3 else { throw ExecProtocolError("spdy: version \(version)") }
            return Frame(control: true, type: UInt16(first & 0xFFFF), streamID: 0, flags: flags, data: data)
        }
        return Frame(control: false, type: 0, streamID: first & 0x7FFF_FFFF, flags: flags, data: data)
    }
}

/// SPDY/3 name/value header blocks (uncompressed form).
enum SPDYHeaderBlock {
    static func encode(_ headers: [(name: String, value: String)]) -> [UInt8] {
        var bytes = UInt32(headers.count).bigEndianBytes
        for (name, value) in headers {
            bytes += UInt32(name.utf8.count).bigEndianBytes + Array(name.utf8)
            bytes += UInt32(value.utf8.count).bigEndianBytes + Array(value.utf8)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [(name: String, value: String)] {
        var reader = ByteBuffer(bytes: bytes)
        guard let count: UInt32 = reader.readInteger() else { throw ExecProtocolError("spdy: short header block") }
        var headers: [(String, String)] = []
        for _ in 0..<count {
            guard let nameLength: UInt32 = reader.readInteger(), let name = reader.readString(length: Int(nameLength)),
                  let valueLength: UInt32 = reader.readInteger(), let value = reader.readString(length: Int(valueLength)) else {
                throw ExecProtocolError("spdy: malformed header block")
            }
            // Several values of one name are separated by NUL.
            for v in value.split(separator: "\0", omittingEmptySubsequences: false) { headers.append((name.lowercased(), String(v))) }
        }
        return headers
    }
}

/// One direction's zlib stream of header blocks.
final class SPDYHeaderCompression {
    private let stream: OpaquePointer

    init(compressing: Bool) throws {
        guard let s = Self.dictionary.withUnsafeBufferPointer({ cz_create(compressing ? 1 : 0, $0.baseAddress, $0.count) }) else {
            throw ExecProtocolError("zlib: cannot create stream")
        }
        stream = s
    }

    deinit { cz_destroy(stream) }

    func process(_ input: [UInt8]) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = input.withUnsafeBufferPointer { cz_process(stream, $0.baseAddress, $0.count, &output, &length) }
        guard rc == 0, let output else { throw ExecProtocolError("spdy: zlib error \(rc)") }
        defer { cz_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// SPDY/3's header compression dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1):
    /// length-prefixed header names and values, then a run of common strings. Kept alive for
    /// the process: zlib reads it again when an inflate stream asks for it.
    static let dictionary: [UInt8] = {
        let words = [
            "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
            "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
            "content-base", "content-encoding", "content-language", "content-length", "content-location",
            "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host",
            "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified",
            "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
            "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via",
            "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
            "public", "set-cookie", "keep-alive", "origin",
        ]
        let tail = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
            + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
            + "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
            + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
            + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
            + "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
        var bytes: [UInt8] = []
        for word in words { bytes += UInt32(word.utf8.count).bigEndianBytes + Array(word.utf8) }
        return bytes + Array(tail.utf8)
    }()
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)] }
}
