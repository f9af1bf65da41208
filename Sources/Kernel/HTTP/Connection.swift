import CShims
import Glibc
import PluginAPI

/// One client connection, confined to its event loop's thread. Reads requests, hands each to
/// its route as a task on the loop's executor, and writes answers in request order
/// (pipelined requests wait in the input buffer until the previous answer is queued).
///
/// Its state carries `@exclusivity(unchecked)`: only the owning loop's thread touches it, so
/// the runtime's dynamic exclusivity checks (measurable per request) protect nothing.
final class Connection: EventLoopSource {
    enum Phase {
        /// Waiting for (the rest of) a request head.
        case head
        /// Reading a body for `pending`.
        case body
        /// A handler is running.
        case handling
        /// A streamed body is being produced (`Response.stream`); later requests wait.
        case streaming
        /// The last answer is queued; close once it is written.
        case closing
        /// Write side shut; discard input until EOF or the linger deadline, then close.
        case lingering
        case closed
    }

    let fd: Int32
    let peer: String
    unowned let loop: EventLoop
    unowned let worker: LoopWorker
    @exclusivity(unchecked) private(set) var phase: Phase = .head

    @exclusivity(unchecked) private var input: [UInt8] = []
    @exclusivity(unchecked) private var inputStart = 0
    @exclusivity(unchecked) private var output: [UInt8] = []
    @exclusivity(unchecked) private var outputStart = 0
    @exclusivity(unchecked) private var readInterest = true
    @exclusivity(unchecked) private var writeInterest = false
    @exclusivity(unchecked) private var peerClosed = false
    /// The server is shutting down: answer what is in flight, then close.
    @exclusivity(unchecked) var draining = false

    /// Monotonic deadline for the current phase (0: none).
    @exclusivity(unchecked) private(set) var deadline: UInt64 = 0

    // The request being read or handled.
    @exclusivity(unchecked) private var head: RequestHead?
    @exclusivity(unchecked) private var route: Router.Match?
    @exclusivity(unchecked) private var body: [UInt8] = []
    @exclusivity(unchecked) private var bodyLimit = 0
    @exclusivity(unchecked) private var chunked: ChunkedDecoder?
    @exclusivity(unchecked) private var startedAt: UInt64 = 0

    init(fd: Int32, peer: String, loop: EventLoop, worker: LoopWorker) {
        self.fd = fd
        self.peer = peer
        self.loop = loop
        self.worker = worker
        deadline = cshims_monotonic_ns() + worker.timeouts.header
    }

    /// True when nothing is in flight and no partial request is buffered.
    var isIdle: Bool { phase == .head && inputStart == input.count && output.count == outputStart }

    // MARK: - events

    func handleEvent(readable: Bool, writable: Bool, hangup: Bool) {
        if writable { flush() }
        if readable || hangup { readAvailable() }
        // A stream's client that closes (or half-closes: event-stream clients never do) is gone.
        if phase == .streaming && peerClosed { close(); return }
        if phase != .closed { advance() }
    }

    private func readAvailable() {
        guard phase != .closed else { return }
        var reads = 0
        while reads < 16 {
            reads += 1
            let n = worker.readScratch.withUnsafeMutableBytes { cshims_read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                worker.metrics.bytesIn += n
                if phase == .lingering { continue }
                if inputStart > 0 && inputStart == input.count {
                    input.removeAll(keepingCapacity: true)
                    inputStart = 0
                } else if inputStart >= 32 * 1024 {
                    // A read that ends inside a request keeps the buffer from ever emptying:
                    // drop what was consumed, or a long pipelined stream grows it without bound.
                    input.removeFirst(inputStart)
                    inputStart = 0
                }
                worker.readScratch.withUnsafeBytes { input.append(contentsOf: $0[0..<n]) }
                if n < worker.readScratch.count { break }
                // Backpressure: a client that pipelines without reading answers stops being read.
                if input.count - inputStart > worker.maxBufferedInput { break }
            } else if n == 0 {
                peerClosed = true
                break
            } else {
                let e = cshims_errno()
                if e == EAGAIN || e == EWOULDBLOCK { break }
                close()
                return
            }
        }
        if phase == .lingering && peerClosed { close() }
    }

    /// Parses and dispatches as far as the buffered input allows.
    func advance() {
        // An answer given synchronously (404, 405) re-enters here; the outer call continues.
        if advancing { return }
        advancing = true
        defer { advancing = false }
        while phase == .head || phase == .body {
            if output.count - outputStart > worker.maxBufferedOutput { break }
            if phase == .head {
                if inputStart == input.count { break }
                if !parseHead() { break }
            }
            if phase == .body {
                if !readBody() { break }
            }
        }
        if peerClosed && (phase == .head || phase == .body) {
            // No more bytes will come, so an unfinished request can never complete: close
            // once what is already answered has been written.
            if outputStart < output.count {
                phase = .closing
            } else {
                close()
                return
            }
        }
        updateReadInterest()
        if outputStart < output.count { markDirty() }
    }

    /// Queues this connection for the loop's end-of-batch flush (once).
    private func markDirty() {
        guard !isDirty else { return }
        isDirty = true
        worker.markDirty(self)
    }

    /// In the worker's dirty list already.
    @exclusivity(unchecked) var isDirty = false

    /// Returns true when a head was taken (phase moved on).
    private func parseHead() -> Bool {
        let outcome: HeadParser.Outcome
        do {
            outcome = try input.withUnsafeBufferPointer { all throws(HTTPParseError) in
                try HeadParser.parse(UnsafeBufferPointer(rebasing: all[inputStart...]), limits: worker.limits)
            }
        } catch {
            fail(error)
            return false
        }
        switch outcome {
        case .incomplete:
            if headerClockIdle {
                // First bytes of the next request: the header clock starts now.
                headerClockIdle = false
                deadline = cshims_monotonic_ns() + worker.timeouts.header
            }
            return false
        case .head(var h, let consumed):
            inputStart += consumed
            startedAt = cshims_monotonic_ns()
            headerClockIdle = false
            if draining { h.keepAlive = false }
            start(h)
            return true
        }
    }

    @exclusivity(unchecked) private var headerClockIdle = false
    @exclusivity(unchecked) private var advancing = false
    /// When bytes of an answer last left (a slow but steady reader is not stalled).
    @exclusivity(unchecked) private var lastWriteProgress: UInt64 = 0

    private func start(_ h: RequestHead) {
        head = h
        let match = worker.router.match(method: h.method, path: h.path)
        route = match
        switch match {
        case .found(let r, _):
            bodyLimit = r.maxBody ?? worker.defaultMaxBody
        case .notFound, .methodNotAllowed:
            // No body is read for an unroutable request; if one follows, the connection closes.
            bodyLimit = 0
        }
        switch h.framing {
        case .none:
            body = []
            dispatch()
        case .length(let n):
            if case .found = match, n > bodyLimit {
                fail(HTTPParseError(413, "payload_too_large", "request body larger than \(bodyLimit) bytes"))
                return
            }
            if case .found = match {} else { head?.keepAlive = false; body = []; dispatch(); return }
            if h.expectsContinue { queue(ResponseEncoder.continueLine) }
            body = []
            body.reserveCapacity(n)
            phase = .body
            deadline = cshims_monotonic_ns() + worker.timeouts.body
        case .chunked:
            if case .found = match {} else { head?.keepAlive = false; body = []; dispatch(); return }
            if h.expectsContinue { queue(ResponseEncoder.continueLine) }
            body = []
            chunked = ChunkedDecoder(maxBody: bodyLimit, maxTrailerBytes: worker.limits.maxHeaderBytes)
            phase = .body
            deadline = cshims_monotonic_ns() + worker.timeouts.body
        }
    }

    /// Returns true when the body is complete and the request was dispatched.
    private func readBody() -> Bool {
        guard let h = head else { return false }
        let available = input.count - inputStart
        guard available > 0 else { return false }
        deadline = cshims_monotonic_ns() + worker.timeouts.body
        if case .length(let n) = h.framing {
            let take = min(n - body.count, available)
            body.append(contentsOf: input[inputStart..<(inputStart + take)])
            inputStart += take
            if body.count == n { chunked = nil; dispatch(); return true }
            return false
        }
        guard var decoder = chunked else { return false }
        do {
            let consumed = try input.withUnsafeBufferPointer { all throws(HTTPParseError) in
                try decoder.consume(UnsafeBufferPointer(rebasing: all[inputStart...]), into: &body)
            }
            inputStart += consumed
        } catch {
            fail(error)
            return false
        }
        chunked = decoder
        if decoder.state == .done { chunked = nil; dispatch(); return true }
        return false
    }

    // MARK: - handling

    private func dispatch() {
        guard let h = head, let match = route else { return }
        phase = .handling
        deadline = 0
        worker.dispatch(connection: self, head: h, match: match, body: body, startedAt: startedAt)
        body = []
    }

    /// Called on the loop thread when the handler answered.
    func complete(_ response: Response, head h: RequestHead, routeIndex: Int, requestID: String) {
        guard phase == .handling else { return }
        // A client that half-closed may still have complete requests buffered: answer them
        // all, and close after the last.
        var keepAlive = h.keepAlive && !draining && !(peerClosed && inputStart == input.count)
        let stream = ResponseEncoder.allowsBody(response.status) ? response.stream : nil
        // HTTP/1.0 has no chunked coding: a streamed body ends when the connection closes.
        let chunked = stream != nil && h.versionMinor >= 1
        if stream != nil && !chunked { keepAlive = false }
        if outputStart >= 64 * 1024 {
            // A reader that never quite catches up keeps the buffer from emptying: drop what was sent.
            output.removeFirst(outputStart)
            outputStart = 0
        }
        let before = output.count
        ResponseEncoder.encode(response, requestID: requestID, keepAlive: keepAlive,
                               http10KeepAlive: keepAlive && h.versionMinor == 0,
                               headOnly: h.method == .head, date: loop.dateCache.current(), into: &output, chunked: chunked)
        worker.metrics.record(route: routeIndex, status: response.status, nanos: cshims_monotonic_ns() &- startedAt, bytesOut: output.count - before)
        head = nil
        route = nil
        if let stream, h.method != .head {
            startStream(stream, chunked: chunked, keepAlive: keepAlive)
            advance()
            return
        }
        if keepAlive {
            phase = .head
            headerClockIdle = true
            deadline = cshims_monotonic_ns() + worker.timeouts.keepAlive
        } else {
            phase = .closing
            deadline = cshims_monotonic_ns() + worker.timeouts.body
        }
        advance()
    }

    // MARK: - streamed bodies

    /// The stream in progress: its producer task, whether it is chunked, and a token that
    /// tells its writes from those of a previous stream on this connection.
    @exclusivity(unchecked) private var streamTask: Task<Void, Never>?
    @exclusivity(unchecked) private var streamToken: UInt64 = 0
    @exclusivity(unchecked) private var streamChunked = false
    @exclusivity(unchecked) private var streamKeepAlive = false
    /// The server is draining: writes fail so the producer ends, then the body is ended.
    @exclusivity(unchecked) private var streamStopping = false
    /// A write waiting for the client to read what is queued (backpressure).
    @exclusivity(unchecked) private var pendingWrite: CheckedContinuation<Void, any Error>?
    /// Queued output beyond which a stream's writer waits.
    static let streamHighWater = 256 * 1024

    /// Runs the producer as a task on this loop; its writes come back through `streamWrite`.
    private func startStream(_ stream: ResponseStream, chunked: Bool, keepAlive: Bool) {
        phase = .streaming
        deadline = 0
        streamChunked = chunked
        streamKeepAlive = keepAlive
        streamStopping = false
        streamToken &+= 1
        let token = streamToken
        let bound = LoopBound(self)
        let loop = self.loop
        let writer = ConnectionStreamWriter(connection: bound, loop: loop, token: token)
        streamTask = Task(executorPreference: loop) {
            var failure: (any Error)?
            do {
                try await stream.producer(writer)
            } catch {
                failure = error
            }
            let ended = failure
            if loop.inLoop {
                bound.value.finishStream(token: token, failure: ended)
            } else {
                loop.execute { bound.value.finishStream(token: token, failure: ended) }
            }
        }
    }

    /// One write of the producer, on the loop thread: queued as a chunk; the writer resumes at
    /// once, or when the client has read enough of what is queued.
    func streamWrite(_ bytes: [UInt8], token: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        guard phase == .streaming, token == streamToken, !streamStopping, pendingWrite == nil else {
            continuation.resume(throwing: ResponseStreamClosed())
            return
        }
        if !bytes.isEmpty {
            if outputStart == output.count {
                // The stall clock starts with this write, not with the last one long ago.
                lastWriteProgress = cshims_monotonic_ns()
                output.removeAll(keepingCapacity: true)
                outputStart = 0
            } else if outputStart >= 64 * 1024 {
                // A reader that never quite catches up: drop what was sent, or the buffer only grows.
                output.removeFirst(outputStart)
                outputStart = 0
            }
            let before = output.count
            if streamChunked { ResponseEncoder.appendChunk(bytes, to: &output) } else { output.append(contentsOf: bytes) }
            worker.metrics.bytesOut += output.count - before
            markDirty()
        }
        if output.count - outputStart <= Self.streamHighWater {
            continuation.resume()
        } else {
            pendingWrite = continuation
        }
    }

    /// The producer returned or threw: end the body (the last chunk), then serve the next
    /// request or close. A producer that failed for its own reasons gets no last chunk: what
    /// it wrote is sent and the connection closed, so the client sees a truncated body rather
    /// than a complete one.
    func finishStream(token: UInt64, failure: (any Error)?) {
        guard phase == .streaming, token == streamToken else { return }
        streamTask = nil
        resumePendingWrite(throwing: true)
        if let failure, !(failure is ResponseStreamClosed), !(failure is CancellationError) {
            worker.log.warning("response stream failed", ["error": "\(failure)", "remote": peer])
            phase = .closing
            deadline = cshims_monotonic_ns() + worker.timeouts.body
            markDirty()
            return
        }
        if !streamChunked {
            phase = .closing
            deadline = cshims_monotonic_ns() + worker.timeouts.body
            markDirty()
            return
        }
        output.append(contentsOf: ResponseEncoder.lastChunk)
        if streamKeepAlive && !draining && !peerClosed {
            phase = .head
            headerClockIdle = true
            deadline = cshims_monotonic_ns() + worker.timeouts.keepAlive
        } else {
            phase = .closing
            deadline = cshims_monotonic_ns() + worker.timeouts.body
        }
        advance()
        markDirty()
    }

    /// Ends the stream's producer: its task is cancelled and its writes fail from now on.
    private func stopStream() {
        streamStopping = true
        streamTask?.cancel()
        resumePendingWrite(throwing: true)
    }

    private func resumePendingWrite(throwing: Bool) {
        guard let waiting = pendingWrite else { return }
        pendingWrite = nil
        if throwing { waiting.resume(throwing: ResponseStreamClosed()) } else { waiting.resume() }
    }

    /// Answers a framing or limit error and closes: the next request's start is unknown.
    private func fail(_ error: HTTPParseError) {
        let response = ResponseEncoder.errorResponse(error.status, error.code, error.message)
        let before = output.count
        ResponseEncoder.encode(response, requestID: "", keepAlive: false, http10KeepAlive: false, headOnly: false,
                               date: loop.dateCache.current(), into: &output)
        worker.metrics.record(route: 0, status: error.status, nanos: 0, bytesOut: output.count - before)
        worker.log.info("request refused", ["status": "\(error.status)", "reason": error.message, "remote": peer])
        head = nil
        route = nil
        phase = .closing
        deadline = cshims_monotonic_ns() + worker.timeouts.body
        markDirty()
    }

    private func queue(_ bytes: [UInt8]) {
        output.append(contentsOf: bytes)
        markDirty()
    }

    // MARK: - writing

    /// Writes what is queued; called once per loop batch for dirty connections.
    func flush() {
        isDirty = false
        guard phase != .closed else { return }
        while outputStart < output.count {
            let n = output.withUnsafeBytes { buf in
                cshims_write(fd, buf.baseAddress! + outputStart, buf.count - outputStart)
            }
            if n > 0 {
                outputStart += n
                lastWriteProgress = cshims_monotonic_ns()
            } else {
                let e = cshims_errno()
                if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) { break }
                close()
                return
            }
        }
        if pendingWrite != nil && output.count - outputStart <= Self.streamHighWater { resumePendingWrite(throwing: false) }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
            outputStart = 0
            if phase == .closing {
                // Half-close, then discard what the client still sends, so our answer is not
                // lost to a reset (a "real close" after a framing error).
                _ = cshims_shutdown_write(fd)
                phase = .lingering
                input = []
                inputStart = 0
                deadline = cshims_monotonic_ns() + 2_000_000_000
                if peerClosed { close(); return }
                setInterest(read: true, write: false)
                return
            }
            // Parsing paused while too much output was queued: resume it.
            if (phase == .head || phase == .body) && input.count > inputStart { advance() }
        }
        setInterest(read: readInterest, write: outputStart < output.count)
    }

    private func updateReadInterest() {
        // After EOF the socket stays readable forever (level-triggered): stop asking, or the
        // loop spins while a handler runs.
        let wantRead = !peerClosed && (phase == .lingering || (input.count - inputStart <= worker.maxBufferedInput))
        setInterest(read: wantRead, write: writeInterest)
    }

    private func setInterest(read: Bool, write: Bool) {
        guard phase != .closed, read != readInterest || write != writeInterest else { return }
        readInterest = read
        writeInterest = write
        loop.modify(fd: fd, read: read, write: write)
    }

    // MARK: - timeouts and closing

    /// Called by the loop's tick. Closes or answers 408 when the phase's deadline passed.
    func checkDeadline(now: UInt64) {
        if phase == .streaming {
            // A stream has no deadline of its own; only a client that stops reading ends it.
            if outputStart < output.count && now &- lastWriteProgress >= worker.timeouts.body { close() }
            return
        }
        guard deadline != 0, now >= deadline else { return }
        // A client still reading our answer is not idle: only a stalled write ends it.
        if outputStart < output.count {
            if now &- lastWriteProgress < worker.timeouts.body { return }
            close()
            return
        }
        switch phase {
        case .head where inputStart < input.count && !headerClockIdle:
            fail(HTTPParseError(408, "request_timeout", "request head not received in time"))
            flush()
        case .body:
            fail(HTTPParseError(408, "request_timeout", "request body stalled"))
            flush()
        case .head, .closing, .lingering:
            close()
        case .handling, .streaming, .closed:
            break
        }
    }

    /// Closes now if idle (shutdown), else after the answer in flight.
    func drain() {
        draining = true
        if phase == .streaming { stopStream(); return }
        // A partial head is not a request yet: nothing was acknowledged, so it may be dropped.
        if phase == .head && output.count == outputStart { close() }
    }

    func close() {
        guard phase != .closed else { return }
        if phase == .streaming {
            streamTask?.cancel()
            streamTask = nil
        }
        phase = .closed
        resumePendingWrite(throwing: true)
        loop.deregister(fd: fd)
        _ = cshims_close(fd)
        worker.closed(self)
    }
}

/// `Response.stream`'s writer: hops to the connection's loop for each write.
struct ConnectionStreamWriter: ResponseBodyWriter {
    let connection: LoopBound<Connection>
    let loop: EventLoop
    let token: UInt64

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled { throw ResponseStreamClosed() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if loop.inLoop {
                connection.value.streamWrite(bytes, token: token, continuation)
            } else {
                loop.execute { connection.value.streamWrite(bytes, token: token, continuation) }
            }
        }
    }
}
