import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import CloudTalk

/// `GET /cloudtalk/calls`: the admin token, exactly the documented members, filters, pages, and
/// the admin panel over it.
@Suite("cloudtalk calls listing", .serialized)
struct ListingTests {
    @Test(arguments: CloudTalkHost.backends)
    func theListingAnswersTheDocumentedShape(backend: String) async throws {
        let ct = try await CloudTalkHost.start(backend: backend)
        defer { Task { await ct.stop() } }
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.advance(10)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "missed-1", "call_id": "77", "status": "missed", "talking_time": "0",
                                                          "external_number": "+212600000003"])).status == 200)
        try await ct.advance(10)
        #expect(await ct.postCall(try CloudTalkHost.call(["call_uuid": "no-phone", "call_id": "78", "external_number": ""])).status == 200)
        try await ct.advance(31)

        // Without the admin token: 401.
        let anonymous = await ct.host.request(.get, "/cloudtalk/calls")
        #expect(anonymous.status == 401)
        #expect(await ct.host.request(.get, "/cloudtalk/calls", headers: ["Authorization": "Bearer wrong"]).status == 401)

        let (status, body) = try await ct.listing()
        #expect(status == 200)
        #expect(Set(body.keys) == ["calls", "next"])
        #expect(body["next"] == .null)
        let calls = try await ct.calls()
        #expect(calls.map { $0["call_uuid"] } == [.string("no-phone"), .string("missed-1"), .string("44fe27cd-5268-4670-993e-01293c9f0001")])
        let keys: Set<String> = ["call_id", "call_uuid", "direction", "external_number", "status", "should_send", "follow_up_status",
                                 "follow_up_sent_at", "replied_at", "document_received", "created_at"]
        #expect(calls.allSatisfy { Set($0.keys) == keys })
        let first = try #require(calls.last)
        #expect(first["call_id"] == .string("1002409191"))
        #expect(first["direction"] == .string("incoming"))
        #expect(first["external_number"] == .string("+212600000001"))
        #expect(first["status"] == .string("answered"))
        #expect(first["should_send"] == .bool(true))
        #expect(first["follow_up_status"] == .string("sent"))
        #expect(first["replied_at"] == .null)
        #expect(first["document_received"] == .bool(false))
        #expect(first["created_at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(calls.first?["should_send"] == .bool(false))
        #expect(calls.first?["external_number"] == .null)

        // Filters.
        func uuids(_ query: String) async throws -> [JSONDocument?] {
            let (status, body) = try await ct.listing(query)
            #expect(status == 200, "\(query)")
            guard case .array(let items)? = body["calls"] else { return [] }
            return items.map { $0.objectValue?["call_uuid"] }
        }
        #expect(try await uuids("status=missed") == [.string("missed-1")])
        #expect(try await uuids("follow_up_status=none") == [.string("no-phone")])
        #expect(try await uuids("phone=%2B212%20600%2000%2000%2003") == [.string("missed-1")])
        #expect(try await uuids("phone=0600000003") == [.string("missed-1")])
        #expect(try await uuids("since=45s").count == 2)
        #expect(try await uuids("since=2020-01-01T00:00:00Z").count == 3)
        // Pages of one, newest first, following `next`.
        var seen: [JSONDocument?] = []
        var query = "limit=1"
        while true {
            let (_, page) = try await ct.listing(query)
            guard case .array(let items)? = page["calls"] else { break }
            seen += items.map { $0.objectValue?["call_uuid"] }
            guard case .string(let next)? = page["next"] else { break }
            query = "limit=1&after=\(next)"
        }
        #expect(seen == calls.map { $0["call_uuid"] })
        // Bad parameters are named.
        for bad in ["statuz=missed", "status=busy", "follow_up_status=done", "phone=abc", "limit=0", "after=x", "since=yesterday"] {
            let (status, body) = try await ct.listing(bad)
            #expect(status == 400, "\(bad)")
            #expect(body["error"]?.objectValue?["code"] == .string("bad_request"), "\(bad)")
        }
    }

    @Test func thePanelIsListed() async throws {
        let ct = try await CloudTalkHost.start()
        defer { Task { await ct.stop() } }
        let response = await ct.host.request(.get, "/api/admin/panels", headers: ["Authorization": "Bearer \(CloudTalkHost.adminToken)"])
        #expect(response.status == 200)
        let text = response.bodyText
        #expect(text.contains("\"cloudtalk\"") && text.contains("/calls") && text.contains("follow_up_status"))
        #expect(text.contains("/calls/:call_uuid/follow-up"))
    }

    /// `{}` is valid: no webhook, no follow-ups, the listing and the table still there.
    @Test func anEmptyConfigRegistersTheListingOnly() async throws {
        let ct = try await CloudTalkHost.start(cloudtalk: "")
        defer { Task { await ct.stop() } }
        #expect(try await ct.listing().status == 200)
        #expect(await ct.postCall(try Fixture.bytes("cloudtalk_call_ended.json")).status == 200)
        try await ct.host.runDueJobs()
        // The webhook is there (the token is configured by the host) but follow-ups are not.
        #expect(try await ct.column("follow_up_status") == [.text("none")])
        #expect(try await ct.column("decision") == [.text("follow_up is not configured")])
    }

    @Test(arguments: [
        (#""base_url": "ftp://x""#, "plugins.cloudtalk.config.base_url"),
        (#""api_key_id": "k""#, "plugins.cloudtalk.config.api_key_secret"),
        (#""follow_up": {"channel": "wasender", "template": "x", "delay": "soon"}"#, "plugins.cloudtalk.config.follow_up.delay"),
        (#""follow_up": {"channel": "Wa Sender", "template": "x"}"#, "plugins.cloudtalk.config.follow_up.channel"),
        (#""follow_up": {"channel": "wasender", "template": "x", "rule": {"status": "maybe"}}"#, "plugins.cloudtalk.config.follow_up.rule.status"),
        (#""follow_up": {"channel": "wasender", "template": "x", "rule": {"tags": []}}"#, "plugins.cloudtalk.config.follow_up.rule.tags"),
        (#""follow_up": {"channel": "wasender", "template": "x", "rule": {"min_talk": "1s"}}"#, "plugins.cloudtalk.config.follow_up.rule.min_talk"),
        (#""follow_up": {"channel": "wasender"}"#, "plugins.cloudtalk.config.follow_up.template"),
    ])
    func badConfigNamesItsKey(members: String, path: String) async throws {
        await #expect {
            _ = try await CloudTalkHost.start(cloudtalk: members)
        } throws: { error in
            "\(error)".contains(path)
        }
    }
}
