import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import CloudTalk

/// `POST /cloudtalk/webhook` from the sample payloads: the recommended template, the observed
/// unquoted payload (integers, no `+`), empty strings, the shared token in the header or the
/// query, and redeliveries.
@Suite("cloudtalk webhook", .serialized)
struct WebhookTests {
    @Test(arguments: CloudTalkHost.backends)
    func theRecommendedTemplateIsRecordedWhole(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        let answer = await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json"))
        #expect(answer.status == 200)
        try await ct.host.runDueJobs()
        let rows = try await ct.host.query("""
            SELECT call_id, call_uuid, direction, external_number, internal_number, agent_id, status, talking_time, waiting_time,
                   wrapup_time, recording_url, tags, raw_payload, should_send, follow_up_status, enrichment FROM cloudtalk_calls
            """)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(try row.optionalString("call_id") == "1002409191")
        #expect(try row.optionalString("call_uuid") == "44fe27cd-5268-4670-993e-01293c9f0001")
        #expect(try row.optionalString("direction") == "incoming")
        #expect(try row.optionalString("external_number") == "+212600000001")
        #expect(try row.optionalString("internal_number") == "+212522000000")
        #expect(try row.optionalString("agent_id") == "493900")
        #expect(try row.optionalString("status") == "answered")
        #expect(try row.optionalInt("talking_time") == 233)
        #expect(try row.optionalInt("waiting_time") == 12)
        #expect(try row.optionalInt("wrapup_time") == 30)
        #expect(try row.optionalString("recording_url")?.hasPrefix("https://my.cloudtalk.io/pub/r/") == true)
        #expect(try row.string("tags") == "Lead, VIP")
        // The body's shared secret is not kept with the call.
        let raw = try row.string("raw_payload")
        #expect(raw.contains("44fe27cd") && !raw.contains("REPLACE_WITH_SHARED_SECRET") && !raw.contains("\"secret\""))
        #expect(try row.bool("should_send"))
        #expect(try row.string("follow_up_status") == "scheduled")
        #expect(try row.string("enrichment") == "none")
        // call.ended is published once, with the normalised numbers.
        let events = try await ct.host.query("SELECT payload FROM switchboard_events WHERE name = 'call.ended'").map { try $0.string("payload") }
        #expect(events.count == 1)
        let event = try JSONText.decode(JSONDocument.self, from: Array(try #require(events.first).utf8)).objectValue
        #expect(event?["external_number"] == .string("+212600000001"))
        #expect(event?["status"] == .string("answered"))
        #expect(event?["talking_time"] == .integer(233))
    }

    /// The observed delivery: numbers as JSON integers without `+`, no status, no call_id.
    @Test(arguments: CloudTalkHost.backends)
    func theObservedUnquotedPayloadIsReadLeniently(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended_observed_unquoted.json")).status == 200)
        try await ct.host.runDueJobs()
        let row = try #require(try await ct.host.query("SELECT * FROM cloudtalk_calls").first)
        #expect(try row.optionalString("call_uuid") == "ed1bea37-9730-4c30-b977-1d3dfb080002")
        #expect(try row.optionalString("call_id") == nil)
        #expect(try row.optionalString("external_number") == "+212600000001")
        #expect(try row.optionalString("internal_number") == "+212522000000")
        #expect(try row.optionalString("agent_id") == "493900")
        #expect(try row.optionalString("status") == nil)
        #expect(try row.optionalInt("talking_time") == nil)
        // The default rule wants only an external number.
        #expect(try row.bool("should_send"))
        #expect(try row.string("follow_up_status") == "scheduled")
    }

    /// Empty strings (a contact that does not exist), `[object Object]` and a number as text with spaces.
    @Test func emptyStringsAreMissing() async throws {
        let ct = try await CloudTalkHost.start()
        defer { Task { await ct.stop() } }
        let body = try CloudTalkHost.call(["status": "", "talking_time": "", "contact_id": "", "contact_name": "[object Object]",
                                            "external_number": " 212600000001 ", "direction": "", "recording_url": ""])
        #expect(await ct.postCall(body).status == 200)
        try await ct.host.runDueJobs()
        let row = try #require(try await ct.host.query("SELECT * FROM cloudtalk_calls").first)
        #expect(try row.optionalString("status") == nil)
        #expect(try row.optionalInt("talking_time") == nil)
        #expect(try row.optionalString("direction") == nil)
        #expect(try row.optionalString("recording_url") == nil)
        #expect(try row.optionalString("external_number") == "+212600000001")
        let fields = try JSONText.decode([String: String].self, from: Array(try row.string("fields").utf8))
        #expect(fields["contact_id"] == nil && fields["contact_name"] == nil)
        // The template needs contact_name, which this call lacks: the follow-up fails, nothing is sent.
        try await ct.advance(31)
        #expect(ct.sends.isEmpty)
        #expect(try await ct.column("follow_up_status") == [.text("failed")])
        #expect(try await ct.column("follow_up_error").first?.description.contains("{contact_name}") == true)
    }

    @Test(arguments: CloudTalkHost.backends)
    func theSharedTokenIsRequired(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        let body = try Fixture.bytes("cloudtalk_call_ended.json")
        #expect(await ct.postCall(body, token: "wrong-token").status == 401)
        #expect(await ct.postCall(body, token: CloudTalkHost.token + "x").status == 401)
        #expect(await ct.postCall(body, token: "wrong-token", in: .query).status == 401)
        #expect(await ct.postCall(body, in: .none).status == 401)
        let refused = await ct.postCall(body, in: .none)
        #expect(refused.bodyText.contains("invalid_signature"))
        #expect(try await ct.host.query("SELECT id FROM switchboard_inbox").isEmpty)
        let reasons = try await ct.host.query("SELECT reason FROM switchboard_inbox_rejections ORDER BY id").map { try $0.string("reason") }
        #expect(reasons == ["bad_token", "bad_token", "bad_token", "missing_token", "missing_token"])
        // Right in the header, and right in the query.
        #expect(await ct.postCall(body).status == 200)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "other-uuid", "call_id": "2"]), in: .query).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("call_uuid", orderBy: "call_uuid") == [.text("44fe27cd-5268-4670-993e-01293c9f0001"), .text("other-uuid")])
        // The token header is never stored.
        let headers = try await ct.host.query("SELECT headers FROM switchboard_inbox").map { try $0.string("headers") }
        #expect(headers.count == 2 && !headers.joined().contains(CloudTalkHost.token))
    }

    /// The same call three times (a retry, a workflow fired twice, a changed body with the same
    /// uuid): one row, one event, one follow-up.
    @Test(arguments: CloudTalkHost.backends)
    func duplicateDeliveriesMakeOneCall(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        let body = try Fixture.bytes("cloudtalk_call_ended.json")
        #expect(await ct.postCall(body).status == 200)
        let second = await ct.postCall(body)
        #expect(second.status == 200 && second.bodyText.contains("duplicate"))
        #expect(await ct.postCall(try CloudTalkHost.call(["talking_time": "1"])).bodyText.contains("duplicate"))
        // Only call_id (no uuid): dedupe on call_id.
        let byID = try CloudTalkHost.call(["call_uuid": nil, "call_id": "555"])
        #expect(await ct.postCall(byID).bodyText.contains("accepted"))
        #expect(await ct.postCall(byID).bodyText.contains("duplicate"))
        try await ct.host.runDueJobs()
        #expect(try await ct.column("call_key", orderBy: "call_key") == [.text("id:555"), .text("uuid:44fe27cd-5268-4670-993e-01293c9f0001")])
        #expect(try await ct.host.query("SELECT id FROM switchboard_events WHERE name = 'call.ended'").count == 2)
        #expect(try await ct.host.query("SELECT id FROM switchboard_inbox WHERE status = 'duplicate'").count == 3)
        // An operator's replay of the stored delivery (past the inbox's dedupe) changes nothing either.
        let first = try #require(try await ct.host.query("SELECT id FROM switchboard_inbox ORDER BY id").first?.int("id"))
        let replay = await ct.host.request(.post, "/api/admin/inbox/\(first)/replay", headers: ["Authorization": "Bearer \(CloudTalkHost.adminToken)"])
        #expect(replay.status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.host.query("SELECT id FROM cloudtalk_calls").count == 2)
        #expect(try await ct.host.query("SELECT id FROM switchboard_events WHERE name = 'call.ended'").count == 2)
        #expect(try await ct.host.query("SELECT id FROM switchboard_jobs WHERE name = 'cloudtalk.follow_up'").count == 2)
    }

    /// A body without call_uuid or call_id identifies nothing: the job fails for good, nothing is recorded.
    @Test func aBodyWithoutIdentifiersIsDead() async throws {
        let ct = try await CloudTalkHost.start()
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": nil, "call_id": ""])).status == 200)
        #expect(await ct.postCall(Array("not json".utf8)).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.host.query("SELECT id FROM cloudtalk_calls").isEmpty)
        let dead = try await ct.host.query("SELECT last_error FROM switchboard_jobs WHERE status = 'dead' ORDER BY id").map { try $0.optionalString("last_error") ?? "" }
        #expect(dead.count == 2)
        #expect(dead.first?.contains("neither call_uuid nor call_id") == true)
        #expect(dead.last?.contains("not a JSON object") == true)
    }

    /// The observed "recording uploaded" delivery (call_id as an integer, no uuid, no event_type)
    /// about a call already recorded fills its recording URL; it is not a second call.
    @Test(arguments: CloudTalkHost.backends)
    func aLaterDeliveryAboutAKnownCallFillsIt(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try CloudTalkHost.call(["recording_url": nil])).status == 200)
        try await ct.advance(0)
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_recording_uploaded_observed.json")).bodyText.contains("accepted"))
        try await ct.advance(0)
        #expect(try await ct.column("recording_url").count == 1)
        #expect(try await ct.column("recording_url").first?.description.contains("https://my.cloudtalk.io/pub/r/") == true)
        #expect(try await ct.host.query("SELECT id FROM switchboard_events WHERE name = 'call.ended'").count == 1)
        #expect(try await ct.host.query("SELECT id FROM switchboard_jobs WHERE name = 'cloudtalk.follow_up'").count == 1)
    }

    /// Another workflow event (a recording uploaded) is not a call that ended.
    @Test func otherEventTypesAreIgnored() async throws {
        let ct = try await CloudTalkHost.start()
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try CloudTalkHost.call(["event_type": "recording.uploaded"])).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.host.query("SELECT id FROM cloudtalk_calls").isEmpty)
    }
}
