import Crypto
import Foundation
import NIOCore

/// `vN.channel.k8s.io` over WebSocket (RFC 6455): binary messages whose first byte is the
/// channel. Client → server: `0`+stdin, `4`+terminal size, and with v5 `255,0` for stdin closed.
/// Server → client: `1` stdout, `2` stderr, `3` the Status; then a close frame (1000).
struct WebSocketExecTransport: ExecTransport {
    let version: Int
    /// Largest message accepted from a client.
    static let maxMessageSize = 16 * 1024 * 1024

    private var message: [UInt8] = []
    private var messageOpcode: UInt8 = 0

    init(version: Int) { self.version = version }

    var readyAtStart: Bool { true }

    /// `Sec-WebSocket-Accept` for a client's key.
    static func acceptValue(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }

    /// The 101 response.
    static func upgradeResponse(key: String, protocolName: String) -> String {
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(key: key))\r\nSec-WebSocket-Protocol: \(protocolName)\r\n\r\n"
    }

    mutating func receive(_ buffer: inout ByteBuffer) throws -> [ExecClientEvent] {
        var events: [ExecClientEvent] = []
        while let (fin, opcode, payload) = try Self.parseFrame(&buffer) {
            switch opcode {
            case 0x8:
                // Echo the close code, then the connection ends.
                events.append(.reply(Self.frame(opcode: 0x8, payload: Array(payload.prefix(2)))))
                events.append(.closed)
                return events
            case 0x9:
                events.append(.reply(Self.frame(opcode: 0xA, payload: payload)))
            case 0xA:
                break
            case 0x0, 0x1, 0x2:
                if opcode != 0 { messageOpcode = opcode; message = [] }
                message += payload
                guard message.count <= Self.maxMessageSize else { throw ExecProtocolError("websocket message too large") }
                if fin {
                    events += handleMessage(message)
                    message = []
                }
            default:
                throw ExecProtocolError("websocket: unknown opcode \(opcode)")
            }
        }
        return events
    }

    private func handleMessage(_ data: [UInt8]) -> [ExecClientEvent] {
        guard let channel = data.first else { return [] }
        let body = Array(data.dropFirst())
        switch channel {
        case ExecChannel.stdin.rawValue:
            return body.isEmpty ? [] : [.stdin(body)]
        case ExecChannel.resize.rawValue:
            return decodeTerminalSize(body).map { [.resize(width: $0.width, height: $0.height)] } ?? []
        case 255 where version >= 5:
            // v5's CLOSE signal: the next byte is the channel being closed.
            return body.first == ExecChannel.stdin.rawValue ? [.stdinClosed] : []
        default:
            return []
        }
    }

    func frame(_ channel: ExecChannel, _ bytes: [UInt8]) -> ByteBuffer {
        Self.frame(opcode: 0x2, payload: [channel.rawValue] + bytes)
    }

    func finish() -> ByteBuffer {
        Self.frame(opcode: 0x8, payload: [0x03, 0xE8])  // 1000: normal closure
    }

    /// An unmasked (server) frame.
    static func frame(opcode: UInt8, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 10)
        buffer.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            buffer.writeInteger(UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payload.count))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeBytes(payload)
        return buffer
    }

    /// One whole frame from the buffer (unmasked), or nil when more bytes are needed.
    static func parseFrame(_ buffer: inout ByteBuffer) throws -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        let start = buffer.readerIndex
        guard let b0: UInt8 = buffer.getInteger(at: start), let b1: UInt8 = buffer.getInteger(at: start + 1) else { return nil }
        var offset = start + 2
        var length = UInt64(b1 & 0x7F)
        if length == 126 {
            guard let l: UInt16 = buffer.getInteger(at: offset) else { return nil }
            length = UInt64(l)
            offset += 2
        } else if length == 127 {
            guard let l: UInt64 = buffer.getInteger(at: offset) else { return nil }
            length = l
            offset += 8
        }
        guard length <= UInt64(maxMessageSize) else { throw ExecProtocolError("websocket frame too large") }
        let masked = b1 & 0x80 != 0
        var mask: [UInt8] = []
        if masked {
            guard let m = buffer.getBytes(at: offset, length: 4) else { return nil }
            mask = m
            offset += 4
        }
        guard var payload = buffer.getBytes(at: offset, length: Int(length)) else { return nil }
        if masked {
            for i in payload.indices { payload[i] ^= mask[i & 3] }
        }
        buffer.moveReaderIndex(to: offset + Int(length))
        return (b0 & 0x80 != 0, b0 & 0x0F, payload)
    }
}
