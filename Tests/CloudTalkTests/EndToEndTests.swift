import Chatwoot
@testable import CloudTalk
import Foundation
import Integrity
@testable import Kernel
import MetaFlow
import PluginAPI
import PluginTesting
import TestHTTPServer
import Testing
import Wasender

/// The whole path on a real server bound to loopback, with every built-in plugin compiled in and
/// only CloudTalk and Wasender enabled (MetaFlow and Chatwoot off): CloudTalk's webhook → after
/// the delay exactly one WhatsApp message leaves through Wasender's rate limit (to a fake
/// Wasender on loopback) → the customer's document comes back through Wasender's webhook → the
/// call shows `replied_at` and `document_received` in `GET /cloudtalk/calls`. The clock is manual
/// (the job engine's own loop runs; only time is ours), every request a real socket.
@Suite("cloudtalk end to end", .serialized)
struct EndToEndTests {
    /// The fake Wasender: records `send-message` bodies, answers success with msgId 7000 + n.
    final class FakeWasender: @unchecked Sendable {
        private let lock = NSLock()
        private var bodies: [[String: Any]] = []
        private var server: FakeHTTPServer?
        var baseURL: String { "http://127.0.0.1:\(server?.port ?? 0)/api" }

        init() throws {
            server = try FakeHTTPServer { [unowned self] request in
                let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
                let n = self.lock.withLock {
                    self.bodies.append(body)
                    return self.bodies.count
                }
                return FakeReply(status: 200, headers: [("Content-Type", "application/json")],
                                 body: Array(#"{"success":true,"data":{"msgId":\#(7000 + n),"jid":"+212600000001","status":"in_progress"}}"#.utf8))
            }
        }

        var sent: [[String: Any]] { lock.withLock { bodies } }
        func stop() { server?.stop() }
    }

    static let template = "Buongiorno {contact_name}, grazie per la chiamata! Ci invii qui una foto della sua ultima bolletta della luce."

    static func config(wasender: String) -> String {
        """
        {"admin": {"token": "\(CloudTalkHost.adminToken)"}, "jobs": {"poll_interval": "50ms"},
         "plugins": {
           "metaflow": {"enabled": false, "config": {}},
           "chatwoot": {"enabled": false, "config": {}},
           "cloudtalk": {"enabled": true, "config": {"webhook_token": "\(CloudTalkHost.token)",
             "follow_up": {"channel": "wasender", "delay": "30s", "template": "\(template)", "cooldown": "24h", "reply_window": "7d"}}},
           "wasender": {"enabled": true, "config": {"base_url": "\(wasender)", "api_key": "wasender-api-key-0123456789",
             "webhook_secret": "\(CloudTalkHost.wasenderSecret)", "rate_limit": "1/60s"}}}}
        """
    }

    /// Polls `condition` every 50 ms for up to 10 s.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test(arguments: CloudTalkHost.backends)
    func aCallIsFollowedUpAndAnswered(backend: String) async throws {
        let wasender = try FakeWasender()
        defer { wasender.stop() }
        var parsed = try ConfigLoader.parse(Array(Self.config(wasender: wasender.baseURL).utf8), environment: [:],
                                            knownPlugins: ["metaflow", "chatwoot", "wasender", "cloudtalk", "integrity"])
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        parsed.server.port = 0
        parsed.server.eventLoops = 2
        parsed.storage.url = url
        parsed.log.level = .error
        let clock = ManualClock()
        let kernel = try KernelServer(config: parsed, plugins: [MetaFlowPlugin.self, ChatwootPlugin.self, WasenderPlugin.self,
                                                                 CloudTalkPlugin.self, IntegrityPlugin.self], clock: clock)
        try await kernel.start()
        let client = CurlHTTPClient()
        defer {
            client.close()
            Task {
                await kernel.stop()
                TestDatabase.remove(url)
            }
        }
        #expect(kernel.pluginIDs == ["wasender", "cloudtalk"])
        let base = "http://127.0.0.1:\(kernel.port)"
        let admin: HTTPHeaders = ["Authorization": "Bearer \(CloudTalkHost.adminToken)"]
        func calls() async throws -> [[String: JSONDocument]] {
            let response = try await client.send(.get("\(base)/cloudtalk/calls", headers: admin))
            guard response.status == 200, case .array(let items)? = try JSONText.decode(JSONDocument.self, from: response.body).objectValue?["calls"]
            else { return [] }
            return items.compactMap(\.objectValue)
        }

        // 0. The server is up; the disabled plugins' routes do not exist.
        #expect(try await client.send(.get("\(base)/readyz")).status == 200)
        #expect(try await client.send(.post("\(base)/metaflow/send", json: Array("{}".utf8), headers: admin)).status == 404)
        #expect(try await client.send(.post("\(base)/chatwoot/webhook", json: Array("{}".utf8))).status == 404)

        // 1. CloudTalk's workflow delivers the ended call (twice: a redelivery).
        let call = try Fixture.bytes("cloudtalk_call_ended.json")
        let token: HTTPHeaders = ["X-Switchboard-Token": CloudTalkHost.token]
        #expect(try await client.send(.post("\(base)/cloudtalk/webhook", json: call, headers: token)).status == 200)
        let again = try await client.send(.post("\(base)/cloudtalk/webhook?token=\(CloudTalkHost.token)", json: call))
        #expect(again.status == 200 && again.text.contains("duplicate"))
        #expect(try await client.send(.post("\(base)/cloudtalk/webhook", json: call)).status == 401)
        try await Self.eventually("the call to be scheduled") { try await calls().first?["follow_up_status"] == .string("scheduled") }

        // 2. Nothing leaves before the delay.
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(wasender.sent.isEmpty)

        // 3. After the delay, exactly one message, through Wasender.
        clock.advance(by: 31)
        try await Self.eventually("the follow-up to be sent") { try await calls().first?["follow_up_status"] == .string("sent") }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(wasender.sent.count == 1)
        #expect(wasender.sent.first?["to"] as? String == CloudTalkHost.phone)
        #expect(wasender.sent.first?["text"] as? String == Self.template.replacingOccurrences(of: "{contact_name}", with: "Yassine"))

        // 4. The customer sends the bill as a document; Wasender delivers it to its webhook.
        clock.advance(by: 600)
        let seconds = Int64(clock.now.timeIntervalSince1970)
        let reply = #"{"event":"messages.received","timestamp":\#(seconds),"data":{"messages":{"key":{"id":"3EB0E2E0000000000001","fromMe":false,"remoteJid":"212600000001@s.whatsapp.net","cleanedSenderPn":"212600000001"},"messageTimestamp":\#(seconds),"message":{"documentMessage":{"url":"https://mmg.whatsapp.net/d.enc","mimetype":"application/pdf","fileName":"bolletta.pdf"}}}}}"#
        let delivered = try await client.send(.post("\(base)/wasender/webhook", json: Array(reply.utf8),
                                                    headers: ["X-Webhook-Signature": CloudTalkHost.wasenderSecret]))
        #expect(delivered.status == 200)

        // 5. The call shows the reply and the document.
        try await Self.eventually("the reply to be tracked") { try await calls().first?["document_received"] == .bool(true) }
        let shown = try #require(try await calls().first)
        #expect(shown["replied_at"] == CallListing.timestamp(seconds * 1000))
        #expect(shown["call_uuid"] == .string("44fe27cd-5268-4670-993e-01293c9f0001"))
        #expect(wasender.sent.count == 1)
    }
}
