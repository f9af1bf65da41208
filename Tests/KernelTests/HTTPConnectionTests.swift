import CShims
import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// Connection behaviour over real sockets: keep-alive, pipelining, HEAD, 100-continue,
/// HTTP/1.0, timeouts, the connection cap, many idle connections and graceful shutdown.
extension HTTPSocketSuites {
    @Suite("HTTP connections")
    struct HTTPConnectionTests {
        static let hello = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n"

        /// Short timeouts, so timeout tests take a fraction of a second.
        static func shortTimeouts(_ config: inout SwitchboardConfig) {
            config.server.headerTimeout = ConfigDuration(milliseconds: 300)
            config.server.bodyTimeout = ConfigDuration(milliseconds: 300)
            config.server.keepAliveTimeout = ConfigDuration(milliseconds: 300)
        }

        // MARK: - keep-alive

        @Test func severalRequestsOnOneConnection() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                for i in 0..<20 {
                    let answer = try client.exchange("GET /testkit/items/\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
                    #expect(answer.text == "item \(i)")
                    #expect(answer.header("connection") == nil)
                    let echo = try client.exchange("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nx\(i % 10)y")
                    #expect(echo.text == "x\(i % 10)y")
                }
            }
        }

        @Test func connectionCloseClosesAfterTheAnswer() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                #expect(try client.exchange(Self.hello).text == "hello")
                // A request pipelined behind the closing one is not answered.
                try client.send("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + Self.hello)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test("Connection tokens are a case-insensitive list", arguments: ["close", "Close", "keep-alive, close", "close, upgrade", " CLOSE "])
        func connectionCloseTokens(_ value: String) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nConnection: \(value)\r\n\r\n")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func http10ClosesByDefault() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("GET /testkit/hello HTTP/1.0\r\n\r\n" + Self.hello)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func http10StaysOpenWithKeepAlive() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                for _ in 0..<3 {
                    let answer = try client.exchange("GET /testkit/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    #expect(answer.status == 200)
                    #expect(answer.header("connection") == "keep-alive")
                }
                // A body with Content-Length works in 1.0 too.
                let echo = try client.exchange("POST /testkit/echo HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok")
                #expect(echo.text == "ok")
                #expect(echo.header("connection") == "keep-alive")
                // Without the token, the connection closes again.
                let last = try client.exchange("GET /testkit/hello HTTP/1.0\r\n\r\n")
                #expect(last.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func halfClosedClientIsStillAnswered() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("GET /testkit/slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\n")
                client.shutdownWrite()
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "slept 50")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        /// A half-close means "no more requests", not "drop the ones already sent": every
        /// complete request received before the EOF is answered, the last with `Connection: close`.
        @Test func pipelinedRequestsBeforeAHalfCloseAreAllAnswered() async throws {
            try await withTestServer { server in
                let client = try server.connect(timeoutMs: 3000)
                try client.send(Self.hello + "GET /testkit/slow?ms=30 HTTP/1.1\r\nHost: t\r\n\r\n" + "GET /testkit/items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
                client.shutdownWrite()
                let answers = try client.readUntilClosed()
                #expect(answers.map(\.text) == ["hello", "slept 30", "item 3"])
                #expect(answers.last?.header("connection") == "close")
            }
        }

        @Test func clientResetDuringAHandlerLeavesOthersUnharmed() async throws {
            try await withTestServer { server in
                var doomed: RawClient? = try server.connect(timeoutMs: 3000)
                try doomed!.send("GET /testkit/slow?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n")
                usleep(30_000)
                _ = cshims_set_linger_zero(doomed!.fd)
                doomed = nil // closes with a reset
                usleep(30_000)
                // New connections (likely reusing the server-side descriptor) are served, and the
                // late answer of the reset one never reaches them.
                let fresh = try server.connect(timeoutMs: 3000)
                #expect(try fresh.exchange(Self.hello).text == "hello")
                usleep(300_000)
                #expect(!fresh.waitReadable(timeoutMs: 50), "bytes nobody asked for")
                #expect(try fresh.exchange("GET /testkit/items/5 HTTP/1.1\r\nHost: t\r\n\r\n").text == "item 5")
                #expect(!fresh.waitReadable(timeoutMs: 50), "bytes nobody asked for")
            }
        }

        // MARK: - pipelining

        @Test func fiftyPipelinedRequestsAnsweredInOrder() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                var requests = ""
                var expected: [String] = []
                for i in 0..<50 {
                    switch i % 5 {
                    case 0:
                        requests += "GET /testkit/slow?ms=\(5 + i % 3 * 5) HTTP/1.1\r\nHost: t\r\n\r\n"
                        expected.append("slept \(5 + i % 3 * 5)")
                    case 1:
                        requests += "GET /testkit/items/\(i) HTTP/1.1\r\nHost: t\r\n\r\n"
                        expected.append("item \(i)")
                    case 2:
                        requests += "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: \("body \(i)".utf8.count)\r\n\r\nbody \(i)"
                        expected.append("body \(i)")
                    case 3:
                        requests += "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nc\(i % 10)c\r\n0\r\n\r\n"
                        expected.append("c\(i % 10)c")
                    default:
                        requests += "GET /testkit/request-id HTTP/1.1\r\nHost: t\r\nX-Request-Id: req-\(i)\r\n\r\n"
                        expected.append("req-\(i)")
                    }
                }
                try client.send(requests)
                for (i, text) in expected.enumerated() {
                    let answer = try client.read()
                    #expect(answer.status == 200, "answer \(i)")
                    #expect(answer.text == text, "answer \(i) out of order")
                }
                #expect(try client.exchange(Self.hello).text == "hello")
            }
        }

        @Test func pipelinedRequestAfterAPostWithBody() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + Self.hello
                    + "PUT /testkit/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" + Self.hello)
                #expect(try client.read().text == "hello")
                #expect(try client.read().text == "hello")
                #expect(try client.read().text == "ab")
                #expect(try client.read().text == "hello")
            }
        }

        @Test func pipelinedBadRequestIsRefusedAfterTheGoodOnes() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send(Self.hello + "GET /testkit/slow?ms=30 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /testkit/hello HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n" + Self.hello)
                #expect(try client.read().text == "hello")
                #expect(try client.read().text == "slept 30")
                expectErrorShape(try client.read(), status: 400, code: "bad_request")
                #expect(client.isClosedByServer())
            }
        }

        /// 30 MB of pipelined requests on one connection (12 KiB heads, so a read nearly always
        /// ends inside one): the server must drop what it consumed, not keep every byte it read.
        @Test func longPipelinedStreamKeepsServerMemoryBounded() async throws {
            try await withTestServer { server in
                let client = try server.connect(timeoutMs: 10_000)
                let request = Array(("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nX-Pad: " + String(repeating: "p", count: 12 * 1024) + "\r\n\r\n").utf8)
                let count = 2500
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
                let rssBefore = residentMemoryMiB()
                async let written: Void = onThread {
                    var batch: [UInt8] = []
                    for i in 0..<count {
                        batch += request
                        if batch.count > 256 * 1024 || i == count - 1 {
                            try client.send(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                let answered = try await onThread { client.countBodies("hello", expected: count) }
                try await written
                let grown = residentMemoryMiB() - rssBefore
                #expect(answered == count)
                #expect(grown < 15, "resident memory grew by \(grown) MiB after \(count * request.count / 1_000_000) MB of pipelined requests")
            }
        }

        // MARK: - responses

        @Test func handlerCannotForgeFramingOrSplitTheResponse() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("GET /testkit/forged-headers HTTP/1.1\r\nHost: t\r\nX-Request-Id: mine\r\n\r\n" + Self.hello)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "body")
                expectFramingHeaders(answer)
                #expect(answer.header("content-length") == "4")
                #expect(answer.header("connection") == nil, "a handler's Connection header is not the kernel's")
                #expect(answer.header("date") != "yesterday")
                #expect(answer.headerCount("x-request-id") == 1)
                #expect(answer.header("x-request-id") == "mine")
                for name in ["injected-by-value", "injected-by-name"] {
                    #expect(answer.header(name) == nil, "response split by a handler header: \(answer.headers)")
                }
                for (name, _) in answer.headers {
                    #expect(!name.isEmpty && name.utf8.allSatisfy(HeadParser.isTokenChar), "response header name \(name.debugDescription) is not a token")
                }
                // The connection is intact: the next answer parses.
                #expect(try client.read().text == "hello")
            }
        }

        /// The keep-alive clock is for idle connections: a client still reading a large answer
        /// (slowly but steadily) is not idle, and must get all of it.
        @Test("a large answer read steadily is not cut by the idle timeouts", arguments: ["keep-alive", "close"])
        func largeAnswerToSteadyReader(_ connection: String) async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                client.setReceiveBuffer(bytes: 256 * 1024)
                let size = 12 * 1024 * 1024
                try client.send("GET /testkit/blob?size=\(size) HTTP/1.1\r\nHost: t\r\nConnection: \(connection)\r\n\r\n")
                // About 1 MiB per 60 ms: over 0.7 s in all, never pausing near the 300 ms timeouts.
                let (head, bodyBytes) = client.readResponseSlowly(pieceBytes: 1 << 20, pauseMs: 60)
                #expect(head.contains("200 OK"))
                #expect(bodyBytes == size, "got \(bodyBytes) of \(size) body bytes")
            }
        }

        // MARK: - HEAD

        @Test("HEAD has GET's headers and no body", arguments: ["/testkit/hello", "/healthz", "/testkit/items/12", "/testkit/query?x=1"])
        func headLikeGet(_ path: String) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let get = try client.exchange("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                // HEAD then GET in one write: any body byte after HEAD would break the next parse.
                try client.send("HEAD \(path) HTTP/1.1\r\nHost: t\r\n\r\nGET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try client.read(head: true)
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
                #expect(head.header("content-length") == "\(get.body.count)")
                #expect(head.header("content-type") == get.header("content-type"))
                #expect(head.header("date") != nil)
                let again = try client.read()
                #expect(again.status == 200)
                #expect(again.body == get.body)
            }
        }

        @Test func headOfAnErrorHasNoBody() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("HEAD /nowhere HTTP/1.1\r\nHost: t\r\n\r\n" + Self.hello)
                let head = try client.read(head: true)
                #expect(head.status == 404)
                #expect(Int(head.header("content-length") ?? "") ?? 0 > 0)
                #expect(try client.read().text == "hello")
            }
        }

        // MARK: - 100-continue

        @Test func expectContinueGets100BeforeTheBody() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let interim = try client.read()
                #expect(interim.status == 100)
                try client.send("hello")
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                // Still kept alive.
                #expect(try client.exchange(Self.hello).text == "hello")
            }
        }

        @Test func expectContinueWithChunkedBody() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n")
                #expect(try client.read().status == 100)
                try client.send("3\r\nabc\r\n0\r\n\r\n")
                #expect(try client.read().text == "abc")
            }
        }

        @Test func expectContinueWithoutBodyGetsNo100() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
            }
        }

        @Test func expectContinueFromHTTP10GetsNo100() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("POST /testkit/echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok")
                #expect(answer.status == 200)
                #expect(answer.text == "ok")
            }
        }

        @Test func expectContinueOnAnUnknownPathGets404Not100() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
                let answer = try client.read()
                expectErrorShape(answer, status: 404, code: "not_found")
                #expect(client.isClosedByServer())
            }
        }

        @Test func otherExpectationIs417() async throws {
            try await withTestServer { server in
                try expectRejectedAndClosed(server, "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\nhello",
                                            status: 417, code: "expectation_failed")
            }
        }

        // MARK: - timeouts

        @Test func slowlorisIsCutOffWhileOthersAreServed() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let slow = try server.connect(timeoutMs: 3000)
                let started = monotonicSeconds()
                let bytes = Array("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nX-Slow: 0123456789abcdef\r\n\r\n".utf8)
                var cutAfter: Double?
                for (i, b) in bytes.enumerated() {
                    if slow.waitReadable(timeoutMs: 0) { cutAfter = monotonicSeconds() - started; break }
                    try slow.send([b])
                    if i == 1 || i == 2 {
                        // Meanwhile another client is served at once.
                        let other = try server.connect()
                        let t0 = monotonicSeconds()
                        #expect(try other.exchange(Self.hello).text == "hello")
                        #expect(monotonicSeconds() - t0 < 0.2)
                    }
                    usleep(100_000)
                }
                let elapsed = try #require(cutAfter, "never cut off")
                #expect(elapsed >= 0.25 && elapsed < 1.0, "cut off after \(elapsed)s with a 300ms header timeout")
                // Either a 408 or a plain close; a 408 has the usual shape.
                if !slow.isClosedByServer() {
                    let answer = try slow.read()
                    expectErrorShape(answer, status: 408, code: "request_timeout")
                    #expect(slow.isClosedByServer())
                }
            }
        }

        @Test func stalledBodyGets408AndClose() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                let started = monotonicSeconds()
                let answer = try client.read()
                let elapsed = monotonicSeconds() - started
                expectErrorShape(answer, status: 408, code: "request_timeout")
                #expect(answer.header("connection") == "close")
                #expect(elapsed >= 0.25 && elapsed < 1.0, "408 after \(elapsed)s")
                #expect(client.isClosedByServer())
            }
        }

        @Test func stalledChunkedBodyGets408AndClose() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
                expectErrorShape(try client.read(), status: 408, code: "request_timeout")
                #expect(client.isClosedByServer())
            }
        }

        @Test func bodyTrickleWithinTheTimeoutIsFine() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                // 6 pauses of 150 ms: longer than the 300 ms body timeout in all, but never stalled that long.
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\n")
                for b in "abcdef".utf8 {
                    usleep(150_000)
                    try client.send([b])
                }
                #expect(try client.read().text == "abcdef")
            }
        }

        @Test func idleKeepAliveConnectionIsClosed() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                #expect(try client.exchange(Self.hello).text == "hello")
                let started = monotonicSeconds()
                #expect(client.isClosedByServer())
                let elapsed = monotonicSeconds() - started
                #expect(elapsed >= 0.25 && elapsed < 1.0, "closed after \(elapsed)s with a 300ms keep-alive timeout")
            }
        }

        @Test func activeKeepAliveConnectionIsNotClosed() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                // 6 requests 150 ms apart: the idle clock restarts after each answer.
                for _ in 0..<6 {
                    #expect(try client.exchange(Self.hello).text == "hello")
                    usleep(150_000)
                }
                #expect(try client.exchange(Self.hello).text == "hello")
            }
        }

        @Test func silentConnectionIsClosedAfterTheHeaderTimeout() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                let started = monotonicSeconds()
                #expect(client.isClosedByServer(), "closed without an answer")
                let elapsed = monotonicSeconds() - started
                #expect(elapsed >= 0.25 && elapsed < 1.0, "closed after \(elapsed)s with a 300ms header timeout")
            }
        }

        @Test func slowHandlerIsNotCutByTimeouts() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                let answer = try client.exchange("GET /testkit/slow?ms=700 HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "slept 700")
            }
        }

        @Test func partialNextRequestGetsTheHeaderTimeout() async throws {
            try await withTestServer(adjust: Self.shortTimeouts) { server in
                let client = try server.connect(timeoutMs: 3000)
                #expect(try client.exchange(Self.hello).text == "hello")
                try client.send("GET /testkit/hel")
                let answer = try client.read()
                expectErrorShape(answer, status: 408, code: "request_timeout")
                #expect(client.isClosedByServer())
            }
        }

        // MARK: - event loops stay idle

        /// A client that half-closes while its handler runs must not make its loop spin: EOF
        /// stays readable, so level-triggered EPOLLIN/EPOLLRDHUP fire on every wait unless the
        /// connection stops asking for them.
        @Test func halfClosedClientDuringSlowHandlerDoesNotSpinTheLoop() async throws {
            try await withTestServerAndLoopThreads { server, loopThreads in
                #expect(loopThreads.count >= 2)
                let client = try server.connect(timeoutMs: 3000)
                try client.send("GET /testkit/slow?ms=600 HTTP/1.1\r\nHost: t\r\n\r\n")
                usleep(50_000)
                let before = cpuSeconds(ofThreads: loopThreads)
                client.shutdownWrite()
                let answer = try client.read()
                let used = cpuSeconds(ofThreads: loopThreads) - before
                #expect(answer.status == 200)
                #expect(answer.header("connection") == "close")
                #expect(used < 0.2, "event loops burnt \(used)s of CPU while one half-closed client waited ~0.55s")
                #expect(client.isClosedByServer())
            }
        }

        @Test func halfClosedClientWithPartialHeadDoesNotSpinTheLoop() async throws {
            try await withTestServerAndLoopThreads(adjust: { $0.server.headerTimeout = ConfigDuration(milliseconds: 800) }) { server, loopThreads in
                let client = try server.connect(timeoutMs: 3000)
                try client.send("GET /testkit/hel")
                usleep(20_000)
                let before = cpuSeconds(ofThreads: loopThreads)
                client.shutdownWrite()
                usleep(500_000)
                let used = cpuSeconds(ofThreads: loopThreads) - before
                #expect(used < 0.2, "event loops burnt \(used)s of CPU in 0.5s for one half-closed partial head")
                // It ends one way or the other (408 at the header timeout, or a close).
                _ = try client.readUntilClosed()
            }
        }

        // MARK: - many connections, the cap

        @Test func thousandIdleConnectionsDoNotBlockANewRequest() async throws {
            // 1,001 client and 1,001 server descriptors in this one process: make room if the
            // soft limit is low (CI defaults are often 1,024).
            var limit = rlimit()
            if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 4096 {
                limit.rlim_cur = min(4096, limit.rlim_max)
                _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            }
            try await withTestServer { server in
                var idle: [RawClient] = []
                idle.reserveCapacity(1000)
                for _ in 0..<1000 { idle.append(try server.connect(timeoutMs: 3000)) }
                let started = monotonicSeconds()
                let client = try server.connect()
                let answer = try client.exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                let elapsed = monotonicSeconds() - started
                #expect(answer.status == 200)
                #expect(elapsed < 0.5, "answered after \(elapsed)s with 1,000 idle connections open")
                // The idle ones are all open, and still usable.
                #expect(try idle[0].exchange(Self.hello).text == "hello")
                #expect(try idle[999].exchange(Self.hello).text == "hello")
                idle.removeAll()
            }
        }

        @Test func connectionCapAnswers503ThenAcceptsAgain() async throws {
            try await withTestServer(adjust: { $0.server.maxConnections = 5 }) { server in
                var open: [RawClient] = []
                for _ in 0..<5 {
                    let c = try server.connect(timeoutMs: 3000)
                    // Served, so it surely holds a slot before the next one connects.
                    #expect(try c.exchange(Self.hello).text == "hello")
                    open.append(c)
                }
                let sixth = try server.connect(timeoutMs: 3000)
                let refused = try sixth.read()
                expectErrorShape(refused, status: 503, code: "too_many_connections")
                #expect(refused.header("connection") == "close")
                #expect(sixth.isClosedByServer())
                // The five are unaffected.
                #expect(try open[4].exchange(Self.hello).text == "hello")
                // Free one slot: a new connection is served again (once the server saw the close).
                open.removeFirst()
                var served = false
                for _ in 0..<1500 where !served {
                    usleep(20_000)
                    let c = try server.connect(timeoutMs: 3000)
                    try c.send(Self.hello)
                    if let answer = try? c.read(), answer.status == 200 { served = true }
                }
                #expect(served, "a slot freed by a close is reused")
            }
        }

        // MARK: - graceful shutdown

        @Test func gracefulShutdownFinishesInFlightAndRefusesNew() async throws {
            let server = try await TestServer.start(adjust: { $0.server.shutdownGrace = ConfigDuration(milliseconds: 3000) })
            let port = server.port
            let busy = try server.connect(timeoutMs: 3000)
            let idle = try server.connect(timeoutMs: 3000)
            #expect(try idle.exchange(Self.hello).text == "hello")
            try busy.send("GET /testkit/slow?ms=500 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await Task.sleep(nanoseconds: 100_000_000)

            let stopStarted = monotonicSeconds()
            let stopping = Task { () -> Double in
                await server.stop()
                return monotonicSeconds() - stopStarted
            }
            try await Task.sleep(nanoseconds: 150_000_000)

            // The idle keep-alive connection is closed by the shutdown.
            #expect(try await onThread { idle.isClosedByServer() }, "idle keep-alive connection closed by shutdown")
            // New connections are refused (or closed without an answer).
            let servedLate = try await onThread { () -> Bool in
                guard let late = try? RawClient(port: port, timeoutMs: 1000) else { return false }
                try? late.send(Self.hello)
                return (try? late.read()) != nil
            }
            #expect(!servedLate, "a connection made after shutdown began was served")
            // The in-flight request still gets its answer.
            let answer = try await onThread { try busy.read() }
            #expect(answer.status == 200)
            #expect(answer.text == "slept 500")
            #expect(answer.header("connection") == "close")
            #expect(try await onThread { busy.isClosedByServer() })
            busy.shutdownWrite()

            let took = await stopping.value
            #expect(took < 2.0, "stop() took \(took)s (grace 3s, in-flight 0.5s)")
        }

        @Test func shutdownGraceBoundsStopWhenARequestIsStuck() async throws {
            let server = try await TestServer.start(adjust: { $0.server.shutdownGrace = ConfigDuration(milliseconds: 400) })
            let stuck = try server.connect(timeoutMs: 3000)
            // A body that never completes (the body timeout is the default 30 s).
            try stuck.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab")
            usleep(50_000)
            let started = monotonicSeconds()
            await server.stop()
            let took = monotonicSeconds() - started
            #expect(took >= 0.35 && took < 1.0, "stop() took \(took)s with a 400ms grace")
            #expect(stuck.isClosedByServer())
        }

        @Test func shutdownWithOnlyIdleConnectionsIsQuick() async throws {
            let server = try await TestServer.start()
            let idle = try server.connect(timeoutMs: 3000)
            #expect(try idle.exchange(Self.hello).text == "hello")
            let partial = try server.connect(timeoutMs: 3000)
            try partial.send("GET /testkit/hel")
            let started = monotonicSeconds()
            await server.stop()
            let took = monotonicSeconds() - started
            #expect(took < 0.5, "stop() took \(took)s with only idle connections")
            #expect(idle.isClosedByServer())
            #expect(partial.isClosedByServer())
        }
    }
}
