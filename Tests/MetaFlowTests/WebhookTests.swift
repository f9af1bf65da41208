import Foundation
import PluginAPI
import Kernel
import PluginTesting
import Testing
@testable import MetaFlow

/// The Cloud API webhook from the shared sample payloads (signed with the test app secret):
/// the handshake, signatures, duplicates, every message type, statuses, a username-only
/// `nfm_reply`, and an `nfm_reply` completing a response the endpoint started.
@Suite("cloud api webhook", .serialized)
struct WebhookTests {
    static let verifyToken = "verify-me-0123456789"

    static func config(endpoint: Bool = false) throws -> String {
        if endpoint {
            let metaflow = try SurveyConfig.metaflow(keyPath: try Fixtures.keyPath("keys/endpoint_private_pkcs8.pem"),
                                                     extra: ["verify_token": .string(verifyToken)])
            return try SurveyConfig.file(metaflow)
        }
        return try SurveyConfig.file(.object(["app_secret": .string(SurveyConfig.appSecret), "verify_token": .string(verifyToken)]))
    }

    /// A sample payload's exact bytes and its recorded signature.
    static func sample(_ name: String) throws -> (body: [UInt8], headers: HTTPHeaders) {
        let body = [UInt8](try Fixtures.data("payloads/\(name)"))
        let signatures = try JSONSerialization.jsonObject(with: try Fixtures.data("payloads/signatures.json")) as? [String: Any]
        let headers = (signatures?["headers"] as? [String: Any])?[name] as? [String: String]
        return (body, ["Content-Type": "application/json", "X-Hub-Signature-256": headers?["X-Hub-Signature-256"] ?? ""])
    }

    /// Signs any body with the test app secret.
    static func signed(_ text: String) -> (body: [UInt8], headers: HTTPHeaders) {
        let body = Array(text.utf8)
        let mac = TestCrypto.hmacHex(key: Array(SurveyConfig.appSecret.utf8), body)
        return (body, ["Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + mac])
    }

    static func post(_ endpoint: EndpointHost, _ delivery: (body: [UInt8], headers: HTTPHeaders)) async -> Response {
        await endpoint.host.request(.post, "/metaflow/webhook", headers: delivery.headers, body: delivery.body)
    }

    static func messages(_ endpoint: EndpointHost) async throws -> [(phone: String, text: String?, provider: String?)] {
        try await endpoint.host.query("SELECT phone, text, provider_id FROM switchboard_messages WHERE direction = 'in' ORDER BY id").map {
            (try $0.string("phone"), try $0.optionalString("text"), try $0.optionalString("provider_id"))
        }
    }

    @Test func handshakeAnswersTheChallengeOnlyForTheVerifyToken() async throws {
        let endpoint = try await EndpointHost.start(try Self.config())
        let ok = await endpoint.host.request(.get, "/metaflow/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=\(Self.verifyToken)")
        #expect(ok.status == 200)
        #expect(String(decoding: ok.body, as: UTF8.self) == "1158201444")
        for query in ["hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong", "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=\(Self.verifyToken)",
                      "hub.mode=subscribe&hub.verify_token=\(Self.verifyToken)"] {
            #expect(await endpoint.host.request(.get, "/metaflow/webhook?" + query).status == 403, "\(query)")
        }
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func aBadSignatureIsRefusedAndNothingIsStored(backend: String) async throws {
        let endpoint = try await EndpointHost.start(try Self.config(), backend: backend)
        let body = try Self.sample("messages_text.json").body
        let forged: HTTPHeaders = ["X-Hub-Signature-256": "sha256=" + String(repeating: "0", count: 64)]
        #expect(await Self.post(endpoint, (body, forged)).status == 401)
        #expect(await Self.post(endpoint, (body, ["Content-Type": "application/json"])).status == 401)
        #expect(try await endpoint.host.query("SELECT id FROM switchboard_inbox").isEmpty)
        #expect(try await endpoint.host.query("SELECT reason FROM switchboard_inbox_rejections").count == 2)
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func everyMessageTypeIsLoggedOnceEvenWhenRedelivered(backend: String) async throws {
        let endpoint = try await EndpointHost.start(try Self.config(), backend: backend)
        for name in ["messages_text.json", "messages_interactive_button_reply.json", "messages_template_quick_reply_button.json",
                     "messages_nfm_reply.json"] {
            #expect(await Self.post(endpoint, try Self.sample(name)).status == 200, "\(name)")
        }
        // Meta redelivers: answered 200, stored as a duplicate, not processed again.
        #expect(await Self.post(endpoint, try Self.sample("messages_text.json")).status == 200)
        // A type we do not know is kept with its JSON, not rejected.
        let reaction = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"212610059159","id":"wamid.reaction1","timestamp":"1767225800","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}]}}]}]}"#
        #expect(await Self.post(endpoint, Self.signed(reaction)).status == 200)
        try await endpoint.host.runDueJobs()
        let duplicates = try await endpoint.host.query("SELECT id FROM switchboard_inbox WHERE status = 'duplicate'")
        #expect(duplicates.count == 1)
        let logged = try await Self.messages(endpoint)
        #expect(logged.count == 5)
        #expect(logged.allSatisfy { $0.phone == "+5511987654321" || $0.phone == "+212610059159" })
        #expect(logged.map(\.text).contains("Falar com atendente"))
        let reactionRow = try await endpoint.host.query("SELECT payload FROM switchboard_messages WHERE provider_id = 'wamid.reaction1'")
        #expect(try reactionRow.first?.optionalString("payload")?.contains("\"emoji\":\"👍\"") == true)
        // The nfm_reply completed a response and told phone resolution the token's number.
        let responses = try await endpoint.responses()
        #expect(responses.count == 1)
        #expect(responses.first?.status == "completed")
        #expect(responses.first?.phone == "+5511987654321")
        #expect(responses.first?.phoneSource == "metaflow.nfm_reply")
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func statusesUpdateTheMessageLog(backend: String) async throws {
        let endpoint = try await EndpointHost.start(try Self.config(), backend: backend)
        // The Flow message we sent earlier, as the channel logged it.
        try await endpoint.host.store.write { db in
            try db.execute("""
                INSERT INTO switchboard_messages (direction, channel, phone, text, provider_id, status, created_at, updated_at)
                VALUES ('out', 'whatsapp_cloud', '+5511987654321', 'survey', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QTlGMkM3RDFFODA0QjZCMwA=', 'sent', 1, 1),
                       ('out', 'whatsapp_cloud', '+5512998877665', 'hello', 'wamid.HBgNNTUxMjk5ODg3NzY2NRUCABEYEjZGMUUyRDNDNEI1QTY5ODc3NgA=', 'sent', 1, 1)
                """)
        }
        #expect(await Self.post(endpoint, try Self.sample("statuses_delivered.json")).status == 200)
        #expect(await Self.post(endpoint, try Self.sample("statuses_failed_131047.json")).status == 200)
        try await endpoint.host.runDueJobs()
        let rows = try await endpoint.host.query("SELECT status, error FROM switchboard_messages WHERE direction = 'out' ORDER BY id")
        #expect(try rows.map { try $0.string("status") } == ["delivered", "failed"])
        #expect(try rows.last?.optionalString("error")?.contains("131047") == true)
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func aUsernameOnlyReplyWaitsForEvidenceOfItsUserID(backend: String) async throws {
        let endpoint = try await EndpointHost.start(try Self.config(), backend: backend)
        #expect(await Self.post(endpoint, try Self.sample("messages_nfm_reply_username_only.json")).status == 200)
        try await endpoint.host.runDueJobs()
        var responses = try await endpoint.responses()
        #expect(responses.first?.status == "completed")
        #expect(responses.first?.phone == nil)
        let subject = "metaflow/response/\(responses.first?.id ?? 0)"
        #expect(try await endpoint.host.phones.resolution(subject: subject)?.status == .pending)
        // The same user writes again from a number Meta shows: the user id is evidence now.
        let text = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"wa_id":"5511912345678","user_id":"BR.9021837465019283746"}],"messages":[{"from":"5511912345678","from_user_id":"BR.9021837465019283746","id":"wamid.later1","timestamp":"1767229999","type":"text","text":{"body":"oi"}}]}}]}]}"#
        #expect(await Self.post(endpoint, Self.signed(text)).status == 200)
        try await endpoint.host.runDueJobs()
        responses = try await endpoint.responses()
        #expect(responses.first?.phone == "+5511912345678")
        #expect(try await endpoint.host.phones.resolution(subject: subject)?.status == .resolved)
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func anNfmReplyCompletesTheResponseTheEndpointStarted(backend: String) async throws {
        let endpoint = try await EndpointHost.start(try Self.config(endpoint: true), backend: backend)
        // The Flow's last screen through the encrypted endpoint (vector data_exchange_final).
        let vector = try Fixtures.vector("data_exchange_final")
        #expect(await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature])).status == 200)
        var responses = try await endpoint.responses()
        #expect(responses.count == 1)
        #expect(responses.first?.phone == nil)
        // Completing it published flow.response.saved, in the same transaction, without a phone yet.
        let saved = "SELECT payload FROM switchboard_events WHERE name = 'flow.response.saved'"
        var events = try await endpoint.host.query(saved).map { try $0.string("payload") }
        #expect(events.count == 1)
        let payload = try JSONSerialization.jsonObject(with: Data((events.first ?? "").utf8)) as? [String: Any]
        #expect(payload?["subject"] as? String == "metaflow/response/\(responses.first?.id ?? -1)")
        #expect(payload?["flow"] as? String == "survey")
        #expect(payload?["phone"] is NSNull)
        // Then Meta's webhook delivers the reply, with the sender's number.
        #expect(await Self.post(endpoint, try Self.sample("messages_nfm_reply.json")).status == 200)
        try await endpoint.host.runDueJobs()
        // The reply's processing, the first resolution round and then phone.resolved's delivery
        // run concurrently on PostgreSQL; one that failed there (once in CI, under the load of
        // every suite) is retried after its backoff, as in production: let the clock reach it,
        // and say what failed.
        let retried = try await endpoint.host.query("SELECT name, attempt, last_error FROM switchboard_jobs WHERE last_error IS NOT NULL")
        for row in retried {
            print("retried job \(try row.string("name")) (attempt \(try row.int("attempt"))): \(try row.optionalString("last_error") ?? "")")
        }
        if !retried.isEmpty {
            endpoint.host.clock.advance(by: 3600)
            try await endpoint.host.runDueJobs()
        }
        responses = try await endpoint.responses()
        #expect(responses.count == 1)
        #expect(responses.first?.status == "completed")
        #expect(responses.first?.phone == "+5511987654321")
        #expect(responses.first?.phoneSource == "metaflow.nfm_reply")
        // Completed twice (endpoint, then nfm_reply) is one completion: no second event.
        events = try await endpoint.host.query(saved).map { try $0.string("payload") }
        #expect(events.count == 1)
        await endpoint.stop()
    }

    /// Media messages tell subscribers their kind (`media_type` in `message.received`, what
    /// CloudTalk's reply tracking reads); text messages carry none.
    @Test func mediaTypesArePublished() async throws {
        let endpoint = try await EndpointHost.start(try Self.config())
        let document = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"212610059159","id":"wamid.doc1","timestamp":"1767225800","type":"document","document":{"id":"media1","mime_type":"application/pdf","filename":"bolletta.pdf"}}]}}]}]}"#
        #expect(await Self.post(endpoint, Self.signed(document)).status == 200)
        #expect(await Self.post(endpoint, try Self.sample("messages_text.json")).status == 200)
        try await endpoint.host.runDueJobs()
        let payloads = try await endpoint.host.query("SELECT payload FROM switchboard_events WHERE name = 'message.received' ORDER BY id")
            .map { try $0.string("payload") }
        #expect(payloads.count == 2)
        #expect(payloads.filter { $0.contains("\"media_type\":\"document\"") }.count == 1)
        #expect(payloads.filter { $0.contains("media_type") }.count == 1)
        await endpoint.stop()
    }
}

/// HMAC-SHA256 for signing test bodies, through the kernel's crypto (what plugins get).
enum TestCrypto {
    static func hmacHex(key: [UInt8], _ body: [UInt8]) -> String {
        OpenSSLCrypto().hmacSHA256(key: key, data: body).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
