import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import Wasender

/// `POST /wasender/webhook` from the shared sample payloads: the signature (right, wrong,
/// missing), the triple delivery of one message, `@lid` senders, `data.messages` as an object or
/// an array, `fromMe` echoes, statuses and session events.
@Suite("wasender webhook", .serialized)
struct WebhookTests {
    static func host(backend: String = "sqlite", config: String? = nil) async throws -> (PluginTestHost, String) {
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        let body = config ?? #"{"webhook_secret": "\#(WasenderHost.secret)"}"#
        let host = try PluginTestHost(plugins: [WasenderPlugin.self],
                                      config: #"{"plugins": {"wasender": {"enabled": true, "config": \#(body)}}}"#, storageURL: url)
        try await host.start()
        return (host, url)
    }

    static func post(_ host: PluginTestHost, _ body: [UInt8], signature: String? = WasenderHost.secret) async -> Int {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let signature { headers.set("X-Webhook-Signature", signature) }
        return await host.request(.post, "/wasender/webhook", headers: headers, body: body).status
    }

    /// A fixture with `old` replaced by `new` (event names, flags).
    static func variant(_ name: String, _ replacements: [(String, String)]) throws -> [UInt8] {
        var text = try Fixture.text(name)
        for (old, new) in replacements { text = text.replacingOccurrences(of: old, with: new) }
        return Array(text.utf8)
    }

    static func inbound(_ host: PluginTestHost) async throws -> [(phone: String, text: String?, provider: String?, at: Int64)] {
        try await host.query("SELECT phone, text, provider_id, created_at FROM switchboard_messages WHERE direction = 'in' ORDER BY id").map {
            (try $0.string("phone"), try $0.optionalString("text"), try $0.optionalString("provider_id"), try $0.int("created_at"))
        }
    }

    @Test(arguments: WasenderHost.backends)
    func theSignatureMustBeTheSecret(backend: String) async throws {
        let (host, url) = try await Self.host(backend: backend)
        let body = try Fixture.bytes("wasender_message_received.json")
        #expect(await Self.post(host, body, signature: "wrong-secret") == 401)
        #expect(await Self.post(host, body, signature: WasenderHost.secret + "x") == 401)
        #expect(await Self.post(host, body, signature: nil) == 401)
        #expect(try await host.query("SELECT id FROM switchboard_inbox").isEmpty)
        let reasons = try await host.query("SELECT reason FROM switchboard_inbox_rejections ORDER BY id").map { try $0.string("reason") }
        #expect(reasons == ["bad_signature", "bad_signature", "missing_signature"])
        #expect(await Self.post(host, body) == 200)
        // The header is the secret itself: the inbox must not keep it.
        let stored = try await host.query("SELECT headers FROM switchboard_inbox").map { try $0.string("headers") }
        #expect(stored.count == 1 && !stored.joined().contains(WasenderHost.secret))
        try await host.runDueJobs()
        let logged = try await Self.inbound(host)
        #expect(logged.map(\.phone) == ["+212600000001"])
        #expect(logged.first?.text == "Bonjour, je voudrais un rendez-vous demain")
        #expect(logged.first?.provider == "3EB0A1B2C3D4E5F60718")
        // messageTimestamp is in seconds.
        #expect(logged.first?.at == 1_772_446_529_000)
        await host.stop()
        TestDatabase.remove(url)
    }

    /// `messages.received`, `messages.upsert` (an array) and `messages-personal.received`: one message.
    @Test(arguments: WasenderHost.backends)
    func theTripleDeliveryIsLoggedOnce(backend: String) async throws {
        let (host, url) = try await Self.host(backend: backend)
        #expect(await Self.post(host, try Fixture.bytes("wasender_message_received.json")) == 200)
        #expect(await Self.post(host, try Fixture.bytes("wasender_messages_upsert.json")) == 200)
        #expect(await Self.post(host, try Self.variant("wasender_message_received.json",
                                                       [("messages.received", "messages-personal.received")])) == 200)
        try await host.runDueJobs()
        #expect(try await Self.inbound(host).count == 1)
        #expect(try await host.query("SELECT id FROM switchboard_inbox WHERE status = 'duplicate'").count == 2)
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func aLidSenderUsesItsPhoneNeverTheLid() async throws {
        let (host, url) = try await Self.host()
        #expect(await Self.post(host, try Fixture.bytes("wasender_message_received_lid.json")) == 200)
        // Without senderPn/cleanedSenderPn only the @lid is known: it is not a phone number.
        let lidOnly = try Self.variant("wasender_message_received_lid.json", [
            ("3EB0FEDCBA9876543210", "3EB0FEDCBA9876543299"),
            (#""senderPn": "212600000002@s.whatsapp.net","#, ""), (#""cleanedSenderPn": "212600000002","#, ""),
        ])
        #expect(await Self.post(host, lidOnly) == 200)
        try await host.runDueJobs()
        let logged = try await Self.inbound(host)
        // The two deliveries are processed as separate jobs, in either order.
        #expect(Set(logged.map(\.phone)) == ["+212600000002", "98711384416411@lid"])
        #expect(logged.first { $0.phone == "+212600000002" }?.text == "Merci, c'est noté")
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func messagesAsAnObjectOrAnArray() throws {
        let object = try WasenderEvent(body: try Fixture.bytes("wasender_message_received.json"))
        let array = try WasenderEvent(body: try Fixture.bytes("wasender_messages_upsert.json"))
        #expect(object.messages.count == 1 && array.messages.count == 1)
        #expect(object.messages.first?.id == array.messages.first?.id)
        #expect(object.messages.first?.phoneDigits == "212600000001")
        let two = #"{"event":"messages.upsert","data":{"messages":[{"key":{"id":"A","remoteJid":"212600000003@s.whatsapp.net"},"message":{"conversation":"a"}},{"key":{"id":"B","remoteJid":"212600000004@s.whatsapp.net"},"message":{"extendedTextMessage":{"text":"b"}}}]}}"#
        let event = try WasenderEvent(body: Array(two.utf8))
        #expect(event.messages.map(\.text) == ["a", "b"])
        #expect(event.messages.map(\.phoneDigits) == ["212600000003", "212600000004"])
        // Timestamps in milliseconds stay milliseconds.
        #expect(WasenderEvent.millis(1_772_446_700_123) == 1_772_446_700_123)
        #expect(WasenderEvent.millis("1772446529") == 1_772_446_529_000)
        #expect(throws: (any Error).self) { try WasenderEvent(body: Array("[]".utf8)) }
    }

    @Test func mediaIsNotedByType() async throws {
        let (host, url) = try await Self.host()
        let image = #"{"event":"messages.received","data":{"messages":{"key":{"id":"IMG1","fromMe":false,"cleanedSenderPn":"212600000001"},"messageTimestamp":1772446600123,"message":{"imageMessage":{"url":"https://mmg.whatsapp.net/x.enc","mimetype":"image/jpeg"}}}}}"#
        #expect(await Self.post(host, Array(image.utf8)) == 200)
        try await host.runDueJobs()
        let row = try #require(try await host.query("SELECT text, media_url, payload, created_at FROM switchboard_messages").first)
        #expect(try row.optionalString("text") == "[image]")
        #expect(try row.optionalString("media_url") == "https://mmg.whatsapp.net/x.enc")
        #expect(try row.optionalString("payload")?.contains("imageMessage") == true)
        #expect(try row.int("created_at") == 1_772_446_600_123)
        // Subscribers learn the kind without reading Wasender's payload.
        let event = try #require(try await host.query("SELECT payload FROM switchboard_events WHERE name = 'message.received'").first)
        #expect(try event.string("payload").contains("\"media_type\":\"image\""))
        await host.stop()
        TestDatabase.remove(url)
    }

    /// Our own messages echoed back are not customer replies: nothing is logged, a counter moves.
    @Test func fromMeIsNotAReply() async throws {
        let (host, url) = try await Self.host()
        #expect(await Self.post(host, try Self.variant("wasender_messages_upsert.json", [(#""fromMe": false"#, #""fromMe": true"#)])) == 200)
        try await host.runDueJobs()
        #expect(try await Self.inbound(host).isEmpty)
        #expect(try await host.query("SELECT id FROM switchboard_inbox WHERE status = 'processed'").count == 1)
        let metrics = String(decoding: await host.request(.get, "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("switchboard_wasender_outbound_echoes"))
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test(arguments: WasenderHost.backends)
    func statusUpdatesTheMessageLog(backend: String) async throws {
        let (host, url) = try await Self.host(backend: backend)
        try await host.store.write { db in
            try db.execute("""
                INSERT INTO switchboard_messages (direction, channel, phone, text, provider_id, status, created_at, updated_at)
                VALUES ('out', 'wasender', '+212600000001', 'hello', '3EB0C0FFEE0000000001', 'sent', 1, 1)
                """)
        }
        #expect(await Self.post(host, try Fixture.bytes("wasender_message_status_update.json")) == 200)
        try await host.runDueJobs()
        #expect(try await host.query("SELECT status FROM switchboard_messages").first?.string("status") == "delivered")
        let receipt = #"{"event":"message-receipt.update","timestamp":1772446800123,"data":{"key":{"id":"3EB0C0FFEE0000000001","fromMe":true},"receipt":{"userJid":"212600000001@s.whatsapp.net","readTimestamp":1772446799}}}"#
        #expect(await Self.post(host, Array(receipt.utf8)) == 200)
        try await host.runDueJobs()
        #expect(try await host.query("SELECT status FROM switchboard_messages").first?.string("status") == "read")
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func aDisconnectedSessionWarnsAndCounts() async throws {
        let (host, url) = try await Self.host()
        #expect(await Self.post(host, try Fixture.bytes("wasender_session_status.json")) == 200)
        try await host.runDueJobs()
        #expect(try await host.query("SELECT id FROM switchboard_inbox WHERE status = 'processed'").count == 1)
        let metrics = String(decoding: await host.request(.get, "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("switchboard_wasender_session_disconnected"))
        #expect(metrics.contains("switchboard_wasender_session_connected"))
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func configEmptyIsValidAndHalfAChannelIsNot() async throws {
        let (host, url) = try await Self.host(config: "{}")
        #expect(await Self.post(host, try Fixture.bytes("wasender_message_received.json")) == 404)
        await host.stop()
        TestDatabase.remove(url)
        for bad in [#"{"base_url": "https://www.wasenderapi.com/api"}"#, #"{"api_key": "k"}"#, #"{"webhook_secret": ""}"#,
                    #"{"base_url": "https://x", "api_key": "k", "rate_limit": "fast"}"#] {
            #expect(throws: (any Error).self, "\(bad)") {
                try PluginTestHost(plugins: [WasenderPlugin.self], config: #"{"plugins": {"wasender": {"enabled": true, "config": \#(bad)}}}"#)
            }
        }
    }
}
