import Foundation
import Testing
@testable import Kernel

@Suite("HTTP server basics", .serialized)
struct HTTPServerBasicsTests {
    @Test func healthzAnswersWithDateAndLength() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        let answer = try client.exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(answer.status == 200)
        #expect(answer.text == "{\"status\":\"ok\"}")
        #expect(answer.header("date") != nil)
        #expect(answer.header("content-length") == "15")
        #expect(answer.header("x-request-id") != nil)
        await server.stop()
    }

    @Test func pluginRoutesAreMountedUnderTheirID() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        #expect(try client.exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n").text == "hello")
        #expect(try client.exchange("GET /testkit HTTP/1.1\r\nHost: t\r\n\r\n").text == "mount point")
        #expect(try client.exchange("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").status == 404)
        #expect(try client.exchange("GET /testkit/items/42 HTTP/1.1\r\nHost: t\r\n\r\n").text == "item 42")
        #expect(try client.exchange("GET /testkit/items/special HTTP/1.1\r\nHost: t\r\n\r\n").text == "special item")
        #expect(try client.exchange("GET /testkit/items/7/parts/x HTTP/1.1\r\nHost: t\r\n\r\n").text == "item 7 part x")
        await server.stop()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        try client.send("GET /testkit/slow?ms=100 HTTP/1.1\r\nHost: t\r\n\r\nGET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\nGET /testkit/items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.read().text == "slept 100")
        #expect(try client.read().text == "hello")
        #expect(try client.read().text == "item 3")
        await server.stop()
    }
}
