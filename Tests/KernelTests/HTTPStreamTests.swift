import CShims
import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// `Response.stream` over real sockets: chunked framing, keep-alive after the last chunk,
/// HEAD, HTTP/1.0, the producer ending when the client goes or the server shuts down,
/// backpressure, and a failing producer truncating the body.
extension HTTPSocketSuites {
    @Suite("streamed responses") struct StreamTests {
        static let plugins: [any Plugin.Type] = [StreamKitPlugin.self]

        /// Reads from the socket until `text` appears in what was read (or the timeout passes).
        static func read(_ client: RawClient, until text: String, timeoutMs: Int32 = 3000) -> String {
            var seen: [UInt8] = []
            let deadline = monotonicSeconds() + Double(timeoutMs) / 1000
            while monotonicSeconds() < deadline {
                if String(decoding: seen, as: UTF8.self).contains(text) { break }
                guard client.waitReadable(timeoutMs: 50) else { continue }
                guard let bytes = client.readRaw(max: 65536) else { break }
                seen += bytes
            }
            return String(decoding: seen, as: UTF8.self)
        }

        @Test func chunkedBodyThenKeepAlive() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                let client = try server.connect()
                try client.send("GET /streamkit/count?n=3 HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = Self.read(client, until: "0\r\n\r\n")
                #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(text.contains("Transfer-Encoding: chunked\r\n"))
                #expect(!text.lowercased().contains("content-length"))
                #expect(text.hasSuffix("\r\n\r\n8\r\nchunk 1\n\r\n8\r\nchunk 2\n\r\n8\r\nchunk 3\n\r\n0\r\n\r\n"))
                // The connection stays open for the next request.
                try client.send("GET /streamkit/count?n=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                let second = Self.read(client, until: "0\r\n\r\n")
                #expect(second.hasPrefix("HTTP/1.1 200 OK\r\n") && second.hasSuffix("8\r\nchunk 1\n\r\n0\r\n\r\n"))
            }
        }

        @Test func pipelinedRequestWaitsForTheStream() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                let client = try server.connect()
                try client.send("GET /streamkit/count?n=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /streamkit/count?n=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = Self.read(client, until: "chunk 1\n\r\n0\r\n\r\n", timeoutMs: 3000)
                let first = try #require(text.range(of: "chunk 2\n\r\n0\r\n\r\n"))
                let second = try #require(text.range(of: "HTTP/1.1 200 OK", range: first.upperBound..<text.endIndex))
                #expect(second.lowerBound == first.upperBound)
            }
        }

        @Test func headGetsTheHeadOnly() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                StreamKitPlugin.reset()
                let client = try server.connect()
                try client.send("HEAD /streamkit/forever HTTP/1.1\r\nHost: x\r\n\r\nGET /streamkit/count?n=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = Self.read(client, until: "0\r\n\r\n")
                let heads = text.components(separatedBy: "HTTP/1.1 200 OK")
                #expect(heads.count == 3, "two answers on one connection")
                #expect(heads[1].hasSuffix("\r\n\r\n") && !heads[1].contains("tick"), "no body for HEAD")
                #expect(StreamKitPlugin.ended("forever") == 0, "the producer never ran")
            }
        }

        @Test func http10IsCloseDelimited() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                let client = try server.connect()
                try client.send("GET /streamkit/count?n=2 HTTP/1.0\r\n\r\n")
                let text = Self.read(client, until: "never", timeoutMs: 2000)
                #expect(text.contains("Connection: close\r\n"))
                #expect(!text.contains("Transfer-Encoding"))
                #expect(text.hasSuffix("\r\n\r\nchunk 1\nchunk 2\n"))
                #expect(client.readRaw(max: 16) == nil, "closed after the body")
            }
        }

        @Test func producerEndsWhenTheClientGoes() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                StreamKitPlugin.reset()
                var client: RawClient? = try server.connect()
                try client?.send("GET /streamkit/forever HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = Self.read(try #require(client), until: "tick\n\r\n5\r\ntick")
                #expect(text.contains("5\r\ntick\n\r\n"))
                client = nil  // closes the socket
                let deadline = monotonicSeconds() + 3
                while StreamKitPlugin.ended("forever") == 0 && monotonicSeconds() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(StreamKitPlugin.ended("forever") == 1)
            }
        }

        @Test func shutdownEndsAQuietStream() async throws {
            StreamKitPlugin.reset()
            let server = try await TestServer.start(plugins: Self.plugins) { $0.server.shutdownGrace = ConfigDuration.seconds(10) }
            let client = try server.connect()
            try client.send("GET /streamkit/quiet HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = Self.read(client, until: "start\n")
            let started = monotonicSeconds()
            await server.stop()
            #expect(monotonicSeconds() - started < 5, "the stream did not hold shutdown for the whole grace")
            #expect(StreamKitPlugin.ended("quiet") == 1)
            let tail = Self.read(client, until: "0\r\n\r\n", timeoutMs: 1000)
            #expect(tail.hasSuffix("0\r\n\r\n"), "the body was ended properly")
        }

        @Test func backpressureBoundsWhatIsBuffered() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                StreamKitPlugin.reset()
                let client = try server.connect()
                client.setReceiveBuffer(bytes: 16 * 1024)
                try client.send("GET /streamkit/flood HTTP/1.1\r\nHost: x\r\n\r\n")
                try await Task.sleep(for: .milliseconds(600))
                let stalled = StreamKitPlugin.writes("flood")
                // 4096 writes (256 MiB) would finish at once without backpressure; with it the
                // producer waits once the socket and 256 KiB of queue are full.
                #expect(stalled > 0 && stalled < 160, "\(stalled) writes of 64 KiB went out to a client that reads nothing")
                // Reading lets it go on.
                for _ in 0..<200 { _ = client.readRaw(max: 65536) }
                #expect(StreamKitPlugin.writes("flood") > stalled)
            }
        }

        @Test func failingProducerTruncatesTheBody() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                let client = try server.connect()
                try client.send("GET /streamkit/broken HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = Self.read(client, until: "never", timeoutMs: 2000)
                #expect(text.contains("8\r\npartial\n\r\n"))
                #expect(!text.hasSuffix("0\r\n\r\n"), "no last chunk: the client sees an incomplete body")
                #expect(client.readRaw(max: 16) == nil, "connection closed")
            }
        }

        @Test func statusWithoutBodyRunsNoProducer() async throws {
            try await withTestServer(plugins: Self.plugins) { server in
                let client = try server.connect()
                try client.send("GET /streamkit/empty-status HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = try client.read()
                #expect(answer.status == 204 && answer.header("transfer-encoding") == nil)
                try client.send("GET /streamkit/count?n=1 HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(Self.read(client, until: "0\r\n\r\n").hasSuffix("chunk 1\n\r\n0\r\n\r\n"))
            }
        }
    }
}
