import Foundation
import Glibc
import PluginAPI
import Testing
@testable import Kernel

/// `CurlHTTPClient` against a fake HTTP/1.1 server on loopback (below), so every status,
/// delay, size and connection count is under the test's control.
@Suite("HTTP client", .serialized)
struct HTTPClientTests {
    private func url(_ server: FakeHTTPServer, _ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    @Test func getRoundTripCarriesHeadersBothWays() async throws {
        let server = try FakeHTTPServer { request in
            FakeReply(headers: [("X-Reply", "yes"), ("X-Seen", request.header("x-test") ?? "none")],
                      body: Array("\(request.method) \(request.target)".utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let response = try await client.send(.get(url(server, "/hello?a=1&b=two"), headers: ["X-Test": "42"]))
        #expect(response.status == 200)
        #expect(response.text == "GET /hello?a=1&b=two")
        #expect(response.headers["x-reply"] == "yes")
        #expect(response.headers["X-Seen"] == "42")
        #expect(response.headers["Content-Length"] == "\(response.body.count)")
        #expect(!response.isTransientFailure)
    }

    @Test func postRoundTripSendsTheBodyInOneGo() async throws {
        let server = try FakeHTTPServer { request in
            FakeReply(status: 201, headers: [("X-Content-Type", request.header("content-type") ?? "none"),
                                             ("X-Expect", request.header("expect") ?? "none")], body: request.body)
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        // Large enough that libcurl would otherwise add "Expect: 100-continue".
        let payload = Array("{\"data\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 2 * 1024 * 1024) + Array("\"}".utf8)
        let response = try await client.send(.post(url(server, "/send"), json: payload))
        #expect(response.status == 201)
        #expect(response.body == payload)
        #expect(response.headers["X-Content-Type"] == "application/json")
        #expect(response.headers["X-Expect"] == "none")
    }

    @Test func bodylessMethodsAndCustomContentTypes() async throws {
        let server = try FakeHTTPServer { request in
            FakeReply(headers: [("X-Content-Type", request.header("content-type") ?? "none"),
                                ("X-Length", request.header("content-length") ?? "none")],
                      body: Array("\(request.method) \(request.body.count)".utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let deleted = try await client.send(.delete(url(server, "/items/1")))
        #expect(deleted.text == "DELETE 0")
        // A PUT always carries a body, even an empty one, and libcurl's form content type is not invented.
        let put = try await client.send(OutboundRequest(method: .put, url: url(server, "/items/1")))
        #expect(put.text == "PUT 0")
        #expect(put.headers["X-Length"] == "0")
        #expect(put.headers["X-Content-Type"] == "none")
        let form = try await client.send(.post(url(server, "/form"), body: Array("a=1".utf8), contentType: "application/x-www-form-urlencoded"))
        #expect(form.text == "POST 3")
        #expect(form.headers["X-Content-Type"] == "application/x-www-form-urlencoded")
        let head = try await client.send(OutboundRequest(method: .head, url: url(server, "/items/1")))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test func tooManyRequestsCarriesRetryAfter() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(status: 429, headers: [("Retry-After", "7")], body: Array("slow down".utf8)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let response = try await client.send(.get(url(server, "/limited")))
        #expect(response.status == 429)
        #expect(response.isTransientFailure)
        #expect(response.retryAfter == .seconds(7))

        let error = await #expect(throws: OutboundHTTPError.self) { try await client.sendChecked(.get(url(server, "/limited"))) }
        #expect(error?.kind == .status(429))
        #expect(error?.retryable == true)
        #expect(error?.retryAfter == .seconds(7))
        #expect(error?.response?.text == "slow down")
    }

    @Test func serverErrorsAreTransientExceptNotImplemented() async throws {
        let server = try FakeHTTPServer { request in FakeReply(status: request.target == "/501" ? 501 : 503) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let unavailable = try await client.send(.get(url(server, "/503")))
        #expect(unavailable.status == 503)
        #expect(unavailable.isTransientFailure)
        #expect(unavailable.retryAfter == nil)
        let notImplemented = try await client.send(.get(url(server, "/501")))
        #expect(!notImplemented.isTransientFailure)
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.sendChecked(.get(url(server, "/501"))) }
        #expect(error?.retryable == false)
    }

    @Test func jsonRetryAfterInTheBody() async throws {
        let server = try FakeHTTPServer { _ in
            FakeReply(status: 429, headers: [("Content-Type", "application/json")],
                      body: Array(#"{"success":false,"message":"rate limited","retry_after":60}"#.utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let response = try await client.send(.post(url(server, "/api/send-message"), json: Array("{}".utf8)))
        #expect(response.retryAfter == .seconds(60))
    }

    @Test func slowServerTimesOutWithinTheLimit() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(body: Array("late".utf8), delayMs: 3000) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        var request = OutboundRequest.get(url(server, "/slow"))
        request.timeout = ConfigDuration(milliseconds: 300)
        let started = ContinuousClock.now
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(request) }
        let elapsed = ContinuousClock.now - started
        #expect(error?.kind == .timeout)
        #expect(error?.retryable == true)
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .milliseconds(1500))
    }

    @Test func closedPortIsARetryableConnectError() async throws {
        let port = try FakeHTTPServer.unusedPort()
        let client = CurlHTTPClient()
        defer { client.close() }
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(.get("http://127.0.0.1:\(port)/x")) }
        #expect(error?.kind == .connect)
        #expect(error?.retryable == true)
    }

    @Test(arguments: [false, true])
    func responseOverTheCapIsTooLarge(chunked: Bool) async throws {
        let server = try FakeHTTPServer { _ in FakeReply(body: [UInt8](repeating: 0x61, count: 64 * 1024), chunked: chunked) }
        defer { server.stop() }
        let client = CurlHTTPClient(configuration: .init(maxResponseBytes: 16 * 1024))
        defer { client.close() }
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(.get(url(server, "/big"))) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.retryable == false)
        // The request's own cap wins over the client's.
        var roomy = OutboundRequest.get(url(server, "/big"))
        roomy.maxResponseBytes = 64 * 1024
        #expect(try await client.send(roomy).body.count == 64 * 1024)
    }

    @Test func fiftyConcurrentRequestsAllSucceed() async throws {
        let server = try FakeHTTPServer { request in FakeReply(body: Array(request.target.utf8), delayMs: 20) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let answers = try await withThrowingTaskGroup(of: (Int, OutboundResponse).self) { group in
            for i in 0..<50 {
                group.addTask { (i, try await client.send(.get(self.url(server, "/n/\(i)")))) }
            }
            var all: [Int: OutboundResponse] = [:]
            for try await (i, response) in group { all[i] = response }
            return all
        }
        #expect(answers.count == 50)
        for (i, response) in answers {
            #expect(response.status == 200)
            #expect(response.text == "/n/\(i)")
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try FakeHTTPServer { request in FakeReply(body: Array(request.target.utf8)) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        for i in 0..<20 {
            let response = try await client.send(i % 2 == 0 ? .get(url(server, "/r/\(i)")) : .post(url(server, "/r/\(i)"), json: Array("{}".utf8)))
            #expect(response.text == "/r/\(i)")
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func errorsNeverShowQueryUserinfoOrHeaderValues() async throws {
        let port = try FakeHTTPServer.unusedPort()
        let log = RecordingLogger()
        let client = CurlHTTPClient(log: log)
        defer { client.close() }
        let request = OutboundRequest.get("http://user:pw@127.0.0.1:\(port)/x?token=abc#frag",
                                          headers: ["Authorization": "Bearer s3cr3t-value"])
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(request) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("GET http://127.0.0.1:\(port)/x: "))
        for secret in ["token", "abc", "user", "pw@", "frag", "s3cr3t"] {
            #expect(!text.contains(secret), "\(secret) leaked into \(text)")
            #expect(!log.text.contains(secret), "\(secret) leaked into the log")
        }
        #expect(log.lines.first?.fields["url"] == "http://127.0.0.1:\(port)/x")
    }

    @Test func debugLineHasMethodSafeURLStatusAndMillisecondsOnly() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(body: Array("ok".utf8)) }
        defer { server.stop() }
        let log = RecordingLogger()
        let client = CurlHTTPClient(log: log)
        defer { client.close() }
        _ = try await client.send(.get(url(server, "/p?key=hidden"), headers: ["X-Api-Key": "hidden-key"]))
        let lines = log.lines
        #expect(lines.count == 1)
        #expect(lines.first?.level == .debug)
        #expect(Set(lines.first?.fields.keys.map { $0 } ?? []) == ["method", "url", "status", "ms"])
        #expect(lines.first?.fields["url"] == url(server, "/p"))
        #expect(lines.first?.fields["status"] == "200")
        #expect(!log.text.contains("hidden"))
    }

    @Test func invalidRequestsFailWithoutTouchingTheNetwork() async throws {
        let client = CurlHTTPClient()
        defer { client.close() }
        for bad in ["ftp://example.com/file", "example.com/path", "http://", "http://exa mple.com/", "http:///path"] {
            let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(.get(bad)) }
            #expect(error?.kind == .invalidURL, "\(bad)")
            #expect(error?.retryable == false)
        }
        let injected = await #expect(throws: OutboundHTTPError.self) {
            try await client.send(.get("http://127.0.0.1:1/x", headers: ["X-Evil": "a\r\nHost: other"]))
        }
        #expect(injected?.kind == .invalidRequest)
        #expect(injected.map { "\($0)" }?.contains("other") == false)
        let badMethod = await #expect(throws: OutboundHTTPError.self) {
            try await client.send(OutboundRequest(method: .other("GET /x"), url: "http://127.0.0.1:1/x"))
        }
        #expect(badMethod?.kind == .invalidRequest)
    }

    @Test func redirectsAreReturnedUnlessFollowed() async throws {
        let server = try FakeHTTPServer { request in
            request.target == "/old"
                ? FakeReply(status: 302, headers: [("Location", "/new"), ("X-Hop", "first")])
                : FakeReply(headers: [("X-Final", "yes")], body: Array("moved here".utf8))
        }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let redirect = try await client.send(.get(url(server, "/old")))
        #expect(redirect.status == 302)
        #expect(redirect.headers["Location"] == "/new")
        var follow = OutboundRequest.get(url(server, "/old"))
        follow.followRedirects = true
        let final = try await client.send(follow)
        #expect(final.status == 200)
        #expect(final.text == "moved here")
        // Only the last response's headers.
        #expect(final.headers["X-Final"] == "yes")
        #expect(final.headers["X-Hop"] == nil)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(delayMs: 3000) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let started = ContinuousClock.now
        let task = Task { try await client.send(.get(url(server, "/slow"))) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .milliseconds(1500))
    }

    @Test func plaintextAnswerToTLSIsATLSError() async throws {
        // OpenSSL reads the plaintext greeting as a TLS record with a bad version.
        let server = try FakeHTTPServer(greeting: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)) { _ in FakeReply() }
        defer { server.stop() }
        let client = CurlHTTPClient()
        defer { client.close() }
        let error = await #expect(throws: OutboundHTTPError.self) { try await client.send(.get("https://127.0.0.1:\(server.port)/x")) }
        #expect(error?.kind == .tls)
        #expect(error?.retryable == false)
    }

    @Test func droppingTheClientStopsItsThread() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(body: Array("ok".utf8)) }
        defer { server.stop() }
        var client: CurlHTTPClient? = CurlHTTPClient()
        #expect(try await client?.send(.get(url(server, "/a"))).text == "ok")
        // deinit stops and joins the loop thread; a hang here would time the suite out.
        client = nil
        #expect(client == nil)
    }

    @Test func closeFailsInFlightAndLaterRequests() async throws {
        let server = try FakeHTTPServer { _ in FakeReply(delayMs: 3000) }
        defer { server.stop() }
        let client = CurlHTTPClient()
        let task = Task { try await client.send(.get(url(server, "/slow"))) }
        try await Task.sleep(for: .milliseconds(100))
        client.close()
        let inFlight = await #expect(throws: OutboundHTTPError.self) { try await task.value }
        #expect(inFlight?.kind == .other)
        let later = await #expect(throws: OutboundHTTPError.self) { try await client.send(.get(url(server, "/x"))) }
        #expect(later?.kind == .other)
        client.close()
    }
}

// MARK: - fake server

/// What the fake server received.
struct FakeRequest: Sendable {
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// What the fake server answers: after `delayMs`, with Content-Length or chunked framing.
struct FakeReply: Sendable {
    var status: Int = 200
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var delayMs: Int = 0
    var chunked = false
}

/// A blocking HTTP/1.1 server on 127.0.0.1: one thread accepting, one thread per connection,
/// keep-alive, requests framed by Content-Length. Counts accepted connections so tests can
/// see reuse. Just enough HTTP for the client's tests; not a model of anything.
final class FakeHTTPServer: @unchecked Sendable {
    struct Failure: Error { var message: String }

    let port: Int
    private let listenFD: Int32
    private let handler: @Sendable (FakeRequest) -> FakeReply
    /// Written as soon as a connection is accepted, before reading anything.
    private let greeting: [UInt8]
    private let lock = NSLock()
    private var accepted = 0
    private var open: Set<Int32> = []
    private var stopped = false

    init(greeting: [UInt8] = [], handler: @escaping @Sendable (FakeRequest) -> FakeReply) throws {
        self.handler = handler
        self.greeting = greeting
        (listenFD, port) = try Self.bindLoopback(listen: true)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A port nothing listens on: bound, then closed.
    static func unusedPort() throws -> Int {
        let (fd, port) = try bindLoopback(listen: false)
        close(fd)
        return port
    }

    var acceptedConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted
    }

    /// Stops accepting and drops every connection; threads exit on their own.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        // shutdown wakes the blocked accept and reads; each thread closes its own fd, so no fd
        // number is closed twice or reused under a thread's feet.
        _ = shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in open { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func bindLoopback(listen shouldListen: Bool) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket: errno \(errno)") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !shouldListen || listen(fd, 256) == 0 else {
            close(fd)
            throw Failure(message: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            lock.lock()
            if stopped {
                lock.unlock()
                if fd >= 0 { close(fd) }
                close(listenFD)
                return
            }
            guard fd >= 0 else {
                lock.unlock()
                continue
            }
            accepted += 1
            open.insert(fd)
            lock.unlock()
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            lock.lock()
            open.remove(fd)
            close(fd)
            lock.unlock()
        }
        if !greeting.isEmpty { guard write(fd, greeting) else { return } }
        while let request = readRequest(fd, &buffer) {
            let reply = handler(request)
            if reply.delayMs > 0 { usleep(UInt32(reply.delayMs) * 1000) }
            guard write(fd, encode(reply, head: request.method == "HEAD")) else { return }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> FakeRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = Self.find(separator, in: buffer) { headEnd = end }
            if let end = headEnd {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count == 3 else { return nil }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
                let total = end + 4 + length
                if buffer.count >= total {
                    let request = FakeRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                                              body: Array(buffer[(end + 4)..<total]))
                    buffer.removeFirst(total)
                    return request
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private func encode(_ reply: FakeReply, head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(reply.status) Fake\r\n"
        for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
        text += reply.chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(reply.body.count)\r\n\r\n"
        var bytes = Array(text.utf8)
        if head { return bytes }
        guard reply.chunked else { return bytes + reply.body }
        var offset = 0
        while offset < reply.body.count {
            let size = min(4096, reply.body.count - offset)
            bytes += Array("\(String(size, radix: 16))\r\n".utf8) + reply.body[offset..<(offset + size)] + [13, 10]
            offset += size
        }
        return bytes + Array("0\r\n\r\n".utf8)
    }

    /// Writes everything; false when the peer has gone (MSG_NOSIGNAL: no SIGPIPE).
    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}

/// A logger that keeps every line, at every level, for assertions about what is logged.
final class RecordingLogger: PluginAPI.Logger, @unchecked Sendable {
    struct Line {
        var level: LogLevel
        var message: String
        var fields: [String: String]
    }

    private let lock = NSLock()
    private var recorded: [Line] = []

    func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {
        lock.lock()
        recorded.append(Line(level: level, message: message, fields: fields))
        lock.unlock()
    }

    func isEnabled(_ level: LogLevel) -> Bool { true }

    var lines: [Line] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Every line flattened to text, for "never contains" checks.
    var text: String { lines.map { "\($0.level) \($0.message) \($0.fields)" }.joined(separator: "\n") }
}
