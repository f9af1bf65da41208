import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import CloudTalk

/// `GET /calls/{id}` when the webhook lacks status, duration or a field the template names:
/// Basic auth, what the answer fills, CloudTalk's 429, refused keys, and the 60/min queue.
@Suite("cloudtalk enrichment", .serialized)
struct EnrichmentTests {
    static let api = #""api_key_id": "\#(CloudTalkHost.apiKeyID)", "api_key_secret": "\#(CloudTalkHost.apiKeySecret)", "base_url": "\#(CloudTalkHost.cloudTalkURL)""#
    static let detailsURL = "\(CloudTalkHost.cloudTalkURL)/calls/1002409191"

    static func start(backend: String = "sqlite", template: String = "Buongiorno, sono {agent_name}.") async throws -> CloudTalkHost {
        try await CloudTalkHost.start(backend: backend, cloudtalk: api + #", "follow_up": \#(CloudTalkHost.followUp(template: template))"#)
    }

    static func details() throws -> RecordingHTTPClient.Answer {
        .json(String(decoding: try Fixture.bytes("cloudtalk_call_details_response.json"), as: UTF8.self))
    }

    var apiCalls: (CloudTalkHost) -> [OutboundRequest] = { ct in ct.host.http.requests.filter { $0.url.contains("/calls/") } }

    @Test(arguments: CloudTalkHost.backends)
    func aCallWithoutStatusIsCompletedFromTheAPI(backend: String) async throws {
        let ct = try await Self.start(backend: backend)
        defer { Task { await ct.stop() } }
        ct.host.http.respond(to: .get, Self.detailsURL, with: try Self.details())
        #expect(await ct.postCall(try CloudTalkHost.call(["status": nil, "talking_time": nil, "direction": nil])).status == 200)
        try await ct.host.runDueJobs()
        let request = try #require(apiCalls(ct).first)
        #expect(apiCalls(ct).count == 1)
        #expect(request.method == .get && request.url == Self.detailsURL)
        let basic = "Basic " + Data("\(CloudTalkHost.apiKeyID):\(CloudTalkHost.apiKeySecret)".utf8).base64EncodedString()
        #expect(request.headers["authorization"] == basic)
        let row = try #require(try await ct.host.query("SELECT * FROM cloudtalk_calls").first)
        #expect(try row.string("enrichment") == "done")
        #expect(try row.optionalString("status") == "answered")
        #expect(try row.optionalString("direction") == "incoming")
        #expect(try row.optionalInt("talking_time") == 233)
        #expect(try row.optionalString("agent_name") == "Salma")
        #expect(try row.string("tags") == "Lead")
        #expect(try row.string("follow_up_status") == "scheduled")
        try await ct.advance(31)
        #expect(ct.sends.map { $0["text"] as? String } == ["Buongiorno, sono Salma."])
    }

    /// The webhook has status and duration, but the template wants `{agent_name}`: ask the API.
    @Test func aTemplateFieldTheWebhookLacksIsAskedFor() async throws {
        let ct = try await Self.start()
        defer { Task { await ct.stop() } }
        ct.host.http.respond(to: .get, Self.detailsURL, with: try Self.details())
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        #expect(apiCalls(ct).count == 1)
        #expect(ct.sends.map { $0["text"] as? String } == ["Buongiorno, sono Salma."])
        // A call that has everything is not looked up.
        let plain = try await CloudTalkHost.start(cloudtalk: Self.api + #", "follow_up": \#(CloudTalkHost.followUp())"#)
        defer { Task { await plain.stop() } }
        #expect(await plain.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await plain.host.runDueJobs()
        #expect(apiCalls(plain).isEmpty)
    }

    /// CloudTalk's 429 has no Retry-After, only `X-CloudTalkAPI-ResetTime`: the job waits until then.
    @Test func aRateLimitedLookupWaitsForTheResetTime() async throws {
        let ct = try await Self.start()
        defer { Task { await ct.stop() } }
        let reset = Int64(ct.clock.now.timeIntervalSince1970) + 20
        ct.host.http.respond(to: .get, Self.detailsURL,
                             with: .status(429, headers: ["X-CloudTalkAPI-Limit": "60", "X-CloudTalkAPI-Remaining": "0",
                                                          "X-CloudTalkAPI-ResetTime": "\(reset)"]),
                             try Self.details())
        #expect(await ct.postCall(try CloudTalkHost.call(["status": nil])).status == 200)
        try await ct.host.runDueJobs()
        #expect(apiCalls(ct).count == 1)
        #expect(try await ct.column("enrichment") == [.text("pending")])
        try await ct.advance(19)
        #expect(apiCalls(ct).count == 1)
        try await ct.advance(2)
        #expect(apiCalls(ct).count == 2)
        #expect(try await ct.column("enrichment") == [.text("done")])
    }

    /// Refused keys: an error for the operator, and the rule decides on the webhook alone (here
    /// the template's `{agent_name}` then has no value: the follow-up fails rather than sending it).
    @Test func refusedKeysFallBackToTheWebhook() async throws {
        let ct = try await Self.start()
        defer { Task { await ct.stop() } }
        ct.host.http.respond(to: .get, Self.detailsURL, with: .json(#"{"responseData":{"status":401,"message":"Unauthorized"}}"#, status: 401))
        #expect(await ct.postCall(try CloudTalkHost.call(["status": nil])).status == 200)
        try await ct.advance(0)
        #expect(try await ct.column("enrichment") == [.text("failed")])
        #expect(try await ct.column("follow_up_status") == [.text("scheduled")])
        try await ct.advance(31)
        #expect(try await ct.column("follow_up_status") == [.text("failed")])
        #expect(ct.sends.isEmpty)
    }

    /// The enrichment job's worker crashed on its last attempt, so its own give-up never ran:
    /// the kernel's `job.dead` lets the rule decide on the webhook alone, as a refusal would.
    @Test(arguments: CloudTalkHost.backends)
    func anEnrichmentWhoseJobDiedIsDecidedOnTheWebhook(backend: String) async throws {
        let ct = try await Self.start(backend: backend)
        defer { Task { await ct.stop() } }
        // CloudTalk answers 503: the lookup waits for its retry, which a worker takes and crashes on.
        ct.host.http.respond(to: .get, Self.detailsURL, with: .json(#"{"responseData":{"status":503}}"#, status: 503))
        #expect(await ct.postCall(try CloudTalkHost.call(["status": nil])).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("enrichment") == [.text("pending")])
        #expect(try await ct.column("follow_up_status") == [.text("none")])   // undecided
        #expect(try await ct.host.crashJobsOnTheirLastAttempt(named: CallEnricher.jobName) == 1)
        try await ct.host.runDueJobs()
        #expect(apiCalls(ct).count == 1)
        #expect(try await ct.column("enrichment") == [.text("failed")])
        #expect(try await ct.column("follow_up_status") == [.text("scheduled")])
        let deaths = try await ct.host.publishedEvents(named: "job.dead")
        #expect(deaths.count == 1 && deaths[0].payload.contains(#""name":"cloudtalk.enrich""#))
    }

    /// 61 calls to look up at once: 60 lookups in the first minute, the 61st after it.
    @Test func lookupsKeepToSixtyAMinute() async throws {
        let ct = try await Self.start()
        defer { Task { await ct.stop() } }
        ct.host.http.respond(to: .get, "\(CloudTalkHost.cloudTalkURL)/calls/", with: try Self.details())
        for n in 0..<61 {
            #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "u\(n)", "call_id": "\(n)", "status": nil])).status == 200)
        }
        try await ct.host.runDueJobs()
        #expect(apiCalls(ct).count == 60)
        try await ct.advance(30)
        #expect(apiCalls(ct).count == 60)
        try await ct.advance(31)
        #expect(apiCalls(ct).count == 61)
    }
}
