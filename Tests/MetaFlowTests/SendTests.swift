import Foundation
import TestHTTPServer
import PluginAPI
import PluginTesting
import Synchronization
import Testing
@testable import MetaFlow

/// Sending Flows through the `whatsapp_cloud` channel against a fake Graph API on loopback,
/// with the real libcurl client.
@Suite("MetaFlow sending", .serialized)
struct SendTests {
    static let phone = "+5511987654321"

    /// Runs jobs until `task` finishes (the route waits for the channel's send).
    @Test(arguments: EndpointHost.backends)
    func singleSendStoresTheTokenBeforeTheCallAndAnswersSent(backend: String) async throws {
        let host = try await SendHost.start(backend: backend)
        defer { Task { await host.stop() } }
        let store = host.kernel.store
        let storedAtCall = Mutex<[Bool]>([])
        host.graph.onRequest { seen in
            // Looks the token up while Meta "has" the request: it must already be committed.
            let token = seen.body.objectValue?["interactive"]?.objectValue?["action"]?.objectValue?["parameters"]?.objectValue?["flow_token"]?.stringValue ?? ""
            let found = Mutex(false)
            let done = DispatchSemaphore(value: 0)
            Task {
                let rows = (try? await store.query("SELECT phone FROM metaflow_tokens WHERE flow_token = $1", [.text(token)])) ?? []
                found.withLock { $0 = (try? rows.first?.string("phone")) == SendTests.phone }
                done.signal()
            }
            done.wait()
            storedAtCall.withLock { $0.append(found.withLock { $0 }) }
        }
        let task = Task { await host.request(.post, "/metaflow/send", body: #"{"phoneNumber":"+55 11 98765-4321","customerName":"Maria"}"#) }
        let response = try await host.runJobs(until: task)
        #expect(response.status == 200)
        let answer = try host.json(response)
        #expect(answer["status"] == .string("sent"))
        #expect(answer["message_id"] == .string("wamid.fake.1"))
        #expect(answer["phone_number"] == .string(Self.phone))
        let token = try #require(answer["flow_token"]?.stringValue)
        #expect(token.hasPrefix("ft_") && token.count == 25)
        #expect(storedAtCall.withLock { $0 } == [true])

        let seen = try #require(host.graph.requests.first)
        #expect(seen.target == "/v21.0/106540352242922/messages")
        #expect(seen.authorization == "Bearer \(SendHost.accessToken)")
        let body = try #require(seen.body.objectValue)
        #expect(body["to"] == .string("5511987654321"))
        #expect(body["messaging_product"] == .string("whatsapp"))
        #expect(body["type"] == .string("interactive"))
        #expect(body[CloudMessage.flowTokenKey] == nil && body[CloudMessage.fallbackKey] == nil)
        let parameters = body["interactive"]?.objectValue?["action"]?.objectValue?["parameters"]?.objectValue
        #expect(parameters?["flow_token"] == .string(token))
        #expect(parameters?["flow_id"] == .string("1234567890123456"))
        #expect(parameters?["flow_cta"] == .string("Responder"))

        let row = try #require(try await host.query("SELECT * FROM metaflow_tokens WHERE flow_token = $1", [.text(token)]).first)
        #expect(try row.string("phone") == Self.phone)
        #expect(try row.optionalString("customer_name") == "Maria")
        #expect(try row.string("flow") == "survey")
        #expect(try row.optionalString("wamid") == "wamid.fake.1")
        // The wamid is linked to the token, whose phone was learned at send time.
        let resolution = try await host.kernel.phones.resolve(key: .waMessageID("wamid.fake.1"), subject: "test/reply/1")
        #expect(resolution.phone?.e164 == Self.phone)
        let message = try #require(try await host.query("SELECT status, provider_id FROM switchboard_messages").first)
        #expect(try message.string("status") == "sent")
        #expect(try message.optionalString("provider_id") == "wamid.fake.1")
    }

    @Test func withoutAJobRunnerTheSendIsQueued() async throws {
        let host = try await SendHost.start(sendWait: "300ms")
        defer { Task { await host.stop() } }
        let response = await host.request(.post, "/metaflow/send", body: #"{"phone_number":"+5511987654321","flow":"survey","mode":"template"}"#)
        #expect(response.status == 200)
        let answer = try host.json(response)
        #expect(answer["status"] == .string("queued"))
        #expect(answer["message_id"] == nil)
        #expect(host.graph.requests.isEmpty)
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.first?.body.objectValue?["type"] == .string("template"))
        #expect(try await host.statusCounts() == ["sent": 1])
    }

    @Test func refusals() async throws {
        let host = try await SendHost.start(template: false)
        defer { Task { await host.stop() } }
        #expect(await host.request(.post, "/metaflow/send", headers: [:], body: #"{"phone_number":"+5511987654321"}"#).status == 401)
        #expect(await host.request(.post, "/metaflow/send", headers: ["Authorization": "Bearer wrong"], body: "{}").status == 401)
        #expect(await host.request(.get, "/metaflow/send/bulk/1", headers: [:]).status == 401)
        let invalid = await host.request(.post, "/metaflow/send", body: #"{"phone_number":"12"}"#)
        #expect(invalid.status == 400)
        #expect(invalid.bodyText.contains("invalid_phone_number"))
        #expect(invalid.bodyText.contains("too short") || invalid.bodyText.contains("no region"))
        let noTemplate = await host.request(.post, "/metaflow/send", body: #"{"phone_number":"+5511987654321","mode":"template"}"#)
        #expect(noTemplate.status == 400)
        #expect(noTemplate.bodyText.contains("flows.survey.template"))
        #expect(await host.request(.post, "/metaflow/send", body: #"{"phone_number":"+5511987654321","flow":"nope"}"#).status == 400)
        #expect(try await host.query("SELECT * FROM metaflow_tokens").isEmpty)
    }

    /// One row through the bulk route (which does not wait), Meta answering `code` first.
    private func sendOne(_ host: SendHost, answering reply: FakeReply) async throws {
        host.graph.script(reply, FakeGraph.success("wamid.after.retry"))
        let response = await host.request(.post, "/metaflow/send/bulk?flow=survey", headers: SendHost.admin, body: "+5511987654321\n")
        #expect(response.status == 202)
        try await host.kernel.runDueJobs()
    }

    @Test(arguments: Array(GraphError.retryCodes).sorted())
    func retryCodesAreRetriedWithBackoff(code: Int) async throws {
        let host = try await SendHost.start()
        defer { Task { await host.stop() } }
        try await sendOne(host, answering: FakeGraph.error(code))
        #expect(host.graph.requests.count == 1)
        #expect(try await host.statusCounts() == ["queued": 1])
        host.clock.advance(by: 3600)
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.count == 2)
        #expect(try await host.statusCounts() == ["sent": 1])
    }

    @Test(arguments: Array(GraphError.failCodes).sorted() + [190, 10])
    func permanentCodesFailAtOnce(code: Int) async throws {
        let host = try await SendHost.start()
        defer { Task { await host.stop() } }
        try await sendOne(host, answering: FakeGraph.error(code, status: code == 190 ? 401 : 400))
        host.clock.advance(by: 3600)
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.count == 1)
        #expect(try await host.statusCounts() == ["failed": 1])
        let row = try #require(try await host.query("SELECT send_error FROM metaflow_tokens").first)
        let error = try row.optionalString("send_error") ?? ""
        #expect(error.contains("graph error \(code)"))
        #expect(!error.contains(SendHost.accessToken))
        let message = try #require(try await host.query("SELECT status FROM switchboard_messages").first)
        #expect(try message.string("status") == "failed")
        if code == 190 || code == 10 {
            #expect(error.contains("(alert)"))
            let metrics = await host.request(.get, "/metrics", headers: [:])
            #expect(metrics.bodyText.contains("switchboard_metaflow_graph_auth_errors"))
        }
    }

    @Test func outsideTheWindowFallsBackToTheTemplate() async throws {
        let host = try await SendHost.start()
        defer { Task { await host.stop() } }
        try await sendOne(host, answering: FakeGraph.error(131047))
        let requests = host.graph.requests
        #expect(requests.map { $0.body.objectValue?["type"]?.stringValue } == ["interactive", "template"])
        let template = requests.last?.body.objectValue?["template"]?.objectValue
        #expect(template?["name"] == .string("csat_survey_flow"))
        let token = try #require(try await host.query("SELECT flow_token, wamid FROM metaflow_tokens").first)
        let components = template?["components"]
        #expect(try JSONText.string(components ?? .null).contains(try token.string("flow_token")))
        #expect(try token.optionalString("wamid") == "wamid.after.retry")
        #expect(try await host.statusCounts() == ["sent": 1])
    }

    @Test func outsideTheWindowWithoutATemplateFails() async throws {
        let host = try await SendHost.start(template: false)
        defer { Task { await host.stop() } }
        try await sendOne(host, answering: FakeGraph.error(131047))
        #expect(host.graph.requests.count == 1)
        #expect(try await host.statusCounts() == ["failed": 1])
    }

    @Test(arguments: EndpointHost.backends)
    func bulkCSVSkipsBadRowsAndDuplicatesKeepsTheRateLimitAndReRunsSendNothingTwice(backend: String) async throws {
        let host = try await SendHost.start(backend: backend)
        defer { Task { await host.stop() } }
        var csv = "phone_number,customer_name\n"
        for i in 0..<100 { csv += "+55119876\(String(format: "%05d", 10000 + i)),Customer \(i)\n" }
        csv += "not a phone,Bad\n"          // line 102
        csv += "+5511987610000,Again\n"      // line 103: same as line 2
        csv += "\"12\",\"Short, quoted\"\n"  // line 104
        let created = await host.request(.post, "/metaflow/send/bulk?flow=survey", body: csv)
        #expect(created.status == 202)
        let answer = try host.json(created)
        #expect(answer["queued"] == .integer(100))
        #expect(answer["rows"] == .integer(103))
        let invalidLines = answer["invalid"].flatMap { value -> [Int64]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap { if case .integer(let line)? = $0.objectValue?["line"] { line } else { nil } }
        }
        #expect(invalidLines == [102, 104])
        #expect(try JSONText.string(answer["duplicates"] ?? .null) == #"[{"first_line":2,"line":103}]"#)
        let batch = try #require(answer["batch_id"].flatMap { if case .integer(let id) = $0 { id } else { nil } })

        // 80 per second: the first second sends 80, the next the rest.
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.count == 80)
        let progress = try host.json(await host.request(.get, "/metaflow/send/bulk/\(batch)"))
        #expect(progress["sent"] == .integer(80))
        #expect(progress["queued"] == .integer(20))
        #expect(progress["done"] == .bool(false))
        host.clock.advance(by: 1.5)
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.count == 100)
        let finished = try host.json(await host.request(.get, "/metaflow/send/bulk/\(batch)"))
        #expect(finished["sent"] == .integer(100))
        #expect(finished["done"] == .bool(true))
        #expect(finished["invalid"] == .integer(2) && finished["duplicates"] == .integer(1))

        // The same file again is the same batch: nothing is queued or sent twice.
        let rerun = try host.json(await host.request(.post, "/metaflow/send/bulk?flow=survey", body: csv))
        #expect(rerun["batch_id"] == .integer(batch))
        #expect(rerun["queued"] == .integer(0))
        #expect(rerun["already_queued"] == .integer(100))
        // A named batch re-run with a fixed row sends only that row.
        let named = try host.json(await host.request(.post, "/metaflow/send/bulk?flow=survey&batch=march",
                                                      body: #"[{"phone_number":"+5511987610000"},{"phoneNumber":"+5511987620000","customerName":"Ana"}]"#))
        #expect(named["queued"] == .integer(2))
        let fixed = try host.json(await host.request(.post, "/metaflow/send/bulk?flow=survey&batch=march",
                                                      body: #"[{"phone_number":"+5511987610000"},{"phone_number":"+5511987620000"},{"phone_number":"+5511987630000"}]"#))
        #expect(fixed["queued"] == .integer(1) && fixed["already_queued"] == .integer(2))
        host.clock.advance(by: 2)
        try await host.kernel.runDueJobs()
        #expect(host.graph.requests.count == 103)
        let recipients = host.graph.requests.compactMap { $0.body.objectValue?["to"]?.stringValue }
        #expect(Set(recipients).count == 102)
    }

    @Test func csvRecordsKeepTheirLines() {
        let rows = BulkInput.csv("phone_number,customer_name\r\n\n\"+55 11\",\"A \"\"quoted\"\"\nname\"\n+551,B\n")
        #expect(rows.map(\.line) == [3, 5])
        #expect(rows.first?.name == "A \"quoted\"\nname")
    }

    @Test func handlingByCode() {
        #expect(GraphError.handling(code: 130429, httpStatus: 400) == .retry)
        #expect(GraphError.handling(code: 131026, httpStatus: 400) == .fail)
        #expect(GraphError.handling(code: 190, httpStatus: 401) == .alert)
        #expect(GraphError.handling(code: 131047, httpStatus: 400) == .outsideWindow)
        #expect(GraphError.handling(code: nil, httpStatus: 503) == .retry)
        #expect(GraphError.handling(code: 999_999, httpStatus: 400) == .fail)
    }
}
