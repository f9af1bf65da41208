import Foundation
import class Kernel.KernelServer
import class Kernel.CurlHTTPClient
import enum Kernel.ConfigLoader
import PluginAPI
import PluginTesting
import Testing
import TestHTTPServer
import Chatwoot
import MetaFlow

/// MetaFlow and Chatwoot together in one kernel, Chatwoot faked on loopback (real libcurl
/// client): Flow answers arrive through the encrypted endpoint with tokens this server never
/// issued (a broadcast sent from Chatwoot), so only Chatwoot can tell their phones.
/// - a token Chatwoot already has in a conversation: `chatwoot.conversation_search` finds the phone;
/// - a token Chatwoot learns later: the response stays pending until Chatwoot's webhook
///   carries the Flow reply, then it is back-filled.
@Suite("metaflow + chatwoot end to end", .serialized)
struct ChatwootEndToEndTests {
    static let known = "cw-broadcast-0000000000000001"
    static let later = "cw-broadcast-0000000000000002"

    /// `conversations/search` knows `known` (contact 301); `contacts/301` has the phone.
    final class FakeChatwootSearch: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var calls: [String] = []

        func answer(_ request: FakeRequest) -> FakeReply {
            lock.withLock { calls.append("\(request.method) \(request.target)") }
            let json = { (text: String) in FakeReply(status: 200, headers: [("Content-Type", "application/json")], body: Array(text.utf8)) }
            if request.target.hasPrefix("/api/v1/accounts/7/conversations/search") {
                let hit = request.target.contains(ChatwootEndToEndTests.known)
                    ? #"{"id":57,"contact":{"id":301,"name":"Yassine"},"inbox":{"id":3,"name":"WhatsApp","channel_type":"Channel::Whatsapp"},"messages":[]}"#
                    : ""
                return json(#"{"meta":{"all_count":\#(hit.isEmpty ? 0 : 1)},"payload":[\#(hit)]}"#)
            }
            if request.target == "/api/v1/accounts/7/contacts/301" {
                return json(#"{"payload":{"id":301,"name":"Yassine","phone_number":"+212600000001","contact_inboxes":[]}}"#)
            }
            return FakeReply(status: 404, headers: [("Content-Type", "application/json")], body: Array(#"{"error":"Resource could not be found"}"#.utf8))
        }
    }

    @Test(arguments: EndpointHost.backends)
    func tokensOnlyChatwootKnowsGetTheirPhones(backend: String) async throws {
        let chatwoot = FakeChatwootSearch()
        let server = try FakeHTTPServer { chatwoot.answer($0) }
        defer { server.stop() }
        let vector = try Fixtures.vector("init")
        let metaflow = try SurveyConfig.metaflow(keyPath: try Fixtures.keyPath(vector.privateKeyFile), passphrase: vector.privateKeyPassphrase)
        let text = try JSONText.string(JSONDocument.object([
            "phone": .object(["strategies": .array([.string("metaflow.token_map"), .string("chatwoot.conversation_search")])]),
            "plugins": .object([
                "metaflow": .object(["enabled": .bool(true), "config": metaflow]),
                "chatwoot": .object(["enabled": .bool(true), "config": .object([
                    "base_url": .string("http://127.0.0.1:\(server.port)"), "account_id": .integer(7), "api_token": .string("cw-token-SECRET"),
                    "reconcile_every": .string("0s"),
                ])]),
            ]),
        ]))
        var config = try ConfigLoader.parse(Array(text.utf8), environment: [:], knownPlugins: [MetaFlowPlugin.id, ChatwootPlugin.id])
        config.log.level = .error
        let http = CurlHTTPClient()
        let kernel = try KernelServer(config: config, plugins: [MetaFlowPlugin.self, ChatwootPlugin.self], clock: ManualClock(), http: http)
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        try await kernel.openForTesting(storageURL: url)
        defer {
            Task {
                await kernel.closeForTesting()
                http.close()
                TestDatabase.remove(url)
            }
        }

        // Two customers answer a Flow Chatwoot broadcast: the endpoint stores their answers.
        let sealer = FlowSealer(vector: vector, appSecret: SurveyConfig.appSecret)
        for token in [Self.known, Self.later] {
            let submit = try sealer.request(#"{"version": "3.0", "action": "data_exchange", "screen": "SURVEY_Q1", "flow_token": "\#(token)", "data": {"q1_rating": "4"}}"#)
            let answered = await kernel.respond(to: Request(method: .post, path: "/metaflow/endpoint", headers: submit.headers, body: submit.body,
                                                            remoteAddress: "127.0.0.1"))
            #expect(answered.status == 200)
        }
        _ = try await kernel.runDueJobs()

        func response(_ token: String) async throws -> (phone: String?, source: String?) {
            let row = try await kernel.store.query("SELECT phone, phone_source FROM metaflow_responses WHERE flow_token = $1", [.text(token)]).first
            return (try row?.optionalString("phone"), try row?.optionalString("phone_source"))
        }
        // 1. Chatwoot has the first token in a conversation: the strategy found the phone (search + contact).
        let first = try await response(Self.known)
        #expect(first.phone == "+212600000001")
        #expect(first.source == "chatwoot.conversation_search")
        #expect(chatwoot.calls.contains("GET /api/v1/accounts/7/contacts/301"))
        // 2. Chatwoot does not know the second one yet: pending.
        #expect(try await response(Self.later).phone == nil)

        // 3. Chatwoot's webhook then delivers the Flow reply carrying the token: the answer is back-filled.
        let reply = #"{"event":"message_created","id":4530,"message_type":"incoming","private":false,"content":null,"created_at":"2026-09-21T12:00:00Z","content_attributes":{"whatsapp_flow_response":{"name":"flow","flow_token":"\#(Self.later)","response":{"q1_rating":"4"}}},"sender":{"id":302,"name":"Samira","phone_number":"+212600000002"},"conversation":{"id":58,"channel":"Channel::Whatsapp","meta":{"sender":{"id":302,"phone_number":"+212600000002"}}}}"#
        let delivered = await kernel.respond(to: Request(method: .post, path: "/chatwoot/webhook", headers: ["Content-Type": "application/json"],
                                                         body: Array(reply.utf8), remoteAddress: "127.0.0.1"))
        #expect(delivered.status == 200)
        _ = try await kernel.runDueJobs()
        let second = try await response(Self.later)
        #expect(second.phone == "+212600000002")
        #expect(second.source == "chatwoot.webhook")
    }
}
