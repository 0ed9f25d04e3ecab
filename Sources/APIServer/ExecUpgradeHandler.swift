import HTTPTypes
import KubeClient
import KubeModel
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Takes `pods/exec` requests out of Hummingbird's HTTP/1.1 pipeline (it sits after the HTTP
/// codec, before Hummingbird's handler): authenticates and resolves them with the `APIHandler`,
/// answers a refusal as an HTTP Status, and on success hands the connection to its
/// `ExecConnectionHandler` (placed right after TLS), which answers 101 and speaks WebSocket or
/// SPDY from then on. Every other request passes through untouched.
final class ExecUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let handler: APIHandler
    private let connection = ExecConnectionHandler()
    private var intercepted: HTTPRequest?

    init(handler: APIHandler) { self.handler = handler }

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        let position: ChannelPipeline.SynchronousOperations.Position
        if let tls = try? pipeline.handler(type: NIOSSLServerHandler.self) {
            position = .after(tls)
        } else {
            position = .first
        }
        do {
            try pipeline.addHandler(connection, position: position)
        } catch {
            context.fireErrorCaught(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if let path = request.path, APIHandler.execTarget(path: path) != nil {
                intercepted = request
                return
            }
            intercepted = nil
        case .body:
            if intercepted != nil { return }
        case .end:
            if let request = intercepted {
                intercepted = nil
                plan(request, context: context)
                return
            }
        }
        context.fireChannelRead(data)
    }

    private func plan(_ request: HTTPRequest, context: ChannelHandlerContext) {
        let channel = context.channel
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let handler = self.handler
        Task {
            do {
                let plan = try await handler.planExec(method: request.method, path: request.path ?? "",
                                                     headers: request.headerFields, channel: channel)
                // The HTTP handlers after TLS never see this connection again.
                channel.eventLoop.execute { bound.value.0.connection.takeOver(plan, logger: handler.logger) }
            } catch {
                let status = error as? KubeAPIError ?? KubeAPIError.internalError(String(describing: error))
                if status.code >= 500 { handler.logger.error("exec \(request.path ?? ""): \(status.message)") }
                channel.eventLoop.execute {
                    let (this, context) = bound.value
                    this.refuse(status, context: context)
                }
            }
        }
    }

    /// Answers with the Status and closes the connection.
    private func refuse(_ error: KubeAPIError, context: ChannelHandlerContext) {
        let body = (try? error.status.jsonData()).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.cacheControl] = "no-cache, private"
        fields[.connection] = "close"
        let head = HTTPResponse(status: .init(code: error.code), headerFields: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
