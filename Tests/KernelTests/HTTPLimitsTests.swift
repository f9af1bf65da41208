import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// Size limits over real sockets: 414 for the target, 431 for the header section, 413 for
/// bodies (before the body is read), each with the JSON error shape and a real close.
extension HTTPSocketSuites {
    @Suite("HTTP limits")
    struct HTTPLimitsTests {
        static let smuggled = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n"

        /// `/testkit/hello?p=aaa…` whose target is exactly `length` bytes.
        static func target(length: Int) -> String {
            let base = "/testkit/hello?p="
            return base + String(repeating: "a", count: length - base.utf8.count)
        }

        // MARK: - 414

        @Test func targetOf8192BytesIsServed() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let t = Self.target(length: 8192)
                #expect(t.utf8.count == 8192)
                let answer = try client.exchange("GET \(t) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                #expect(try client.exchange(Self.smuggled).text == "hello")
            }
        }

        @Test func targetOf8193BytesIs414() async throws {
            try await withTestServer { server in
                try expectRejectedAndClosed(server, "GET \(Self.target(length: 8193)) HTTP/1.1\r\nHost: t\r\n\r\n" + Self.smuggled,
                                            status: 414, code: "uri_too_long")
            }
        }

        @Test func hugeTargetWithoutLineEndIs414() async throws {
            try await withTestServer { server in
                // No CRLF yet: refused as soon as the line cannot be under the limit.
                try expectRejectedAndClosed(server, "GET " + Self.target(length: 20_000), status: 414, code: "uri_too_long")
            }
        }

        @Test func targetOf8193BytesSentSlowlyIs414() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let request = Array("GET \(Self.target(length: 8193)) HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
                var i = 0
                while i < request.count {
                    let n = min(1000, request.count - i)
                    try client.send(Array(request[i..<(i + n)]))
                    i += n
                    usleep(1000)
                }
                let answer = try client.read()
                expectErrorShape(answer, status: 414, code: "uri_too_long")
                #expect(client.isClosedByServer())
            }
        }

        // MARK: - 431

        @Test func headerSectionJustUnder16KiBIsServed() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                // 8 fields of ~1.9 KiB: about 15.5 KiB in all.
                var head = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n"
                for i in 0..<8 { head += "X-Fill-\(i): " + String(repeating: "v", count: 1900) + "\r\n" }
                let answer = try client.exchange(head + "\r\n")
                #expect(answer.status == 200)
                #expect(try client.exchange(Self.smuggled).text == "hello")
            }
        }

        @Test func oneFieldOver16KiBIs431() async throws {
            try await withTestServer { server in
                let request = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "v", count: 17 * 1024) + "\r\n\r\n" + Self.smuggled
                try expectRejectedAndClosed(server, request, status: 431, code: "headers_too_large")
            }
        }

        @Test func manyFieldsOver16KiBIs431() async throws {
            try await withTestServer { server in
                var request = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n"
                for i in 0..<20 { request += "X-Fill-\(i): " + String(repeating: "v", count: 1000) + "\r\n" }
                try expectRejectedAndClosed(server, request + "\r\n" + Self.smuggled, status: 431, code: "headers_too_large")
            }
        }

        @Test func headerSectionOver16KiBWithoutEndIs431() async throws {
            try await withTestServer { server in
                // The head never ends: refused once it is too large, not at the header timeout.
                let request = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "v", count: 20 * 1024)
                try expectRejectedAndClosed(server, request, status: 431, code: "headers_too_large")
            }
        }

        @Test func exactly128FieldsAreServed() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                var head = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n"
                for i in 0..<127 { head += "X-F\(i): v\r\n" }
                let answer = try client.exchange(head + "\r\n")
                #expect(answer.status == 200)
            }
        }

        @Test func over128FieldsIs431() async throws {
            try await withTestServer { server in
                var head = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n"
                for i in 0..<128 { head += "X-F\(i): v\r\n" }
                try expectRejectedAndClosed(server, head + "\r\n" + Self.smuggled, status: 431, code: "headers_too_large")
            }
        }

        // MARK: - 413

        @Test func contentLengthOverDefaultLimitIs413BeforeTheBody() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                // Only the head: the answer must not wait for the body.
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n")
                let started = monotonicSeconds()
                let answer = try client.read()
                #expect(monotonicSeconds() - started < 1)
                expectErrorShape(answer, status: 413, code: "payload_too_large")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func bodyAtDefaultLimitIsAccepted() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let body = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
                try client.send(Array("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.header("x-body-length") == "1048576")
                #expect(answer.body == body)
            }
        }

        @Test func routeWithLargerLimitAccepts3MiB() async throws {
            try await withTestServer { server in
                let client = try server.connect(timeoutMs: 10_000)
                let size = 3 * 1024 * 1024
                let body = [UInt8](repeating: UInt8(ascii: "z"), count: size)
                try client.send(Array("POST /testkit/big HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n".utf8) + body + Array(Self.smuggled.utf8))
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "\(size)")
                #expect(try client.read().text == "hello")
                // One byte more is refused before the body.
                try expectRejectedAndClosed(server, "POST /testkit/big HTTP/1.1\r\nHost: t\r\nContent-Length: \(size + 1)\r\n\r\n",
                                            status: 413, code: "payload_too_large")
            }
        }

        @Test func tinyRouteRefusesContentLength11() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                #expect(try client.exchange("POST /testkit/tiny HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789").text == "10")
                try expectRejectedAndClosed(server, "POST /testkit/tiny HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n",
                                            status: 413, code: "payload_too_large")
            }
        }

        @Test func chunkedBodyGrowingPastTheLimitIs413() async throws {
            try await withTestServer { server in
                let head = "POST /testkit/tiny HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                let client = try server.connect()
                // Exactly 10 is fine.
                #expect(try client.exchange(head + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n").text == "10")
                // 5 + 6: refused when the second size is read, before its data.
                let refused = try server.connect()
                try refused.send(head + "5\r\nhello\r\n6\r\n")
                let answer = try refused.read()
                expectErrorShape(answer, status: 413, code: "payload_too_large")
                #expect(refused.isClosedByServer())
                // A single chunk over the limit, announced with a huge size.
                try expectRejectedAndClosed(server, head + "fffffff\r\n", status: 413, code: "payload_too_large")
            }
        }

        @Test func expectContinueWithTooLargeBodyGets413Not100() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /testkit/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1048577\r\n\r\n")
                let answer = try client.read()
                expectErrorShape(answer, status: 413, code: "payload_too_large")
                #expect(client.isClosedByServer())
            }
        }

        @Test func chunkedBodyTrailersOver16KiBAre431() async throws {
            try await withTestServer { server in
                let request = "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: "
                    + String(repeating: "t", count: 17 * 1024) + "\r\n\r\n"
                try expectRejectedAndClosed(server, request, status: 431, code: "headers_too_large")
            }
        }
    }
}
