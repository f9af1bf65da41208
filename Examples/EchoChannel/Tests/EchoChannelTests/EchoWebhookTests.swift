import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import EchoChannel

@Suite("echo webhook", .serialized)
struct EchoWebhookTests {
    @Test func aSignedMessageIsStoredPublishedAndKeptAsEvidence() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        #expect(await echo.postMessage(id: "m-1", text: "my bill").status == 200)
        try await echo.host.runDueJobs()

        let rows = try await echo.host.query("SELECT phone, conversation, text FROM echo_messages")
        #expect(rows.count == 1)
        #expect(try rows.first?.string("phone") == "+212610059159")
        #expect(try rows.first?.string("text") == "my bill")
        // The kernel's message log has it as received on the echo channel.
        let logged = try await echo.host.query("SELECT direction, channel, provider_id FROM switchboard_messages")
        #expect(try logged.map { try $0.string("direction") } == ["in"])
        #expect(try logged.first?.string("channel") == "echo")
        // A subject keyed by the conversation resolves from the evidence, without asking the provider.
        let resolution = try await echo.host.phones.resolve(key: EchoInbound.conversationKey("c-7"), subject: "test/subject/1")
        #expect(resolution.status == .resolved)
        #expect(resolution.phone?.e164 == "+212610059159")
        #expect(resolution.source == "echo.webhook")
        #expect(echo.host.http.requests.isEmpty)
        // message.received was published for subscribers (CRM sync, reply tracking…).
        let received = try await echo.host.publishedEvents(named: "message.received")
        #expect(received.count == 1)
        #expect(received.first?.payload.contains(#""channel":"echo""#) == true)
    }

    @Test func wrongOrMissingSignaturesAre401AndStoreNothing() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        let body = Array(#"{"id": "m-1", "from": "+212610059159", "conversation": "c-7", "text": "hello"}"#.utf8)
        let wrongKey = echo.signature(body, secret: "not-the-secret-0123456789")
        for signature in [wrongKey, "sha256=zz", "md5=abc"] {
            #expect(await echo.postMessage(id: "m-1", signature: signature).status == 401)
        }
        #expect(await echo.postMessage(id: "m-1", signed: false).status == 401)
        try await echo.host.runDueJobs()
        #expect(try await echo.host.query("SELECT id FROM echo_messages").isEmpty)
        #expect(try await echo.host.query("SELECT id FROM switchboard_inbox").isEmpty)
        #expect(try await echo.host.query("SELECT id FROM switchboard_inbox_rejections").count == 4)
    }

    @Test func aRedeliveryIsAcknowledgedButProcessedOnce() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        #expect(await echo.postMessage(id: "m-9").status == 200)
        #expect(await echo.postMessage(id: "m-9").status == 200)
        try await echo.host.runDueJobs()
        #expect(try await echo.host.query("SELECT id FROM echo_messages").count == 1)
        #expect(try await echo.host.query("SELECT id FROM switchboard_messages").count == 1)
        let statuses = try await echo.host.query("SELECT status FROM switchboard_inbox ORDER BY id").map { try $0.string("status") }
        #expect(statuses == ["processed", "duplicate"])
    }

    @Test func aSenderThatIsNotAPhoneIsCancelledNotRetried() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        #expect(await echo.postMessage(id: "m-2", from: "12345@lid").status == 200)
        try await echo.host.runDueJobs()
        #expect(try await echo.host.query("SELECT id FROM echo_messages").isEmpty)
    }
}

@Suite("echo channel and strategy", .serialized)
struct EchoChannelTests {
    @Test func anAcknowledgementIsSentOnceThroughTheChannel() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        echo.host.http.respond(to: .post, "\(EchoHost.baseURL)/messages", with: .json(#"{"id": "out-1"}"#))
        #expect(await echo.postMessage(id: "m-1").status == 200)
        try await echo.host.runDueJobs()
        let id = try #require(try await echo.host.query("SELECT id FROM echo_messages").first?.int("id"))

        #expect(await echo.host.request(.post, "/echo/messages/\(id)/ack").status == 401)
        let first = try echo.json(await echo.host.request(.post, "/echo/messages/\(id)/ack", headers: echo.admin))
        #expect(first["result"] as? String == "queued")
        let second = try echo.json(await echo.host.request(.post, "/echo/messages/\(id)/ack", headers: echo.admin))
        #expect(second["result"] as? String == "already_acked")
        try await echo.host.runDueJobs()

        let sent = echo.host.http.requests
        #expect(sent.count == 1)
        #expect(sent.first?.headers["Authorization"] == "Bearer \(EchoHost.apiKey)")
        let body = try JSONSerialization.jsonObject(with: Data(try #require(sent.first).body)) as? [String: String]
        #expect(body == ["to": "+212610059159", "text": EchoAdminRoutes.ackText])
        let out = try await echo.host.query("SELECT status, provider_id FROM switchboard_messages WHERE direction = 'out'")
        #expect(try out.map { try $0.string("status") } == ["sent"])
        #expect(try out.first?.string("provider_id") == "out-1")
        #expect(await echo.host.request(.post, "/echo/messages/999/ack", headers: echo.admin).status == 404)
    }

    @Test func theRateLimitSpacesSends() async throws {
        let echo = try await EchoHost.start(rateLimit: "1/60s")
        defer { Task { await echo.stop() } }
        echo.host.http.respond(to: .post, "\(EchoHost.baseURL)/messages", with: .json(#"{"id": "a"}"#), .json(#"{"id": "b"}"#))
        for (n, phone) in ["+212610059159", "+212610059160"].enumerated() {
            #expect(await echo.postMessage(id: "m-\(n)", from: phone, conversation: "c-\(n)").status == 200)
        }
        try await echo.host.runDueJobs()
        for id in try await echo.host.query("SELECT id FROM echo_messages").map({ try $0.int("id") }) {
            #expect(await echo.host.request(.post, "/echo/messages/\(id)/ack", headers: echo.admin).status == 200)
        }
        try await echo.host.runDueJobs()
        #expect(echo.host.http.requests.count == 1)
        echo.host.clock.advance(by: 61)
        try await echo.host.runDueJobs()
        #expect(echo.host.http.requests.count == 2)
    }

    /// Acknowledges one received message while the provider answers `first`, then `then`; runs
    /// the send and ten minutes of retries; returns the send's tries and its final status.
    private func acknowledge(answering first: RecordingHTTPClient.Answer, then: RecordingHTTPClient.Answer) async throws
        -> (tries: Int, status: [String]) {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        echo.host.http.respond(to: .post, "\(EchoHost.baseURL)/messages", with: first, then)
        #expect(await echo.postMessage(id: "m-1").status == 200)
        try await echo.host.runDueJobs()
        let id = try #require(try await echo.host.query("SELECT id FROM echo_messages").first?.int("id"))
        #expect(await echo.host.request(.post, "/echo/messages/\(id)/ack", headers: echo.admin).status == 200)
        try await echo.host.runDueJobs()
        echo.host.clock.advance(by: 600)
        try await echo.host.runDueJobs()
        let out = try await echo.host.query("SELECT status FROM switchboard_messages WHERE direction = 'out'")
        return (echo.host.http.requests.count, try out.map { try $0.string("status") })
    }

    @Test func aServerErrorIsRetried() async throws {
        let (tries, status) = try await acknowledge(answering: .status(503), then: .json(#"{"id": "ok"}"#))
        #expect(tries == 2)
        #expect(status == ["sent"])
    }

    @Test func aRefusalIsNotRetried() async throws {
        let (tries, status) = try await acknowledge(answering: .status(400), then: .json(#"{"id": "never"}"#))
        #expect(tries == 1)
        #expect(status == ["failed"])
    }

    @Test func theStrategyAsksTheProviderForAnUnknownConversation() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        echo.host.http.respond(to: .get, "\(EchoHost.baseURL)/conversations/c-42", with: .json(#"{"phone": "06 12 34 56 78"}"#))
        echo.host.http.respond(to: .get, "\(EchoHost.baseURL)/conversations/c-43", with: .status(404))
        let found = try await echo.host.phones.resolve(key: EchoInbound.conversationKey("c-42"), subject: "test/subject/42")
        #expect(found.status == .resolved)
        #expect(found.source == "echo.conversation_lookup")
        #expect(found.phone?.e164 == "+33612345678")
        let missing = try await echo.host.phones.resolve(key: EchoInbound.conversationKey("c-43"), subject: "test/subject/43")
        #expect(missing.status == .pending)
        // Keys that are not Echo's are not asked about.
        _ = try await echo.host.phones.resolve(key: .conversation("other:1"), subject: "test/subject/44")
        #expect(echo.host.http.requests.count == 2)
    }
}

@Suite("echo admin and config")
struct EchoAdminTests {
    @Test func theMessagesRouteNeedsTheTokenAndFeedsThePanel() async throws {
        let echo = try await EchoHost.start()
        defer { Task { await echo.stop() } }
        // Processed one after the other: jobs carry no order, and the listing is newest first.
        #expect(await echo.postMessage(id: "m-1").status == 200)
        try await echo.host.runDueJobs()
        #expect(await echo.postMessage(id: "m-2", text: "second").status == 200)
        try await echo.host.runDueJobs()
        #expect(await echo.host.request(.get, "/echo/messages").status == 401)
        let page = try echo.json(await echo.host.request(.get, "/echo/messages?limit=1", headers: echo.admin))
        let rows = try #require(page["messages"] as? [[String: Any]])
        #expect(rows.map { $0["text"] as? String } == ["second"])
        let next = try #require(page["next"] as? String)
        let rest = try echo.json(await echo.host.request(.get, "/echo/messages?after=\(next)", headers: echo.admin))
        #expect((rest["messages"] as? [[String: Any]])?.map { $0["text"] as? String } == ["hello"])
        #expect(await echo.host.request(.get, "/echo/messages?limit=0", headers: echo.admin).status == 400)

        let panels = try echo.json(await echo.host.request(.get, "/api/admin/panels", headers: echo.admin))
        let panel = try #require((panels["panels"] as? [[String: Any]])?.first)
        #expect(panel["id"] as? String == "echo.messages")
        #expect(panel["source"] as? String == "/echo/messages")
    }

    /// The host's OpenAPI document lists the plugin's own descriptions, as admin operations.
    @Test func theOperatorRoutesAreInTheOpenAPIDocument() async throws {
        let echo = try await EchoHost.start()
        #expect(await echo.host.request(.get, "/openapi.json").status == 401)
        let document = try echo.json(await echo.host.request(.get, "/openapi.json", headers: echo.admin))
        let paths = try #require(document["paths"] as? [String: Any])
        let list = try #require((paths["/echo/messages"] as? [String: Any])?["get"] as? [String: Any])
        #expect(list["tags"] as? [String] == ["echo"])
        #expect((list["security"] as? [[String: Any]])?.first?["admin_token"] != nil)
        #expect((list["responses"] as? [String: Any])?["401"] != nil)
        let ack = try #require((paths["/echo/messages/{id}/ack"] as? [String: Any])?["post"] as? [String: Any])
        #expect((ack["parameters"] as? [[String: Any]])?.first?["name"] as? String == "id")
        #expect(paths["/echo/webhook"] == nil)
        await echo.stop()
    }

    @Test func badConfigNamesTheKey() throws {
        #expect {
            _ = try PluginTestHost(plugins: [EchoChannelPlugin.self], config: """
                {"plugins": {"echo": {"enabled": true, "config": {"base_url": "ftp://x", "api_key": "k", "webhook_secret": "0123456789abcdef"}}}}
                """)
        } throws: { "\($0)".contains("plugins.echo.config.base_url") }
        #expect {
            _ = try PluginTestHost(plugins: [EchoChannelPlugin.self], config: """
                {"plugins": {"echo": {"enabled": true, "config": {"base_url": "https://x", "api_key": "k", "webhook_secret": "short"}}}}
                """)
        } throws: { "\($0)".contains("plugins.echo.config.webhook_secret") }
        #expect {
            _ = try PluginTestHost(plugins: [EchoChannelPlugin.self], config: """
                {"plugins": {"echo": {"enabled": true, "config": {"base_url": "https://x", "api_key": "k", "webhook_secret": "0123456789abcdef", "rate": "1/1s"}}}}
                """)
        } throws: { "\($0)".contains("plugins.echo.config.rate") }
    }
}
