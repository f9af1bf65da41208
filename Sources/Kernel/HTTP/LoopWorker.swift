import CShims
import PluginAPI

/// The per-loop half of the server: its listening socket, its connections, its metrics and
/// the dispatch of requests to handlers. Confined to its loop's thread, like its connections.
final class LoopWorker: EventLoopSource {
    struct Timeouts {
        var header: UInt64
        var body: UInt64
        var keepAlive: UInt64
    }

    let loop: EventLoop
    unowned let server: HTTPServer
    let router: Router
    let limits: HTTPLimits
    let timeouts: Timeouts
    let defaultMaxBody: Int
    let log: any PluginAPI.Logger
    let metrics: LoopMetrics
    let maxBufferedInput = (1 << 20) + 65_536
    let maxBufferedOutput = 1 << 20
    /// One read buffer per loop, reused by every connection.
    @exclusivity(unchecked) var readScratch = [UInt8](repeating: 0, count: 65_536)

    private var listenFD: Int32 = -1
    @exclusivity(unchecked) private(set) var connections: [Int32: Connection] = [:]
    @exclusivity(unchecked) private var dirty: [Connection] = []
    /// `<5 hex process tag><loop>-`: with a hex counter, ids stay ≤ 15 bytes for the first
    /// 2^28 requests of a loop, so Swift keeps them inline (no allocation per request).
    private let requestIDPrefix: [UInt8]
    @exclusivity(unchecked) private var requestCounter: UInt64 = 0

    init(loop: EventLoop, server: HTTPServer, router: Router, settings: ServerSettings, log: any PluginAPI.Logger, processTag: String) {
        self.loop = loop
        self.server = server
        self.router = router
        limits = HTTPLimits()
        timeouts = Timeouts(header: UInt64(settings.headerTimeout.milliseconds) * 1_000_000,
                            body: UInt64(settings.bodyTimeout.milliseconds) * 1_000_000,
                            keepAlive: UInt64(settings.keepAliveTimeout.milliseconds) * 1_000_000)
        defaultMaxBody = settings.maxBody
        self.log = log
        metrics = LoopMetrics(routeCount: router.routeCount)
        requestIDPrefix = Array("\(processTag.prefix(5))\(String(loop.index, radix: 16))-".utf8)
        let smallest = min(timeouts.header, timeouts.body, timeouts.keepAlive)
        loop.tickIntervalNanos = max(5_000_000, min(250_000_000, smallest / 4))
        loop.onTick = { [unowned self] in self.tick() }
        loop.afterBatch = { [unowned self] in self.flushDirty() }
    }

    // MARK: - accepting

    func listen(fd: Int32) {
        listenFD = fd
        _ = loop.register(fd: fd, self)
    }

    func stopListening() {
        guard listenFD >= 0 else { return }
        loop.deregister(fd: listenFD)
        _ = cshims_close(listenFD)
        listenFD = -1
    }

    /// The listening socket is readable: accept what is waiting.
    func handleEvent(readable: Bool, writable: Bool, hangup: Bool) {
        var peerBuffer = [CChar](repeating: 0, count: 64)
        for _ in 0..<64 {
            guard listenFD >= 0 else { return }
            let fd = cshims_accept(listenFD, &peerBuffer, peerBuffer.count)
            if fd < 0 { return }
            guard server.reserveConnection() else {
                // Over the cap: answer 503 at once and close, so the client knows why.
                metrics.rejectedConnections += 1
                var out: [UInt8] = []
                ResponseEncoder.encode(Response.error(status: 503, code: "too_many_connections", message: "connection limit reached"),
                                       requestID: "", keepAlive: false, http10KeepAlive: false, headOnly: false,
                                       date: loop.dateCache.current(), into: &out)
                _ = out.withUnsafeBytes { cshims_write(fd, $0.baseAddress, $0.count) }
                _ = cshims_close(fd)
                continue
            }
            let peer = peerBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let connection = Connection(fd: fd, peer: peer, loop: loop, worker: self)
            connections[fd] = connection
            metrics.acceptedConnections += 1
            metrics.openConnections += 1
            _ = loop.register(fd: fd, connection)
        }
    }

    func closed(_ connection: Connection) {
        connections[connection.fd] = nil
        metrics.openConnections -= 1
        server.releaseConnection()
    }

    // MARK: - dispatch

    func markDirty(_ connection: Connection) { dirty.append(connection) }

    private func flushDirty() {
        guard !dirty.isEmpty else { return }
        let batch = dirty
        dirty.removeAll(keepingCapacity: true)
        for connection in batch { connection.flush() }
    }

    /// Answers a routed request: kernel errors inline, handlers as tasks on this loop's executor.
    func dispatch(connection: Connection, head: RequestHead, match: Router.Match, body: [UInt8], startedAt: UInt64) {
        let requestID = requestID(for: head)
        switch match {
        case .notFound, .methodNotAllowed:
            connection.complete(Self.unrouted(match, method: head.method, path: head.path), head: head, routeIndex: 0, requestID: requestID)
        case .found(let route, let parameters):
            let request = Request(method: head.method, path: head.path, query: head.query, headers: head.headers, body: body,
                                  parameters: parameters, remoteAddress: connection.peer, requestID: requestID)
            let job = HandlerJob(connection: LoopBound(connection), loop: loop, log: log, route: route, request: request,
                                 head: head, startedAt: startedAt)
            switch route.action {
            case .immediate(let handler):
                job.deliver(Self.answer(route, request, log: log) { try handler(request) })
            case .async:
                Task(executorPreference: loop) { await job.run() }
            }
        }
    }

    /// The answer for a request no route takes: 404, or 405 with `Allow`.
    static func unrouted(_ match: Router.Match, method: HTTPMethod, path: String) -> Response {
        if case .methodNotAllowed(let allowed) = match {
            var response = Response.error(status: 405, code: "method_not_allowed", message: "\(method) is not allowed here")
            response.headers.set("Allow", allowed.map(\.description).joined(separator: ", "))
            return response
        }
        return .error(status: 404, code: "not_found", message: "no route for \(method) \(printable(path))")
    }

    /// Runs a route's action, turning thrown errors into the JSON error shape.
    static func run(_ route: Router.Route, _ request: Request, log: any PluginAPI.Logger) async -> Response {
        switch route.action {
        case .immediate(let handler):
            return answer(route, request, log: log) { try handler(request) }
        case .async(let handler):
            do {
                return try await handler(request)
            } catch {
                return failure(error, route: route, request: request, log: log)
            }
        }
    }

    /// Runs an immediate handler, turning thrown errors into the JSON error shape.
    static func answer(_ route: Router.Route, _ request: Request, log: any PluginAPI.Logger, _ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch {
            return failure(error, route: route, request: request, log: log)
        }
    }

    /// An `HTTPResponseError` answers with its own status; anything else is a logged 500
    /// whose message tells the client only the request id.
    static func failure(_ error: any Error, route: Router.Route, request: Request, log: any PluginAPI.Logger) -> Response {
        if let error = error as? any HTTPResponseError {
            return .error(status: error.status, code: error.code, message: error.message)
        }
        log.error("handler failed", ["route": route.pattern, "error": "\(error)", "request_id": request.requestID, "plugin": route.plugin ?? "kernel"])
        return .error(status: 500, code: "internal_error", message: "internal error (request id \(request.requestID))")
    }

    private func requestID(for head: RequestHead) -> String {
        if let given = head.headers["x-request-id"], Self.isValidRequestID(given) { return given }
        requestCounter &+= 1
        let counter = requestCounter
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buf in
            var count = 0
            for b in requestIDPrefix { buf[count] = b; count += 1 }
            var digits = 0
            var n = counter
            repeat { digits += 1; n >>= 4 } while n > 0
            n = counter
            for i in stride(from: count + digits - 1, through: count, by: -1) {
                buf[i] = Self.hexDigits[Int(n & 0xf)]
                n >>= 4
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[0..<(count + digits)]), as: UTF8.self)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Echo only ids that are short and plain, so they are safe in logs and headers.
    static func isValidRequestID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x5f || b == 0x2e || b == 0x3a
        }
    }

    static func printable(_ path: String) -> String {
        path.count > 200 ? String(path.prefix(200)) + "…" : path
    }

    // MARK: - time and shutdown

    private func tick() {
        let now = cshims_monotonic_ns()
        for connection in Array(connections.values) { connection.checkDeadline(now: now) }
    }

    /// Stops accepting and closes idle connections; busy ones close after their answer.
    func beginDrain() {
        stopListening()
        for connection in Array(connections.values) { connection.drain() }
    }

    func closeAll() {
        for connection in Array(connections.values) { connection.close() }
    }
}

/// Carries a loop-confined object into a task that runs on (and delivers back to) that loop.
struct LoopBound<T: AnyObject>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// One handler invocation: run the route, then deliver the answer on the connection's loop.
struct HandlerJob: Sendable {
    let connection: LoopBound<Connection>
    let loop: EventLoop
    let log: any PluginAPI.Logger
    let route: Router.Route
    let request: Request
    let head: RequestHead
    let startedAt: UInt64

    func run() async {
        let response = await LoopWorker.run(route, request, log: log)
        if loop.inLoop {
            deliver(response)
        } else {
            loop.execute { self.deliver(response) }
        }
    }

    func deliver(_ response: Response) {
        connection.value.complete(response, head: head, routeIndex: route.index, requestID: request.requestID)
        // The kernel's own routes (probes, metrics) log at debug: they are polled all day.
        let level: LogLevel = route.plugin == nil ? .debug : .info
        if log.isEnabled(level) {
            log.log(level, "request", ["method": head.method.description, "route": route.pattern, "status": "\(response.status)",
                                       "ms": Self.milliseconds(nanoseconds: cshims_monotonic_ns() &- startedAt),
                                       "request_id": request.requestID, "plugin": route.plugin ?? "kernel"])
        }
    }

    /// `nanoseconds` as milliseconds with three decimals (`0.042`), rounded to the
    /// microsecond in integers: what `String(format: "%.3f")` printed, without full Foundation.
    static func milliseconds(nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1_000 + (nanoseconds % 1_000 >= 500 ? 1 : 0)
        return "\(micros / 1_000).\((micros % 1_000).zeroPadded(3))"
    }
}
