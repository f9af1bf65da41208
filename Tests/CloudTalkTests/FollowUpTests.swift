import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import CloudTalk

/// The follow-up on a manual clock: after `delay`, once per phone per `cooldown`, only when the
/// rule holds, never with an unfilled placeholder.
@Suite("cloudtalk follow-ups", .serialized)
struct FollowUpTests {
    @Test(arguments: CloudTalkHost.backends)
    func theFollowUpLeavesAfterTheDelay(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        let start = ct.clock.nowMillis
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("follow_up_due_at") == [.integer(start + 30_000)])
        try await ct.advance(29)
        #expect(ct.sends.isEmpty)
        #expect(try await ct.calls().first?["follow_up_status"] == .string("scheduled"))
        try await ct.advance(1)
        #expect(ct.sends.count == 1)
        #expect(ct.sends.first?["to"] as? String == CloudTalkHost.phone)
        #expect(ct.sends.first?["text"] as? String == "Bonjour Yassine, merci pour votre appel (+212600000001).")
        let call = try #require(try await ct.calls().first)
        #expect(call["follow_up_status"] == .string("sent"))
        #expect(call["follow_up_sent_at"] == CallListing.timestamp(start + 30_000))
        #expect(try await ct.column("follow_up_message_id").first != .null)
        // Nothing more goes out later.
        try await ct.advance(3600)
        #expect(ct.sends.count == 1)
    }

    /// A follow-up job whose worker crashed on its last attempt never ran its own failure
    /// handling: the kernel's `job.dead` makes the follow-up `failed` (with why), not `scheduled`
    /// for good, and the operator's retry then sends it.
    @Test(arguments: CloudTalkHost.backends)
    func aFollowUpWhoseJobDiedIsFailedNotLeftScheduled(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.calls().first?["follow_up_status"] == .string("scheduled"))
        #expect(try await ct.host.crashJobsOnTheirLastAttempt(named: FollowUpSender.jobName) == 1)
        try await ct.advance(0)
        let call = try #require(try await ct.calls().first)
        #expect(call["follow_up_status"] == .string("failed"))
        guard case .text(let error)? = try await ct.column("follow_up_error").first else { Issue.record("no follow_up_error"); return }
        #expect(error.contains("the follow-up job died: lease expired on the last attempt"), "\(error)")
        try await ct.advance(3600)
        #expect(ct.sends.isEmpty)
    }

    /// One follow-up per phone per 24 h: a second call an hour later is skipped, one 25 h later is
    /// sent; another phone is not held back.
    @Test(arguments: CloudTalkHost.backends)
    func theCooldownHoldsPerPhone(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "a"])).status == 200)
        try await ct.advance(31)
        try await ct.advance(3600)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "b"])).status == 200)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "c", "external_number": "+212600000002"])).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        try await ct.advance(24 * 3600)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "d"])).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        // Calls b and c arrive together: order by uuid, not by row id.
        #expect(try await ct.column("follow_up_status", orderBy: "call_uuid") == [.text("sent"), .text("skipped"), .text("sent"), .text("sent")])
        #expect(ct.sends.map { $0["to"] as? String } == ["+212600000001", "+212600000002", "+212600000001"])
        #expect(try await ct.column("follow_up_error", orderBy: "call_uuid")[1] == .text("this phone had a follow-up less than 1d ago"))
        let skipped = try await ct.listing("follow_up_status=skipped")
        #expect(skipped.status == 200)
        #expect((try await ct.calls()).count == 4)
        guard case .array(let items)? = skipped.body["calls"] else { Issue.record("no calls"); return }
        #expect(items.count == 1 && items.first?.objectValue?["call_uuid"] == .string("b"))
    }

    /// Two calls from one phone whose follow-ups come due together: exactly one is sent.
    @Test(arguments: CloudTalkHost.backends)
    func twoCallsDueTogetherSendOnce(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "e1"])).status == 200)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "e2", "external_number": "0600000001"])).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        #expect(ct.sends.count == 1)
        #expect(try await ct.column("follow_up_status").map(\.description).sorted() == ["'sent'", "'skipped'"])
    }

    /// The rule: each condition, and a condition on something the call does not say.
    @Test func theRuleDecides() async throws {
        let rule = #""rule": {"direction": "incoming", "status": "answered", "min_talk_time": "60s", "tags": ["lead"]}"#
        let ct = try await CloudTalkHost.start(cloudtalk: #""follow_up": \#(CloudTalkHost.followUp(extra: ", " + rule))"#)
        defer { Task { await ct.stop() } }
        let cases: [(changes: [String: Any?], send: Bool, reason: String)] = [
            ([:], true, "rule matched"),
            (["direction": "outgoing"], false, "direction outgoing, the rule wants incoming"),
            (["direction": "inbound"], true, "rule matched"),
            (["status": "missed", "talking_time": "0"], false, "call missed, the rule wants answered"),
            (["talking_time": "59"], false, "talked 59s, the rule wants at least 60s"),
            (["tags": "VIP"], false, "no tag of lead"),
            (["tags": ["LEAD"]], true, "rule matched"),
            (["status": nil, "talking_time": nil], false, "status unknown (the rule wants answered)"),
            (["external_number": ""], false, "no external phone number"),
            (["external_number": "12"], false, "no external phone number"),
        ]
        for (n, c) in cases.enumerated() {
            var changes = c.changes
            changes["call_uuid"] = "rule-\(n)"
            #expect(await ct.postCall(try CloudTalkHost.call(changes)).status == 200)
        }
        try await ct.host.runDueJobs()
        // The deliveries are processed in no particular order: match rows to cases by uuid.
        let rows = try await ct.host.query("SELECT should_send, decision, follow_up_status FROM cloudtalk_calls ORDER BY CAST(SUBSTR(call_uuid, 6) AS INTEGER)")
        #expect(rows.count == cases.count)
        for (row, c) in zip(rows, cases) {
            #expect(try row.bool("should_send") == c.send, "\(c.changes)")
            #expect(try row.optionalString("decision") == c.reason, "\(c.changes)")
            #expect(try row.string("follow_up_status") == (c.send ? "scheduled" : "none"), "\(c.changes)")
        }
        #expect(try await ct.host.query("SELECT id FROM switchboard_jobs WHERE name = 'cloudtalk.follow_up'").count == 3)
    }

    /// Malformed placeholders stop the boot naming the key; a field the call lacks fails the
    /// follow-up, and nothing is sent with a placeholder in it.
    @Test(arguments: ["Ciao {agent name}", "Ciao {agent_name", "Ciao agent_name}", "Ciao {Agent}", "   "])
    func aMalformedTemplateIsAConfigError(template: String) async throws {
        await #expect {
            _ = try await CloudTalkHost.start(cloudtalk: #""follow_up": \#(CloudTalkHost.followUp(template: template))"#)
        } throws: { error in
            "\(error)".contains("plugins.cloudtalk.config.follow_up.template")
        }
    }

    @Test(arguments: CloudTalkHost.backends)
    func anUnknownPlaceholderFailsTheFollowUp(backend: String) async throws {
        let template = "Ciao {contact_name}, la tua azienda {contact_company}"
        let ct = try await CloudTalkHost.start(backend: backend, cloudtalk: #""follow_up": \#(CloudTalkHost.followUp(template: template))"#)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        // A workflow that does send the member fills it.
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "with-company", "contact_company": "Acme",
                                                          "external_number": "+212600000009"])).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        #expect(try await ct.column("follow_up_status", orderBy: "call_uuid") == [.text("failed"), .text("sent")])
        #expect(try await ct.column("follow_up_error", orderBy: "call_uuid").first == .text(
            "the template's {contact_company} has no value for this call (a field of neither the webhook nor the CloudTalk API)"))
        #expect(ct.sends.map { $0["text"] as? String } == ["Ciao Yassine, la tua azienda Acme"])
    }

    /// The channel refuses the message: the follow-up is failed, the phone's cooldown freed, and
    /// the operator's retry sends again.
    @Test(arguments: CloudTalkHost.backends)
    func aRefusedSendFailsAndCanBeRetried(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend, sendStatus: 400)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        #expect(ct.sends.count == 1)
        #expect(try await ct.column("follow_up_status") == [.text("failed")])
        #expect(try await ct.column("follow_up_error").first?.description.contains("invalid recipient") == true)
        #expect(try await ct.host.query("SELECT phone FROM cloudtalk_follow_up_cooldowns").isEmpty)
        // The operator retries from the panel's action.
        let admin: HTTPHeaders = ["Authorization": "Bearer \(CloudTalkHost.adminToken)"]
        let path = "/cloudtalk/calls/44fe27cd-5268-4670-993e-01293c9f0001/follow-up"
        #expect(await ct.host.request(.post, path).status == 401)
        #expect(await ct.host.request(.post, "/cloudtalk/calls/nope/follow-up", headers: admin).status == 404)
        let retried = await ct.host.request(.post, path, headers: admin)
        #expect(retried.status == 202)
        #expect(try await ct.column("follow_up_status") == [.text("scheduled")])
        // Scheduled already: nothing to retry.
        #expect(await ct.host.request(.post, "/cloudtalk/calls/1002409191/follow-up", headers: admin).status == 409)
        try await ct.advance(0)
        #expect(ct.sends.count == 2)
        #expect(try await ct.column("follow_up_status") == [.text("failed")])
    }

    /// A follow-up through a channel no enabled plugin registers fails with the reason.
    @Test func anUnregisteredChannelFailsTheFollowUp() async throws {
        let followUp = #"{"channel": "whatsapp_cloud", "delay": "1s", "template": "Ciao"}"#
        let ct = try await CloudTalkHost.start(cloudtalk: #""follow_up": \#(followUp)"#)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.advance(0)
        try await ct.advance(2)
        #expect(try await ct.column("follow_up_status") == [.text("failed")])
        #expect(try await ct.column("follow_up_error").first?.description.contains("whatsapp_cloud") == true)
        #expect(ct.sends.isEmpty)
    }
}
