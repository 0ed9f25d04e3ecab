import Foundation
import NIOCore

/// The channels of Kubernetes' remote-command protocol (`k8s.io/apimachinery/pkg/util/remotecommand`):
/// what WebSocket sends as a message's first byte and SPDY as a stream's `streamType`.
enum ExecChannel: UInt8, Sendable {
    case stdin = 0, stdout = 1, stderr = 2, error = 3, resize = 4
}

/// What a client's bytes meant.
enum ExecClientEvent: Sendable, Equatable {
    case stdin([UInt8])
    case stdinClosed
    case resize(width: UInt16, height: UInt16)
    /// Bytes to send back right away (pong, SYN_REPLY, PING echo).
    case reply(ByteBuffer)
    /// Every stream the request needs exists: the command may start (SPDY; WebSocket is ready at once).
    case ready
    /// The client closed the connection's protocol (close frame, GOAWAY).
    case closed
}

/// One framing of a remote-command connection (WebSocket or SPDY/3.1), as a pure byte
/// transformer so it can be tested without sockets.
protocol ExecTransport {
    /// Parses what the client sent (consuming whole frames from `buffer`, leaving a partial one).
    mutating func receive(_ buffer: inout ByteBuffer) throws -> [ExecClientEvent]
    /// Frames `bytes` for a channel the server writes (stdout, stderr, error); empty when the
    /// client did not open that channel.
    func frame(_ channel: ExecChannel, _ bytes: [UInt8]) -> ByteBuffer
    /// The bytes that end the session after the status was sent.
    func finish() -> ByteBuffer
    /// Whether the command may start right after the 101 (WebSocket) or only once the client
    /// opened its streams (SPDY: `.ready`).
    var readyAtStart: Bool { get }
}

/// A malformed frame: the connection is closed.
struct ExecProtocolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `{"Width":80,"Height":24}` (kubectl's `TerminalSize`).
func decodeTerminalSize(_ bytes: [UInt8]) -> (width: UInt16, height: UInt16)? {
    guard let size = try? JSONDecoder().decode(TerminalSize.self, from: Data(bytes)) else { return nil }
    return (size.width, size.height)
}

private struct TerminalSize: Decodable {
    var width: UInt16
    var height: UInt16

    enum CodingKeys: String, CodingKey {
        case width = "Width", height = "Height"
    }
}
