import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import Chatwoot

/// `POST /chatwoot/webhook` from the sample payloads: signatures (valid, wrong, stale, missing
/// when required), unsigned deliveries without a secret, dedupe, the loop guard, and the phone
/// evidence a Flow reply, a message and a contact update carry.
@Suite("chatwoot webhook", .serialized)
struct ChatwootWebhookTests {
    static let secret = "chatwoot-webhook-secret-0123456789"
    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }

    static func host(secret: Bool, backend: String = "sqlite") async throws -> (PluginTestHost, String) {
        let config = secret ? #"{"webhook_secret": "\#(Self.secret)"}"# : "{}"
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        let host = try PluginTestHost(plugins: [ChatwootPlugin.self],
                                      config: #"{"plugins": {"chatwoot": {"enabled": true, "config": \#(config)}}}"#, storageURL: url)
        try await host.start()
        return (host, url)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    /// Headers signing `body` at `timestamp` (seconds) with `secret`.
    static func signed(_ body: [UInt8], timestamp: Int64, secret: String = Self.secret, delivery: String? = nil) -> HTTPHeaders {
        let mac = OpenSSLCrypto().hmacSHA256(key: Array(secret.utf8), data: Array("\(timestamp).".utf8) + body)
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Chatwoot-Timestamp": "\(timestamp)",
                                    "X-Chatwoot-Signature": "sha256=" + mac.map { String(format: "%02x", $0) }.joined()]
        if let delivery { headers.add("X-Chatwoot-Delivery", delivery) }
        return headers
    }

    static func post(_ host: PluginTestHost, _ body: [UInt8], _ headers: HTTPHeaders = ["Content-Type": "application/json"]) async -> Int {
        await host.request(.post, "/chatwoot/webhook", headers: headers, body: body).status
    }

    @Test(arguments: Self.backends)
    func anUnsignedMessageIsLoggedAndTeachesItsContactsPhone(backend: String) async throws {
        let (host, url) = try await Self.host(secret: false, backend: backend)
        #expect(await Self.post(host, try Self.fixture("chatwoot_message_created.json")) == 200)
        try await host.runDueJobs()
        let logged = try await host.query("SELECT channel, phone, text, provider_id FROM switchboard_messages")
        #expect(logged.count == 1)
        #expect(try logged.first?.string("channel") == "chatwoot")
        #expect(try logged.first?.string("phone") == "+212600000001")
        #expect(try logged.first?.optionalString("text") == "Bonjour, je voudrais un rendez-vous demain")
        // The contact and the conversation now resolve subjects registered under them.
        let contact = try await host.phones.resolve(key: .custom("chatwoot:contact:301"), subject: "test/contact")
        #expect(contact.phone?.e164 == "+212600000001")
        #expect(contact.source == "chatwoot.webhook")
        let conversation = try await host.phones.resolve(key: .conversation("chatwoot:57"), subject: "test/conversation")
        #expect(conversation.phone?.e164 == "+212600000001")
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test(arguments: Self.backends)
    func aFlowReplyBackFillsTheResponseWaitingForItsToken(backend: String) async throws {
        let (host, url) = try await Self.host(secret: false, backend: backend)
        // A Flow answer already waits for its phone (its token only Chatwoot knows).
        #expect(try await host.phones.resolve(key: .flowToken("cw-flow-57-4529"), subject: "metaflow/response/7").status == .pending)
        #expect(await Self.post(host, try Self.fixture("chatwoot_message_created_flow_nfm_reply_after_pr15279_UNVERIFIED.json")) == 200)
        try await host.runDueJobs()
        let resolution = try await host.phones.resolution(subject: "metaflow/response/7")
        #expect(resolution?.status == .resolved)
        #expect(resolution?.phone?.e164 == "+212600000001")
        #expect(resolution?.source == "chatwoot.webhook")
        // v4.10 drops the Flow's answers (content null): the same message carries no token there.
        #expect(try ChatwootEvent(body: try Self.fixture("chatwoot_message_created_flow_nfm_reply_v4.10.json")).flowToken == nil)
        #expect(try ChatwootEvent(body: try Self.fixture("chatwoot_message_created_flow_nfm_reply_after_pr15279_UNVERIFIED.json")).flowToken
                == "cw-flow-57-4529")
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func signaturesAreCheckedWhenASecretIsConfigured() async throws {
        let (host, url) = try await Self.host(secret: true)
        let body = try Self.fixture("chatwoot_message_created.json")
        let now = host.clock.nowMillis / 1000
        #expect(await Self.post(host, body, Self.signed(body, timestamp: now)) == 200)
        #expect(await Self.post(host, body, Self.signed(body, timestamp: now, secret: "another-secret-0123456789")) == 401)
        #expect(await Self.post(host, body, Self.signed(body, timestamp: now - 600)) == 401)   // stale: 10 minutes old
        #expect(await Self.post(host, body) == 401)                                           // missing
        var tampered = body
        tampered[tampered.count - 3] ^= 0x01
        #expect(await Self.post(host, tampered, Self.signed(body, timestamp: now)) == 401)
        let rejections = try await host.query("SELECT reason FROM switchboard_inbox_rejections ORDER BY id").map { try $0.string("reason") }
        #expect(rejections.count == 4)
        #expect(rejections.contains { $0.contains("5 minutes") })
        #expect(try await host.query("SELECT id FROM switchboard_inbox").count == 1)
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func deliveriesAreDeduplicated() async throws {
        let (host, url) = try await Self.host(secret: true)
        let body = try Self.fixture("chatwoot_message_created.json")
        let now = host.clock.nowMillis / 1000
        let headers = Self.signed(body, timestamp: now, delivery: "9b1f0c3e-1111-4a5b-9c6d-000000000001")
        #expect(await Self.post(host, body, headers) == 200)
        #expect(await Self.post(host, body, headers) == 200)
        // Without a delivery id the event, id and times make the key.
        let (plain, plainURL) = try await Self.host(secret: false)
        #expect(await Self.post(plain, body) == 200)
        #expect(await Self.post(plain, body) == 200)
        for h in [host, plain] {
            try await h.runDueJobs()
            #expect(try await h.query("SELECT id FROM switchboard_inbox WHERE status = 'duplicate'").count == 1)
            #expect(try await h.query("SELECT id FROM switchboard_messages").count == 1)
            await h.stop()
        }
        TestDatabase.remove(url)
        TestDatabase.remove(plainURL)
    }

    @Test func outgoingMessagesAndPrivateNotesAreNotEchoed() async throws {
        let (host, url) = try await Self.host(secret: false)
        var outgoing = try JSONSerialization.jsonObject(with: Data(try Self.fixture("chatwoot_message_created.json"))) as? [String: Any] ?? [:]
        outgoing["message_type"] = "outgoing"
        outgoing["id"] = 9001
        outgoing["content_attributes"] = ["flow_token": "ft_from_agent"]
        outgoing["sender"] = ["id": 1, "name": "Agent", "type": "user"]
        var note = outgoing
        note["message_type"] = "incoming"
        note["private"] = true
        note["id"] = 9002
        for object in [outgoing, note] {
            #expect(await Self.post(host, [UInt8](try JSONSerialization.data(withJSONObject: object))) == 200)
        }
        try await host.runDueJobs()
        #expect(try await host.query("SELECT id FROM switchboard_messages").isEmpty)
        #expect(try await host.query("SELECT e.id FROM switchboard_phone_evidence e JOIN switchboard_phone_keys k ON k.id = e.key_id WHERE k.kind = 'flow_token'").isEmpty)
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func aContactWithoutPhoneIsKnownByItsWhatsAppSourceID() async throws {
        let (host, url) = try await Self.host(secret: false)
        var event = try JSONSerialization.jsonObject(with: Data(try Self.fixture("chatwoot_message_created.json"))) as? [String: Any] ?? [:]
        var sender = event["sender"] as? [String: Any] ?? [:]
        sender["phone_number"] = NSNull()
        event["sender"] = sender
        var conversation = event["conversation"] as? [String: Any] ?? [:]
        var meta = conversation["meta"] as? [String: Any] ?? [:]
        var metaSender = meta["sender"] as? [String: Any] ?? [:]
        metaSender["phone_number"] = NSNull()
        meta["sender"] = metaSender
        conversation["meta"] = meta
        event["conversation"] = conversation
        #expect(await Self.post(host, [UInt8](try JSONSerialization.data(withJSONObject: event))) == 200)
        try await host.runDueJobs()
        // conversation.contact_inbox.source_id of the WhatsApp inbox: 212600000001.
        #expect(try await host.query("SELECT phone FROM switchboard_messages").first?.string("phone") == "+212600000001")
        let contact = try await host.phones.resolve(key: .custom("chatwoot:contact:301"), subject: "test/contact-301")
        #expect(contact.phone?.e164 == "+212600000001")
        await host.stop()
        TestDatabase.remove(url)
    }

    @Test func aContactUpdateIsEvidenceForTheContact() async throws {
        let (host, url) = try await Self.host(secret: false)
        #expect(await Self.post(host, try Self.fixture("chatwoot_contact_updated.json")) == 200)
        try await host.runDueJobs()
        let contact = try await host.phones.resolve(key: .custom("chatwoot:contact:302"), subject: "test/contact-302")
        #expect(contact.phone?.e164 == "+212600000002")
        await host.stop()
        TestDatabase.remove(url)
    }
}
