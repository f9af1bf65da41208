import Foundation
import Glibc
import PluginAPI
import Testing
import TestHTTPServer
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
