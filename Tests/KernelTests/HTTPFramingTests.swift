import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// RFC 9112 framing over real sockets: what is refused (with the exact status, the JSON error
/// shape and a real close, so nothing smuggled behind it is answered), and what is accepted.
extension HTTPSocketSuites {
    @Suite("HTTP framing")
    struct HTTPFramingTests {
        static let post = "POST /testkit/echo HTTP/1.1\r\nHost: t\r\n"
        static let get = "GET /testkit/hello HTTP/1.1\r\n"
        /// A complete request that must never be answered when it rides behind a refused one.
        static let smuggled = "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n"

        // MARK: - body framing: Content-Length and Transfer-Encoding

        static let bodyFraming: [RawCase] = [
            RawCase("CL then TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE then CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("repeated CL, same value", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + smuggled),
            RawCase("repeated CL, different values", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" + smuggled),
            RawCase("CL list 1,1", post + "Content-Length: 1,1\r\n\r\nx" + smuggled),
            RawCase("CL list 5, 5", post + "Content-Length: 5, 5\r\n\r\nhello" + smuggled),
            RawCase("CL non-numeric", post + "Content-Length: abc\r\n\r\n" + smuggled),
            RawCase("CL empty", post + "Content-Length: \r\n\r\n" + smuggled),
            RawCase("CL negative", post + "Content-Length: -1\r\n\r\n" + smuggled),
            RawCase("CL plus sign", post + "Content-Length: +5\r\n\r\nhello" + smuggled),
            RawCase("CL hex", post + "Content-Length: 0x5\r\n\r\nhello" + smuggled),
            RawCase("CL whitespace inside", post + "Content-Length: 1 0\r\n\r\n0123456789" + smuggled),
            RawCase("CL decimal point", post + "Content-Length: 5.0\r\n\r\nhello" + smuggled),
            RawCase("CL overflowing", post + "Content-Length: 99999999999999999999\r\n\r\nhello" + smuggled),
            RawCase("TE chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE identity", post + "Transfer-Encoding: identity\r\n\r\n" + smuggled),
            RawCase("TE gzip alone", post + "Transfer-Encoding: gzip\r\n\r\n" + smuggled),
            RawCase("TE chunked, chunked", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE gzip, chunked (unknown coding first)", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled, 501),
            RawCase("TE foo, chunked (unknown coding first)", post + "Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n" + smuggled, 501),
            RawCase("TE in HTTP/1.0", "POST /testkit/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled),
            // A Transfer-Encoding field is there even when its list is empty: with Content-Length
            // it is still both (RFC 9112 §6.3), and alone its last coding is not chunked.
            RawCase("empty TE with CL", post + "Transfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello" + smuggled),
            RawCase("TE of commas with CL", post + "Transfer-Encoding: ,\r\nContent-Length: 5\r\n\r\nhello" + smuggled),
            RawCase("empty TE alone", post + "Transfer-Encoding:\r\n\r\n" + smuggled),
            // Empty list elements around chunked: refused alike, with or without spaces.
            RawCase("TE , chunked", post + "Transfer-Encoding: , chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE ,chunked", post + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE chunked,", post + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n" + smuggled),
        ]

        @Test("refused body framing", arguments: bodyFraming)
        func refusedBodyFraming(_ c: RawCase) async throws {
            try await withTestServer { server in try expectRejectedAndClosed(server, c.request, status: c.status, code: c.code) }
        }

        // MARK: - chunked bodies

        static let chunkedHead = post + "Transfer-Encoding: chunked\r\n\r\n"

        static let badChunks: [RawCase] = [
            RawCase("size zz", chunkedHead + "zz\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("empty size line", chunkedHead + "\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size -1", chunkedHead + "-1\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size +5", chunkedHead + "+5\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size 0x5", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size overflowing", chunkedHead + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size with garbage", chunkedHead + "5 garbage\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("size with trailing space", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("data not followed by CRLF", chunkedHead + "5\r\nhelloXX0\r\n\r\n" + smuggled),
            RawCase("data longer than its size", chunkedHead + "3\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("data followed by bare LF", chunkedHead + "5\r\nhello\n0\r\n\r\n" + smuggled),
            RawCase("size line ended by bare LF", chunkedHead + "5\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("last chunk ended by bare LF", chunkedHead + "5\r\nhello\r\n0\n\r\n" + smuggled),
            RawCase("end of trailers by bare LF", chunkedHead + "5\r\nhello\r\n0\r\n\n" + smuggled),
            RawCase("bare CR in size line", chunkedHead + "5\rhello\r\n0\r\n\r\n" + smuggled),
            RawCase("control character in extension", chunkedHead + "5;a=\u{1}\r\nhello\r\n0\r\n\r\n" + smuggled),
            RawCase("invalid trailer field name", chunkedHead + "5\r\nhello\r\n0\r\nBad Name: v\r\n\r\n" + smuggled),
            RawCase("obs-fold in trailers", chunkedHead + "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n" + smuggled),
            RawCase("NUL in trailer value", chunkedHead + "5\r\nhello\r\n0\r\nX-T: a\u{0}b\r\n\r\n" + smuggled),
        ]

        @Test("refused chunked bodies", arguments: badChunks)
        func refusedChunkedBodies(_ c: RawCase) async throws {
            try await withTestServer { server in try expectRejectedAndClosed(server, c.request, status: c.status, code: c.code) }
        }

        struct ChunkedCase: Sendable, CustomTestStringConvertible {
            var name: String
            var body: String
            var decoded: String
            var testDescription: String { name }
        }

        static let goodChunks: [ChunkedCase] = [
            ChunkedCase(name: "one chunk", body: "5\r\nhello\r\n0\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "several chunks", body: "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", decoded: "hello world"),
            ChunkedCase(name: "empty body", body: "0\r\n\r\n", decoded: ""),
            ChunkedCase(name: "uppercase hex", body: "A\r\n0123456789\r\n0\r\n\r\n", decoded: "0123456789"),
            ChunkedCase(name: "lowercase hex", body: "a\r\n0123456789\r\n0\r\n\r\n", decoded: "0123456789"),
            ChunkedCase(name: "leading zeros", body: "0005\r\nhello\r\n000\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "extension token", body: "5;name=value\r\nhello\r\n0\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "extension quoted", body: "5;name=\"quoted value\"\r\nhello\r\n0;last\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "extensions, several, with BWS", body: "5 ;a;b=c\r\nhello\r\n0\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "trailer", body: "5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "two trailers", body: "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", decoded: "hello"),
            ChunkedCase(name: "data containing CRLF", body: "4\r\n\r\n\r\n\r\n0\r\n\r\n", decoded: "\r\n\r\n"),
        ]

        @Test("chunked bodies are decoded, connection stays usable", arguments: goodChunks)
        func chunkedBodiesDecode(_ c: ChunkedCase) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send(Self.chunkedHead + c.body + Self.smuggled)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == c.decoded)
                #expect(answer.header("x-body-length") == "\(c.decoded.utf8.count)")
                expectFramingHeaders(answer)
                // The request after it is framed right: it is answered.
                #expect(try client.read().text == "hello")
            }
        }

        @Test func chunkedBodySentOneByteAtATime() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let body = "5;ext=\"v\"\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nX-Trailer: v\r\n\r\n"
                let bytes = Array((Self.chunkedHead + body + Self.smuggled).utf8)
                for (i, b) in bytes.enumerated() {
                    try client.send([b])
                    if i % 8 == 0 { usleep(500) }
                }
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "hello, world")
                #expect(try client.read().text == "hello")
            }
        }

        @Test func contentLengthBodySentOneByteAtATime() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let bytes = Array((Self.post + "Content-Length: 11\r\n\r\nhello world" + Self.smuggled).utf8)
                for (i, b) in bytes.enumerated() {
                    try client.send([b])
                    if i % 8 == 0 { usleep(500) }
                }
                #expect(try client.read().text == "hello world")
                #expect(try client.read().text == "hello")
            }
        }

        @Test func contentLengthZeroAndPaddedAreAccepted() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let empty = try client.exchange(Self.post + "Content-Length: 0\r\n\r\n")
                #expect(empty.status == 200)
                #expect(empty.body.isEmpty)
                // OWS around the value is not part of it.
                let padded = try client.exchange(Self.post + "Content-Length: \t5 \r\n\r\nhello")
                #expect(padded.text == "hello")
                let leadingZeros = try client.exchange(Self.post + "Content-Length: 005\r\n\r\nhello")
                #expect(leadingZeros.text == "hello")
            }
        }

        // MARK: - smuggling classics

        static let smuggling: [RawCase] = [
            RawCase("CL.TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE.CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n2a\r\n" + smuggled + "\r\n0\r\n\r\n"),
            RawCase("TE.TE, second coding junk", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE.TE, chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE with space before colon", post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE with tab before colon", post + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE with space before colon, and CL", post + "Content-Length: 5\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE chunkedx", post + "Transfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE quoted chunked", post + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE with vertical tab", post + "Transfer-Encoding:\u{0b}chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE with form feed", post + "Transfer-Encoding:\u{0c}chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE obs-fold", post + "Transfer-Encoding: gzip\r\n chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE obs-fold with tab", post + "Transfer-Encoding:\r\n\tchunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE as folded line of another field", post + "X-A: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE after bare LF", post + "X-A: a\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("TE name with bare LF", post + "Transfer-Encoding\n: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            RawCase("CL with bare CR", post + "Content-Length: 5\rX: y\r\n\r\nhello" + smuggled),
            RawCase("CL then TE in HTTP/1.0", "POST /testkit/echo HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
        ]

        @Test("smuggling attempts are refused and nothing behind them is answered", arguments: smuggling)
        func smugglingRefused(_ c: RawCase) async throws {
            try await withTestServer { server in try expectRejectedAndClosed(server, c.request, status: c.status, code: c.code) }
        }

        static let legalTransferEncodings: [String] = [
            "Transfer-Encoding:\tchunked",
            "Transfer-Encoding: chunked\t",
            "Transfer-Encoding:chunked",
            "Transfer-Encoding: \t chunked \t ",
            "transfer-encoding: chunked",
            "TRANSFER-ENCODING: CHUNKED",
            "Transfer-Encoding: Chunked",
        ]

        @Test("legal Transfer-Encoding spellings are chunked", arguments: legalTransferEncodings)
        func legalTransferEncoding(_ line: String) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send(Self.post + line + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + Self.smuggled)
                let answer = try client.read()
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                #expect(try client.read().text == "hello")
            }
        }

        // MARK: - the head: field syntax

        static let badHeads: [RawCase] = [
            RawCase("obs-fold with space", get + "Host: t\r\nX-A: a\r\n b\r\n\r\n" + smuggled),
            RawCase("obs-fold with tab", get + "Host: t\r\nX-A: a\r\n\tb\r\n\r\n" + smuggled),
            RawCase("first field line starts with space", get + " Host: t\r\n\r\n" + smuggled),
            RawCase("space between name and colon", get + "Host: t\r\nX-A : a\r\n\r\n" + smuggled),
            RawCase("tab between name and colon", get + "Host: t\r\nX-A\t: a\r\n\r\n" + smuggled),
            RawCase("space in Host name before colon", get + "Host : t\r\n\r\n" + smuggled),
            RawCase("CR inside a value", get + "Host: t\r\nX-A: a\rb\r\n\r\n" + smuggled),
            RawCase("LF inside a value", get + "Host: t\r\nX-A: a\nb\r\n\r\n" + smuggled),
            RawCase("NUL inside a value", get + "Host: t\r\nX-A: a\u{0}b\r\n\r\n" + smuggled),
            RawCase("SOH inside a value", get + "Host: t\r\nX-A: a\u{1}b\r\n\r\n" + smuggled),
            RawCase("ESC inside a value", get + "Host: t\r\nX-A: a\u{1b}b\r\n\r\n" + smuggled),
            RawCase("DEL inside a value", get + "Host: t\r\nX-A: a\u{7f}b\r\n\r\n" + smuggled),
            RawCase("NUL at the end of a value", get + "Host: t\u{0}\r\n\r\n" + smuggled),
            RawCase("space in a name", get + "Host: t\r\nBad Name: x\r\n\r\n" + smuggled),
            RawCase("parenthesis in a name", get + "Host: t\r\nNa(me: x\r\n\r\n" + smuggled),
            RawCase("empty name", get + "Host: t\r\n:empty\r\n\r\n" + smuggled),
            RawCase("slash in a name", get + "Host: t\r\nNa/me: x\r\n\r\n" + smuggled),
            RawCase("at sign in a name", get + "Host: t\r\nNa@me: x\r\n\r\n" + smuggled),
            RawCase("quote in a name", get + "Host: t\r\nNa\"me: x\r\n\r\n" + smuggled),
            RawCase("NUL in a name", get + "Host: t\r\nNa\u{0}me: x\r\n\r\n" + smuggled),
            RawCase("field without a colon", get + "Host: t\r\nNoColon\r\n\r\n" + smuggled),
            RawCase("missing Host in HTTP/1.1", get + "X-A: a\r\n\r\n" + smuggled),
            RawCase("repeated Host", get + "Host: t\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("repeated Host, different case", get + "Host: t\r\nhost: u\r\n\r\n" + smuggled),
            RawCase("repeated Expect", post + "Expect: 100-continue\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello" + smuggled),
            RawCase("bare LF line endings", "GET /testkit/hello HTTP/1.1\nHost: t\n\n" + smuggled),
            RawCase("bare LF after the request line", "GET /testkit/hello HTTP/1.1\nHost: t\r\n\r\n" + smuggled),
            RawCase("bare LF ending the head", get + "Host: t\r\n\n" + smuggled),
            RawCase("bare CR ending the request line", "GET /testkit/hello HTTP/1.1\rHost: t\r\n\r\n" + smuggled),
            RawCase("bare CR between fields", get + "Host: t\rX-A: a\r\n\r\n" + smuggled),
            RawCase("bare CR ending the head", get + "Host: t\r\n\r" + smuggled),
        ]

        @Test("refused heads", arguments: badHeads)
        func refusedHeads(_ c: RawCase) async throws {
            try await withTestServer { server in try expectRejectedAndClosed(server, c.request, status: c.status, code: c.code) }
        }

        // MARK: - Host values (RFC 9112 §3.2: 400 for an invalid Host field value)

        static let badHosts: [String] = ["a b", "a/b", "user@example.com", "example.com:80x", "<script>", "a\"b", "[::1", "::1", "a?b", "a#b", "ex\\ample"]

        @Test("invalid Host values are refused", arguments: badHosts)
        func invalidHost(_ host: String) async throws {
            try await withTestServer { server in
                try expectRejectedAndClosed(server, "GET /testkit/hello HTTP/1.1\r\nHost: \(host)\r\n\r\n" + Self.smuggled, status: 400, code: "bad_request")
            }
        }

        static let goodHosts: [String] = ["", "t", "example.com", "EXAMPLE.com:8080", "example.com:", "127.0.0.1:1", "[::1]:8080", "[fe80::1%25eth0]", "xn--bcher-kva.example", "a_b~c!$&'()*+,;=", "%41bc"]

        @Test("valid Host values are served", arguments: goodHosts)
        func validHost(_ host: String) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
            }
        }

        // MARK: - the request line

        static let badRequestLines: [RawCase] = [
            RawCase("two spaces after method", "GET  /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("trailing space", "GET /testkit/hello HTTP/1.1 \r\nHost: t\r\n\r\n" + smuggled),
            RawCase("tab as separator", "GET\t/testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("no target", "GET HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("no version", "GET /testkit/hello\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("space inside the target", "GET /testkit/hello world HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("control in the target", "GET /testkit/he\u{1}llo HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("non-token method", "GE(T /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("relative target", "GET testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("unsupported scheme", "GET ftp://example.com/testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("empty authority", "GET http:///testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("empty request line", "\r\n\r\n\r\n\r\n\r\nGET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n"),
            RawCase("version HTTP/1", "GET /testkit/hello HTTP/1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP/1.1x", "GET /testkit/hello HTTP/1.1x\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version http/1.1", "GET /testkit/hello http/1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP/1.10", "GET /testkit/hello HTTP/1.10\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP/11.1", "GET /testkit/hello HTTP/11.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP /1.1", "GET /testkit/hello HTTP /1.1\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP/1.a", "GET /testkit/hello HTTP/1.a\r\nHost: t\r\n\r\n" + smuggled),
            RawCase("version HTTP/2.0", "GET /testkit/hello HTTP/2.0\r\nHost: t\r\n\r\n" + smuggled, 505),
            RawCase("version HTTP/3.0", "GET /testkit/hello HTTP/3.0\r\nHost: t\r\n\r\n" + smuggled, 505),
            RawCase("version HTTP/0.9", "GET /testkit/hello HTTP/0.9\r\nHost: t\r\n\r\n" + smuggled, 505),
        ]

        @Test("refused request lines", arguments: badRequestLines)
        func refusedRequestLines(_ c: RawCase) async throws {
            try await withTestServer { server in try expectRejectedAndClosed(server, c.request, status: c.status, code: c.code) }
        }

        // MARK: - accepted forms

        @Test("HTTP/1.x minors are served as 1.1", arguments: ["HTTP/1.1", "HTTP/1.2", "HTTP/1.9"])
        func minorVersionsServed(_ version: String) async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/hello \(version)\r\nHost: t\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "hello")
                #expect(answer.header("connection") == nil, "kept alive like 1.1")
                // Still open, and a missing Host is an error as in 1.1.
                #expect(try client.exchange("GET /testkit/hello \(version)\r\nHost: t\r\n\r\n").text == "hello")
                try client.send("GET /testkit/hello \(version)\r\n\r\n")
                expectErrorShape(try client.read(), status: 400, code: "bad_request")
                #expect(client.isClosedByServer())
            }
        }

        @Test func absoluteFormTargets() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let hello = try client.exchange("GET http://example.com/testkit/hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
                #expect(hello.status == 200)
                #expect(hello.text == "hello")
                let withPort = try client.exchange("GET http://example.com:8080/testkit/items/9 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
                #expect(withPort.text == "item 9")
                let query = try client.exchange("GET http://example.com/testkit/query?a=1&b=two HTTP/1.1\r\nHost: example.com\r\n\r\n")
                #expect(query.status == 200)
                #expect(query.text == "{\"a\":\"1\",\"b\":\"two\"}")
                let https = try client.exchange("GET HTTPS://example.com/testkit/hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
                #expect(https.text == "hello")
                // No path: "/", which is not routed here; the connection stays usable.
                let root = try client.exchange("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
                expectErrorShape(root, status: 404, code: "not_found")
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
            }
        }

        @Test func asteriskFormOnlyForOptions() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.status != 400, "asterisk-form is valid for OPTIONS")
                expectFramingHeaders(answer)
                #expect(answer.header("connection") == nil)
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
                try expectRejectedAndClosed(server, "POST * HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, code: "bad_request")
            }
        }

        @Test func leadingEmptyLinesAreSkipped() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                #expect(try client.exchange("\r\n\r\nGET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
            }
        }

        @Test func headerValuesKeepTheirBytesButNotTheirPadding() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/headers HTTP/1.1\r\nHost: t\r\nX-Pad: \t a  b \t \r\nX-Empty:\r\nX-Vchar: !~\"(),/:;<=>?@[\\]{}\r\n\r\n")
                let lines = answer.text.split(separator: "\n").map(String.init)
                #expect(lines.contains("x-pad=a  b"))
                #expect(lines.contains("x-empty="))
                #expect(lines.contains("x-vchar=!~\"(),/:;<=>?@[\\]{}"))
            }
        }

        // MARK: - answers

        @Test func unknownPathIs404JSON() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /nowhere/at/all HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(answer, status: 404, code: "not_found")
                #expect(answer.header("x-request-id") != nil)
                // Still open.
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
                // Trailing slash is another path.
                expectErrorShape(try client.exchange("GET /testkit/hello/ HTTP/1.1\r\nHost: t\r\n\r\n"), status: 404, code: "not_found")
            }
        }

        @Test func unknownPathWithABodyIsAnsweredThenClosed() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                try client.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + Self.smuggled)
                let answer = try client.read()
                expectErrorShape(answer, status: 404, code: "not_found")
                #expect(answer.header("connection") == "close")
                #expect(client.isClosedByServer())
            }
        }

        @Test func otherMethodIs405WithAllow() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let healthz = try client.exchange("POST /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(healthz, status: 405, code: "method_not_allowed")
                #expect(healthz.header("allow") == "GET, HEAD")
                let echo = try client.exchange("GET /testkit/echo HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(echo, status: 405, code: "method_not_allowed")
                #expect(echo.header("allow") == "POST, PUT")
                let param = try client.exchange("DELETE /testkit/items/4 HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(param, status: 405, code: "method_not_allowed")
                #expect(param.header("allow") == "GET, HEAD")
                // Methods are case-sensitive: "get" is another (well-formed) method.
                let lower = try client.exchange("get /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(lower, status: 405, code: "method_not_allowed")
                #expect(lower.header("allow") == "GET, HEAD")
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
            }
        }

        @Test func handlerHTTPErrorKeepsItsStatusAndCode() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/teapot HTTP/1.1\r\nHost: t\r\n\r\n")
                expectErrorShape(answer, status: 418, code: "teapot")
                #expect(answer.text.contains("i am a teapot"))
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
            }
        }

        @Test func handlerOtherErrorIs500WithoutDetails() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                let answer = try client.exchange("GET /testkit/fail HTTP/1.1\r\nHost: t\r\nX-Request-Id: fail-1\r\n\r\n")
                expectErrorShape(answer, status: 500, code: "internal_error")
                let leaked = "\(CocoaError(.fileNoSuchFile))"
                #expect(!answer.text.contains(leaked))
                for word in ["Cocoa", "NSError", "fileNoSuchFile", "exist", "domain", "Domain"] {
                    #expect(!answer.text.contains(word), "500 message leaks \(word): \(answer.text)")
                }
                #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
            }
        }

        @Test func everyAnswerHasContentLengthAndDate() async throws {
            try await withTestServer { server in
                let client = try server.connect()
                for request in [
                    "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                    "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
                    "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n",
                    "POST /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
                    "GET /testkit/teapot HTTP/1.1\r\nHost: t\r\n\r\n",
                    "GET /testkit/fail HTTP/1.1\r\nHost: t\r\n\r\n",
                ] {
                    let answer = try client.exchange(request)
                    expectFramingHeaders(answer)
                    #expect(answer.header("x-request-id") != nil)
                }
            }
        }

        // MARK: - X-Request-Id

        static let requestIDs: [(sent: String?, echoed: Bool)] = [
            (nil, false),
            ("abc-123_X.y:z", true),
            (String(repeating: "a", count: 128), true),
            (String(repeating: "a", count: 129), false),
            ("has space", false),
            ("semi;colon", false),
            ("", false),
            ("quote\"d", false),
        ]

        @Test("X-Request-Id echoed when valid, generated otherwise", arguments: 0..<requestIDs.count)
        func requestID(_ index: Int) async throws {
            let (sent, echoed) = Self.requestIDs[index]
            try await withTestServer { server in
                let client = try server.connect()
                let line = sent.map { "X-Request-Id: \($0)\r\n" } ?? ""
                let answer = try client.exchange("GET /testkit/request-id HTTP/1.1\r\nHost: t\r\n\(line)\r\n")
                #expect(answer.status == 200)
                let id = try #require(answer.header("x-request-id"))
                #expect(answer.headerCount("x-request-id") == 1)
                #expect(answer.text == id, "the handler sees the id that is answered")
                if echoed {
                    #expect(id == sent)
                } else {
                    #expect(!id.isEmpty)
                    #expect(id != sent)
                    #expect(LoopWorker.isValidRequestID(id))
                    // A second request gets another id.
                    let next = try client.exchange("GET /testkit/request-id HTTP/1.1\r\nHost: t\r\n\r\n")
                    #expect(next.header("x-request-id") != id)
                }
            }
        }
    }
}
