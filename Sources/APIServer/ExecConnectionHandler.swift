import KubeClient
import KubeModel
import Logging
import NIOCore

/// The raw-bytes end of an exec connection, right after TLS. Until `takeOver` it passes every
/// byte through to the HTTP handlers; then it answers 101, owns the connection and bridges the
/// transport (WebSocket or SPDY) to the node's `ExecSession`.
final class ExecConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var transport: (any ExecTransport)?
    private var input: AsyncStream<ExecClientEvent>.Continuation?
    private var pending = ByteBuffer()
    private var finished = false
    private var closeTimer: Scheduled<Void>?
    /// The client's streams exist (SPDY) or the WebSocket is open.
    private var ready = false
    /// The command was let go (after the first terminal size, with a tty).
    private var started = false
    private var waitsForTerminalSize = false

    /// Stdin bytes received but not yet written to the process; above `stdinHighWater` the
    /// handler stops reading from the socket until the process caught up (half of it).
    private var pendingStdin = 0
    private var readHeld = false
    static let stdinHighWater = 4 * 1024 * 1024

    /// How long a terminal session waits for the client's first size before it starts anyway.
    static let terminalSizeWait: TimeAmount = .seconds(3)

    /// How long kubelet waits for a SPDY client to open its streams.
    static let streamCreationTimeout: TimeAmount = .seconds(30)

    /// How long to wait for the client to close after the status before closing ourselves.
    static let closeGrace: TimeAmount = .seconds(2)

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard transport != nil else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        pending.writeBuffer(&bytes)
        let events: [ExecClientEvent]
        do {
            events = try transport?.receive(&pending) ?? []
        } catch {
            input?.yield(.closed)
            context.close(promise: nil)
            return
        }
        var wrote = false
        for event in events {
            switch event {
            case .reply(let buffer):
                if !finished {
                    context.write(wrapOutboundOut(buffer), promise: nil)
                    wrote = true
                }
            case .closed:
                input?.yield(.closed)
                if finished { context.close(promise: nil) }
            case .ready:
                ready = true
                startWhenSized(context: context)
            case .resize:
                input?.yield(event)
                if ready { start() }
            case .stdin(let bytes):
                pendingStdin += bytes.count
                input?.yield(event)
            default:
                input?.yield(event)
            }
        }
        if wrote { context.flush() }
        pending.discardReadBytes()
    }

    func read(context: ChannelHandlerContext) {
        if pendingStdin > Self.stdinHighWater {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// The bridge wrote (or dropped) `count` stdin bytes.
    fileprivate func stdinConsumed(_ count: Int) {
        pendingStdin -= count
        if readHeld && pendingStdin <= Self.stdinHighWater / 2 {
            readHeld = false
            context?.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        input?.yield(.closed)
        input?.finish()
        closeTimer?.cancel()
        context.fireChannelInactive()
    }

    /// Answers 101 and runs the exec over this connection.
    func takeOver(_ plan: ExecPlan, logger: Logger) {
        // The client may have gone while the request was checked: run nothing then.
        guard let context, context.channel.isActive else { return }
        let response: String
        do {
            switch plan.transport {
            case .webSocket(let version, let key):
                transport = WebSocketExecTransport(version: version)
                response = WebSocketExecTransport.upgradeResponse(key: key, protocolName: plan.transport.protocolName)
            case .spdy:
                transport = try SPDYExecTransport(request: plan.request)
                response = SPDYExecTransport.upgradeResponse(protocolName: plan.transport.protocolName)
            }
        } catch {
            logger.error("exec \(plan.namespace)/\(plan.pod): \(error)")
            context.close(promise: nil)
            return
        }
        let (events, continuation) = AsyncStream<ExecClientEvent>.makeStream()
        input = continuation
        waitsForTerminalSize = plan.request.tty
        if transport?.readyAtStart == true {
            ready = true
            startWhenSized(context: context)
        }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.streamCreationTimeout) {
            let handler = bound.value
            if !handler.ready { handler.context?.close(promise: nil) }
        }
        let writer = ExecFrameWriter(eventLoop: context.eventLoop, handler: bound)
        Task { await ExecBridge.run(plan, events: events, writer: writer, logger: logger) }
    }

    /// Lets the command start, right away or, with a terminal, once its first size arrived (so
    /// the pty has it before the process runs) or after `terminalSizeWait`.
    private func startWhenSized(context: ChannelHandlerContext) {
        guard waitsForTerminalSize else { return start() }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.terminalSizeWait) { bound.value.start() }
    }

    private func start() {
        guard !started else { return }
        started = true
        input?.yield(.ready)
    }

    /// Frames and writes `bytes` on a channel; the future completes once written.
    fileprivate func send(_ channel: ExecChannel, _ bytes: [UInt8]) -> EventLoopFuture<Void>? {
        guard let context, let transport, !finished else { return nil }
        let frame = transport.frame(channel, bytes)
        guard frame.readableBytes > 0 else { return nil }
        return context.writeAndFlush(wrapOutboundOut(frame))
    }

    /// Sends the end of the session and closes once the client did (or after a grace period).
    fileprivate func finish() {
        guard let context, let transport, !finished else { return }
        finished = true
        // Whatever stdin is still pending will not be written: read the client's close.
        pendingStdin = 0
        if readHeld {
            readHeld = false
            context.read()
        }
        let bytes = transport.finish()
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        closeTimer = context.eventLoop.scheduleTask(in: Self.closeGrace) {
            bound.value.context?.close(promise: nil)
        }
    }
}

/// Writes frames from any task through the handler, on its event loop.
struct ExecFrameWriter: Sendable {
    let eventLoop: any EventLoop
    let handler: NIOLoopBound<ExecConnectionHandler>

    func send(_ channel: ExecChannel, _ bytes: [UInt8]) async {
        let future = eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            self.handler.value.send(channel, bytes) ?? self.eventLoop.makeSucceededVoidFuture()
        }
        try? await future.get()
    }

    func finish() async {
        try? await eventLoop.submit { self.handler.value.finish() }.get()
    }

    func stdinConsumed(_ count: Int) {
        eventLoop.execute { self.handler.value.stdinConsumed(count) }
    }
}

/// The session side of an exec connection: starts the command once the client's streams are
/// there, copies client events to the session and output to the client, and ends with the
/// Status on the error channel.
enum ExecBridge {
    static func run(_ plan: ExecPlan, events: AsyncStream<ExecClientEvent>, writer: ExecFrameWriter, logger: Logger) async {
        // Events that came before the command started (SPDY: stdin may come early).
        var early: [ExecClientEvent] = []
        for await event in events {
            if event == .ready { break }
            if event == .closed { return }
            early.append(event)
        }
        let session: any ExecSession
        var request = plan.request
        if request.tty, case .resize(let width, let height)? = early.last(where: { if case .resize = $0 { true } else { false } }) {
            // The pty is made with this size: the process never sees another one first.
            request.terminalSize = TerminalSize(width: width, height: height)
        }
        do {
            session = try await plan.streams.exec(namespace: plan.namespace, pod: plan.pod, container: plan.container, request: request)
        } catch {
            logger.info("exec \(plan.namespace)/\(plan.pod)/\(plan.container) \(plan.request.command): \(error)")
            await writer.send(.error, Self.json(APIHandler.execFailureStatus(error)))
            await writer.finish()
            return
        }
        let forward = Task {
            for event in early { await Self.apply(event, to: session, request: plan.request, writer: writer) }
            // The same stream, continued (its first loop has ended).
            for await event in events {
                await Self.apply(event, to: session, request: plan.request, writer: writer)
                if event == .closed { return }
            }
            // The connection is gone.
            await session.cancel()
        }
        for await chunk in session.output {
            switch chunk {
            case .stdout(let bytes) where plan.request.stdout:
                await writer.send(.stdout, bytes)
            case .stderr(let bytes) where plan.request.stderr && !plan.request.tty:
                await writer.send(.stderr, bytes)
            case .stderr(let bytes) where plan.request.tty && plan.request.stdout:
                await writer.send(.stdout, bytes)
            default:
                break
            }
        }
        let code = await session.wait()
        forward.cancel()
        await writer.send(.error, Self.json(APIHandler.execExitStatus(code)))
        await writer.finish()
    }

    private static func apply(_ event: ExecClientEvent, to session: any ExecSession, request: ExecRequest,
                              writer: ExecFrameWriter) async {
        switch event {
        case .stdin(let bytes):
            if request.stdin { try? await session.writeStdin(bytes) }
            writer.stdinConsumed(bytes.count)
        case .stdinClosed:
            if request.stdin { await session.closeStdin() }
        case .resize(let width, let height):
            if request.tty { await session.resize(width: width, height: height) }
        case .closed:
            await session.cancel()
        case .reply, .ready:
            break
        }
    }

    static func json(_ value: JSONValue) -> [UInt8] {
        (try? Array(value.jsonData())) ?? []
    }
}
