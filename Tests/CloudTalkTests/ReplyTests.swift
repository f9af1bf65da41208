import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import CloudTalk

/// Reply tracking on `message.received`: the latest call followed up to the same phone within
/// `reply_window` gets `replied_at`, and `document_received` for a document or an image.
@Suite("cloudtalk replies", .serialized)
struct ReplyTests {
    /// A call followed up (sent) at the clock's time + 31 s.
    static func followedUp(_ ct: CloudTalkHost, uuid: String = "44fe27cd-5268-4670-993e-01293c9f0001") async throws {
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": uuid])).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
    }

    @Test(arguments: CloudTalkHost.backends)
    func aTextReplyMarksTheCallAndALaterDocumentSetsTheFlag(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        try await Self.followedUp(ct)
        try await ct.advance(600)
        let repliedAt = ct.clock.nowMillis / 1000 * 1000
        #expect(try await ct.reply(id: "R1") == 200)
        try await ct.host.runDueJobs()
        var call = try #require(try await ct.calls().first)
        #expect(call["replied_at"] == CallListing.timestamp(repliedAt))
        #expect(call["document_received"] == .bool(false))
        // The bill arrives an hour later: the flag is set, the first reply's time stays.
        try await ct.advance(3600)
        #expect(try await ct.reply(id: "R2", document: true) == 200)
        try await ct.host.runDueJobs()
        call = try #require(try await ct.calls().first)
        #expect(call["replied_at"] == CallListing.timestamp(repliedAt))
        #expect(call["document_received"] == .bool(true))
        // The kernel published the media type with the message.
        let payloads = try await ct.host.query("SELECT payload FROM switchboard_events WHERE name = 'message.received' ORDER BY id")
            .map { try $0.string("payload") }
        #expect(payloads.count == 2)
        #expect(!payloads[0].contains("media_type") && payloads[1].contains("\"media_type\":\"document\""))
    }

    @Test(arguments: CloudTalkHost.backends)
    func aDocumentFirstSetsBoth(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        try await Self.followedUp(ct)
        try await ct.advance(60)
        #expect(try await ct.reply(id: "D1", document: true) == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("document_received") == [.integer(1)])
        #expect(try await ct.column("replied_at") == [.integer(ct.clock.nowMillis / 1000 * 1000)])
    }

    /// Eight days later is outside the 7-day window; another phone, or a call not followed up, is no reply.
    @Test(arguments: CloudTalkHost.backends)
    func repliesOutsideTheWindowOrFromOthersAreIgnored(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        try await Self.followedUp(ct)
        #expect(try await ct.reply(from: "212600000002", id: "OTHER") == 200)
        try await ct.advance(8 * 24 * 3600)
        #expect(try await ct.reply(id: "LATE", document: true) == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("replied_at") == [.null])
        #expect(try await ct.column("document_received") == [.integer(0)])
        // A call still waiting for its delay is not answered by a message either.
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "waiting"])).status == 200)
        try await ct.advance(0)
        #expect(try await ct.reply(id: "EARLY") == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("replied_at") == [.null, .null])
    }

    /// A reply that arrives while the follow-up waits in Wasender's rate limit is not lost: it
    /// waits for the send, then marks the call.
    @Test(arguments: CloudTalkHost.backends)
    func aReplyWhileTheFollowUpIsQueuedWaitsForIt(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend, sendStatus: 429)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.advance(0)
        try await ct.advance(31)
        #expect(try await ct.column("follow_up_status") == [.text("scheduled")])
        #expect(try await ct.column("follow_up_message_id").first != .null)
        // 40 s later (the send retries at +60 s) the customer's document arrives: it waits.
        ct.clock.advance(by: 40)
        let repliedAt = ct.clock.nowMillis / 1000 * 1000
        #expect(try await ct.reply(id: "Q1", document: true) == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("replied_at") == [.null])
        // The send goes out; then the waiting reply is matched.
        try await ct.advance(25)
        #expect(ct.sends.count == 2)
        #expect(try await ct.column("follow_up_status") == [.text("sent")])
        #expect(try await ct.column("replied_at") == [.null])
        try await ct.advance(10)
        #expect(try await ct.column("replied_at") == [.integer(repliedAt)])
        #expect(try await ct.column("document_received") == [.integer(1)])
    }

    /// Two calls followed up a day apart: the reply belongs to the latest.
    @Test func theLatestFollowUpGetsTheReply() async throws {
        let ct = try await CloudTalkHost.start(cloudtalk: #""follow_up": \#(CloudTalkHost.followUp(cooldown: "1h"))"#)
        defer { Task { await ct.stop() } }
        try await Self.followedUp(ct, uuid: "first")
        try await ct.advance(24 * 3600)
        try await Self.followedUp(ct, uuid: "second")
        try await ct.advance(60)
        #expect(try await ct.reply(id: "R") == 200)
        try await ct.host.runDueJobs()
        #expect(try await ct.column("follow_up_status") == [.text("sent"), .text("sent")])
        #expect(try await ct.column("replied_at").map { $0 == .null } == [true, false])
    }
}
