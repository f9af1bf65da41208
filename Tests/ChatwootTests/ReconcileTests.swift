import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import Chatwoot

/// The `chatwoot.reconcile` job inside a real kernel (run by the job engine's periodic slot),
/// against the fake Chatwoot's modelled conversations and messages.
@Suite("chatwoot reconciliation", .serialized)
struct ReconcileTests {
    static func state(_ host: ChatwootHost, _ name: String) async throws -> Int64? {
        try await host.kernel.store.query("SELECT value FROM chatwoot_reconcile_state WHERE name = $1", [.text(name)]).first?.int("value")
    }

    /// The fake's requests other than the strategy's (a pending subject's retries may search too).
    static func reconcileCalls(_ host: ChatwootHost) -> [String] {
        host.fake.requests.filter { $0.route != "GET /conversations/search" }.map { $0.route.hasSuffix("/messages") && !$0.query.isEmpty ? $0.route + "?" + $0.query : $0.route }
    }

    static func webhook(_ host: ChatwootHost, _ body: [UInt8]) async -> Int {
        await host.kernel.respond(to: Request(method: .post, path: "/chatwoot/webhook", headers: ["Content-Type": "application/json"], body: body,
                                              remoteAddress: "127.0.0.1")).status
    }

    @Test(arguments: ChatwootHost.backends)
    func aMessageWhoseWebhookWasLostIsPickedUpAndASeenOneIsNotReprocessed(backend: String) async throws {
        let host = try await ChatwootHost.start(backend: backend)
        defer { Task { await host.stop() } }
        let now = Int(host.clock.nowMillis / 1000)

        // A Flow answer waits for its phone: only Chatwoot will know it.
        #expect(try await host.kernel.phones.resolve(key: .flowToken("cw-flow-57-4529"), subject: "metaflow/response/7").status == .pending)
        // The first run finds nothing and sets the watermark.
        _ = try await host.kernel.runDueJobs()
        #expect(try await Self.state(host, "last_run_processed") == 0)

        // Conversation 57: a text the webhook delivered, our Flow message, then the Flow reply whose webhook was lost.
        host.fake.withWorld { world in
            _ = world.addContact(id: 301, name: "Yassine", phone: "+212600000001")
            _ = world.addConversation(id: 57, inbox: 3, contact: 301, lastActivity: now - 60)
            world.addMessage(conversation: 57, id: 4521, content: "Bonjour, je voudrais un rendez-vous demain", createdAt: now - 60)
            world.addMessage(conversation: 57, id: 4525, content: "Votre avis compte", incoming: false, createdAt: now - 40)
            world.addMessage(conversation: 57, id: 4529, content: nil, createdAt: now - 20,
                             contentAttributes: ["whatsapp_flow_response": ["name": "flow", "flow_token": "cw-flow-57-4529", "response": ["q1": "5"]]])
        }
        #expect(await Self.webhook(host, try Fixtures.bytes("chatwoot_message_created.json")) == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(try await host.kernel.store.query("SELECT id FROM switchboard_messages").count == 1)

        // The next slot: reconciliation reads conversation 57's messages and processes only what the webhook missed.
        host.clock.advance(by: 120)
        host.fake.clearRequests()
        _ = try await host.kernel.runDueJobs()
        #expect(try await Self.state(host, "last_run_conversations") == 1)
        #expect(try await Self.state(host, "last_run_already_seen") == 1)       // 4521, seen by the webhook
        #expect(try await Self.state(host, "last_run_processed") == 2)          // the outgoing 4525 (ignored) and the lost 4529
        #expect(Self.reconcileCalls(host) == ["GET /conversations", "GET /conversations/57/messages"])
        let logged = try await host.kernel.store.query("SELECT provider_id FROM switchboard_messages WHERE channel = 'chatwoot' ORDER BY id")
        #expect(try logged.map { try $0.string("provider_id") } == ["message:4521", "message:4529"])
        // The lost Flow reply taught the token's phone: the waiting answer is back-filled.
        let resolution = try await host.kernel.phones.resolution(subject: "metaflow/response/7")
        #expect(resolution?.status == .resolved)
        #expect(resolution?.phone?.e164 == "+212600000001")
        #expect(resolution?.source == "chatwoot.webhook")

        // A later message: the conversation's cursor asks only for what came after 4529.
        host.fake.withWorld { world in world.addMessage(conversation: 57, id: 4533, content: "Merci", createdAt: now + 100) }
        host.clock.advance(by: 120)
        host.fake.clearRequests()
        _ = try await host.kernel.runDueJobs()
        #expect(try await Self.state(host, "last_run_processed") == 1)
        #expect(try await Self.state(host, "last_run_already_seen") == 0)
        #expect(Self.reconcileCalls(host).last == "GET /conversations/57/messages?after=4529")
        #expect(try await host.kernel.store.query("SELECT id FROM switchboard_messages WHERE channel = 'chatwoot'").count == 3)
    }

    @Test func pagesThroughConversationsAndMessagesWithChatwootsCursors() async throws {
        let host = try await ChatwootHost.start(backend: "sqlite")
        defer { Task { await host.stop() } }
        let now = Int(host.clock.nowMillis / 1000)
        _ = try await host.kernel.runDueJobs()      // the first run: nothing yet, sets the watermark
        // 30 active conversations (two pages of 25); the newest has 45 messages (three pages of 20, back in time).
        host.fake.withWorld { world in
            for n in 0..<30 {
                let contact = world.addContact(name: "C\(n)", phone: "+2126000001\(String(format: "%02d", n))")
                let conversation = world.addConversation(id: 1000 + n, inbox: 3, contact: contact, lastActivity: now - 600 + n)
                world.addMessage(conversation: conversation, id: 10_000 + n, content: "hello \(n)", createdAt: now - 600 + n)
            }
            for m in 1...45 { world.addMessage(conversation: 1029, id: 20_000 + m, content: "m\(m)", createdAt: now - 300 + m) }
        }
        host.clock.advance(by: 120)
        host.fake.clearRequests()
        _ = try await host.kernel.runDueJobs()
        #expect(try await Self.state(host, "last_run_conversations") == 30)
        #expect(try await Self.state(host, "last_run_processed") == 29 + 46)
        let calls = Self.reconcileCalls(host)
        #expect(calls.filter { $0 == "GET /conversations" }.count == 2)
        #expect(calls.filter { $0.hasPrefix("GET /conversations/1029/messages") } ==
                ["GET /conversations/1029/messages", "GET /conversations/1029/messages?before=20026", "GET /conversations/1029/messages?before=20006"])
        #expect(try await host.kernel.store.query("SELECT id FROM switchboard_messages").count == 75)

        // 130 more in the newest conversation: two pages after its cursor (100, then 30).
        host.fake.withWorld { world in
            for m in 46...175 { world.addMessage(conversation: 1029, id: 20_000 + m, content: "m\(m)", createdAt: now + m) }
        }
        host.clock.advance(by: 120)
        host.fake.clearRequests()
        _ = try await host.kernel.runDueJobs()
        #expect(try await Self.state(host, "last_run_processed") == 130)
        #expect(Self.reconcileCalls(host) == ["GET /conversations", "GET /conversations/1029/messages?after=20045",
                                              "GET /conversations/1029/messages?after=20145"])
    }

    @Test func webhookBodiesRebuiltFromTheAPIReadLikeDeliveries() throws {
        let message: [String: JSONDocument] = ["id": .integer(9), "message_type": .integer(0), "content": .string("hi"), "created_at": .integer(1_790_000_000),
                                            "sender": .object(["id": .integer(301), "phone_number": .string("+212600000001")])]
        let conversation: [String: JSONDocument] = ["id": .integer(57), "inbox_id": .integer(3),
                                                 "meta": .object(["sender": .object(["id": .integer(301), "phone_number": .string("+212600000001")]),
                                                                  "channel": .string("Channel::Whatsapp")])]
        let event = try ChatwootEvent(body: try JSONText.bytes(Reconciler.webhookBody(message: message, conversation: conversation)))
        #expect(event.name == "message_created")
        #expect(event.isIncoming)
        #expect(event.phoneText == "+212600000001")
        #expect(event.conversationID == "57")
        #expect(event.contactID == "301")
        #expect(event.createdAtMillis == 1_790_000_000_000)
    }
}
