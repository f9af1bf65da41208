import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// The whole path on SQLite and PostgreSQL: send a Flow (the fake Graph API accepts it) → the
/// customer answers through the encrypted endpoint → Meta's `nfm_reply` webhook → the response
/// holds the merged answers and its phone, found through the token map.
@Suite("metaflow end to end", .serialized)
struct EndToEndTests {
    static let phone = "+5511987654321"

    @Test(arguments: EndpointHost.backends)
    func sendAnswerReplyAndThePhoneIsKnown(backend: String) async throws {
        let host = try await SendHost.start(backend: backend, webhook: true)
        defer { Task { await host.stop() } }

        // 1. Send the Flow.
        let send = Task { await host.request(.post, "/metaflow/send", body: #"{"phone_number": "+55 11 98765-4321", "customer_name": "Maria"}"#) }
        let sent = try host.json(try await host.runJobs(until: send))
        #expect(sent["status"] == .string("sent"))
        let token = try #require(sent["flow_token"]?.stringValue)
        let wamid = try #require(sent["message_id"]?.stringValue)

        // 2. The customer opens it and submits the screen: the endpoint stores the answers.
        let sealer = FlowSealer(vector: try Fixtures.vector("init"), appSecret: SurveyConfig.appSecret)
        let submit = try sealer.request(#"{"version": "3.0", "action": "data_exchange", "screen": "SURVEY_Q1", "flow_token": "\#(token)", "data": {"q1_rating": "5"}}"#)
        let answered = await host.request(.post, "/metaflow/endpoint", headers: submit.headers, body: String(decoding: submit.body, as: UTF8.self))
        #expect(answered.status == 200)
        #expect(try sealer.decrypt(answered.body).objectValue?["screen"] == .string("SUCCESS"))

        // 3. Meta delivers the nfm_reply, replying to the Flow message.
        let reply = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"wa_id":"5511987654321"}],"messages":[{"context":{"id":"\#(wamid)"},"from":"5511987654321","id":"wamid.reply1","timestamp":"1767225730","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{\"flow_token\": \"\#(token)\", \"q1_rating\": \"5\", \"q2_comment\": \"ótimo\"}"}}}]}}]}]}"#
        let webhook = await host.request(.post, "/metaflow/webhook", headers: sealer.signed(Array(reply.utf8)), body: reply)
        #expect(webhook.status == 200)
        try await host.kernel.runDueJobs()

        // 4. One response, completed, with every answer and the phone from the token map.
        let rows = try await host.query("SELECT flow, status, answers, phone, phone_source FROM metaflow_responses WHERE flow_token = $1", [.text(token)])
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(try row.string("flow") == "survey")
        #expect(try row.string("status") == "completed")
        let answers = try JSONText.decode([String: JSONValue].self, from: Array(try row.string("answers").utf8))
        #expect(answers["q1_rating"] == .string("5"))
        #expect(answers["q2_comment"] == .string("ótimo"))
        #expect(try row.optionalString("phone") == Self.phone)
        #expect(try row.optionalString("phone_source") == "metaflow.token_map")
        // The nfm_reply agreed with the map: no conflict to review.
        #expect(try await host.query("SELECT id FROM switchboard_phone_disagreements").isEmpty)
    }
}
