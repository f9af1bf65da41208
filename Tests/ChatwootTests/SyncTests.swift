import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import Chatwoot

/// CRM sync on `message.received` (recorded by the test channel `loopback`) inside a real
/// kernel, against the fake Chatwoot's modelled contacts (a phone is unique: a duplicate is the
/// 422 "already taken"), conversations and labels. Call counts come from the fake's request log.
@Suite("chatwoot CRM sync", .serialized)
struct SyncTests {
    static let sync = #", "reconcile_every": "0s", "sync": {"inbox_id": 3, "labels": {"*": ["whatsapp"], "loopback": ["loopback-in"]}, "attributes": {"channel": "last_channel", "text": "last_message", "payload.pushName": "whatsapp_name"}}"#
    static let pushName = #"{"key":{"id":"ABC"},"pushName":"Yassine","message":{"conversation":"hi"}}"#

    static func contacts(_ host: ChatwootHost, phone: String) -> [FakeWorld.Contact] {
        host.fake.withWorld { world in world.contacts.values.filter { $0.phone == phone } }
    }

    static func conversations(_ host: ChatwootHost, contact: Int) -> [FakeWorld.Conversation] {
        host.fake.withWorld { world in world.conversations.values.filter { $0.contactID == contact } }
    }

    @Test(arguments: ChatwootHost.backends)
    func concurrentDuplicateEventsCreateOneContactAndOneConversation(backend: String) async throws {
        let host = try await ChatwootHost.start(extra: Self.sync, backend: backend)
        defer { Task { await host.stop() } }
        // Three messages from one phone (two spellings of it), their deliveries run concurrently by the job workers.
        #expect(await host.receive(from: "+212600000009", text: "bonjour", id: "m1", payload: Self.pushName) == 200)
        #expect(await host.receive(from: "+212600000009", text: "bonjour", id: "m2", payload: Self.pushName) == 200)
        #expect(await host.receive(from: "+212 600-000009", text: "bonjour", id: "m3", payload: Self.pushName) == 200)
        _ = try await host.kernel.runDueJobs()

        let contacts = Self.contacts(host, phone: "+212600000009")
        #expect(contacts.count == 1)
        let contact = try #require(contacts.first)
        #expect(contact.name == "Yassine")                             // the WhatsApp profile name
        #expect(contact.custom["last_channel"] as? String == "loopback")
        #expect(contact.custom["whatsapp_name"] as? String == "Yassine")
        let conversations = Self.conversations(host, contact: contact.id)
        #expect(conversations.count == 1)
        #expect(conversations.first?.inboxID == 3)
        #expect(conversations.first?.labels == ["whatsapp", "loopback-in"])
        #expect(host.fake.withWorld { $0.contacts[contact.id]?.sources[3] } == "212600000009")   // source_id: digits without +
        // The first sync on a cold cache: search, create contact (with its attributes), create conversation, write labels.
        let routes = host.fake.requests.map(\.route)
        #expect(Array(routes.prefix(4)) == ["GET /contacts/search", "POST /contacts", "POST /conversations", "POST /conversations/901/labels"])
        // The two others hit the warm cache and change nothing: no call.
        #expect(routes.count == 4, "\(routes)")
        #expect(routes.filter { $0 == "POST /contacts" }.count == 1 && routes.filter { $0 == "POST /conversations" }.count == 1)
    }

    @Test func theAlreadyTakenRaceSearchesAgainAndExistingLabelsAreKept() async throws {
        let host = try await ChatwootHost.start(extra: Self.sync)
        defer { Task { await host.stop() } }
        // Another writer created the contact between our search and our create.
        let existing = host.fake.withWorld { world in world.addContact(name: "Samira", phone: "+212600000010") }
        host.fake.scriptOnce("GET /contacts/search", FakeChatwoot.json(#"{"meta":{"count":0,"current_page":"1","has_more":false},"payload":[]}"#))
        #expect(await host.receive(from: "+212600000010", text: "salut", id: "r1") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(Self.contacts(host, phone: "+212600000010").map(\.id) == [existing])
        #expect(Self.contacts(host, phone: "+212600000010").first?.name == "Samira")   // an existing contact keeps its name
        // Samira has no contact_inbox in the inbox, so no conversation there to list.
        #expect(host.fake.requests.map(\.route) == ["GET /contacts/search", "POST /contacts", "GET /contacts/search",
                                                    "POST /conversations", "POST /conversations/901/labels", "PUT /contacts/\(existing)"])
        #expect(Self.conversations(host, contact: existing).count == 1)

        // A contact with an open conversation in the inbox that already has a label: labels are merged, not replaced.
        let (contact, conversation) = host.fake.withWorld { world in
            let contact = world.addContact(name: "Karim", phone: "+212600000011")
            let conversation = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000)
            world.conversations[conversation]?.labels = ["vip"]
            return (contact, conversation)
        }
        host.fake.clearRequests()
        #expect(await host.receive(from: "+212600000011", text: "rdv", id: "r2") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(host.fake.withWorld { $0.conversations[conversation]?.labels } == ["vip", "whatsapp", "loopback-in"])
        #expect(Self.conversations(host, contact: contact).count == 1)
        let coldExisting = host.fake.requests.map(\.route)
        #expect(coldExisting == ["GET /contacts/search", "GET /contacts/\(contact)/conversations", "POST /conversations/\(conversation)/labels",
                                 "PUT /contacts/\(contact)"])
        // Warm cache: the same message again costs nothing, a new text one call.
        host.fake.clearRequests()
        #expect(await host.receive(from: "+212600000011", text: "rdv", id: "r3") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(host.fake.requests.isEmpty)
        #expect(await host.receive(from: "+212600000011", text: "demain?", id: "r4") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(host.fake.requests.map(\.route) == ["PUT /contacts/\(contact)"])
        // A phone-less contact another WhatsApp integration keyed by the wa_id (identifier): reused and given the phone.
        let keyed = host.fake.withWorld { world in
            let id = world.addContact(name: "Imported", phone: nil)
            world.contacts[id]?.identifier = "212600000013"
            return id
        }
        host.fake.clearRequests()
        #expect(await host.receive(from: "+212600000013", text: "hello", id: "r6") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(Self.contacts(host, phone: "+212600000013").map(\.id) == [keyed])
        #expect(!host.fake.requests.map(\.route).contains("POST /contacts"))
        // No profile name: the contact is named after the phone.
        #expect(await host.receive(from: "+212600000012", text: "x", id: "r5") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(Self.contacts(host, phone: "+212600000012").first?.name == "WhatsApp +212600000012")
    }

    /// The calls a first sync makes for each kind of contact Chatwoot may already have (the
    /// figures of the note): what the search returns (custom attributes, contact_inboxes) spares
    /// the attribute write and the conversation listing where it can.
    @Test func coldCacheCallCountsPerKindOfContact() async throws {
        let host = try await ChatwootHost.start(extra: Self.sync)
        defer { Task { await host.stop() } }
        let same: [String: Any] = ["last_channel": "loopback", "last_message": "hi", "whatsapp_name": "Yassine"]
        func routes(from phone: String, id: String) async throws -> [String] {
            host.fake.clearRequests()
            #expect(await host.receive(from: phone, text: "hi", id: id, payload: Self.pushName) == 200)
            _ = try await host.kernel.runDueJobs()
            return host.fake.requests.map(\.route)
        }
        // Never seen: search, create with the attributes, create the conversation, write the labels.
        #expect(try await routes(from: "+212600000020", id: "c1").count == 4)
        // Known, never in the inbox (no contact_inbox there), attributes differ: no listing.
        let outside = host.fake.withWorld { $0.addContact(name: "Omar", phone: "+212600000021", sources: [7: "212600000021"]) }
        #expect(try await routes(from: "+212600000021", id: "c2")
                == ["GET /contacts/search", "POST /conversations", "POST /conversations/\(host.fake.withWorld { $0.nextConversation })/labels",
                    "PUT /contacts/\(outside)"])
        // Known with an open, labelled conversation and the same attribute values: the search alone.
        let settled = host.fake.withWorld { world in
            let contact = world.addContact(name: "Hind", phone: "+212600000022")
            world.contacts[contact]?.custom = same
            let conversation = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000)
            world.conversations[conversation]?.labels = ["whatsapp", "loopback-in"]
            return contact
        }
        #expect(try await routes(from: "+212600000022", id: "c3") == ["GET /contacts/search", "GET /contacts/\(settled)/conversations"])
        // Known with an open conversation, a label missing, attributes differ: 4.
        let open = host.fake.withWorld { world in
            let contact = world.addContact(name: "Rachid", phone: "+212600000023")
            _ = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000)
            return contact
        }
        let openRoutes = try await routes(from: "+212600000023", id: "c4")
        #expect(openRoutes.count == 4 && openRoutes.last == "PUT /contacts/\(open)", "\(openRoutes)")
        // The one 5-call case: its conversations in the inbox are all resolved and its attributes differ.
        let resolved = host.fake.withWorld { world in
            let contact = world.addContact(name: "Salma", phone: "+212600000024")
            _ = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000, status: "resolved")
            return contact
        }
        #expect(try await routes(from: "+212600000024", id: "c5")
                == ["GET /contacts/search", "GET /contacts/\(resolved)/conversations", "POST /conversations",
                    "POST /conversations/\(host.fake.withWorld { $0.nextConversation })/labels", "PUT /contacts/\(resolved)"])
        // The same contact with equal attributes: 4.
        let resolvedSame = host.fake.withWorld { world in
            let contact = world.addContact(name: "Aya", phone: "+212600000025")
            world.contacts[contact]?.custom = same
            _ = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000, status: "resolved")
            return contact
        }
        #expect(try await routes(from: "+212600000025", id: "c6").count == 4)
        #expect(Self.conversations(host, contact: resolvedSame).count == 2)
        // A search answer without contact_inboxes says nothing about conversations: the listing is made.
        let bare = host.fake.withWorld { $0.addContact(name: "Ali", phone: "+212600000026") }
        host.fake.scriptOnce("GET /contacts/search", FakeChatwoot.json(
            #"{"meta":{"count":1,"current_page":"1","has_more":false},"payload":[{"id":\#(bare),"name":"Ali","phone_number":"+212600000026"}]}"#))
        #expect(try await routes(from: "+212600000026", id: "c7").contains("GET /contacts/\(bare)/conversations"))
    }

    /// Labels per source channel, with the cached label list stale (an agent edited it): the
    /// missing label is added through a bulk action (one call), which keeps the agent's label;
    /// where Chatwoot has no bulk actions (404), it is merged into the list read afresh.
    @Test func labelsPerChannelMergeIntoAFreshRead() async throws {
        let host = try await ChatwootHost.start(extra: #", "reconcile_every": "0s""#)
        defer { Task { await host.stop() } }
        let settings = SyncSettings(enabled: true, inboxID: 3, labels: ["*": ["whatsapp"], "wasender": ["wasender"], "metaflow": ["flow-reply"], "cloudtalk": ["cloudtalk"]],
                                    attributes: [])
        let sync = Self.instance(host, settings: settings, holder: "a")
        let (contact, conversation) = host.fake.withWorld { world in
            let contact = world.addContact(name: "Nadia", phone: "+212600000014")
            let conversation = world.addConversation(inbox: 3, contact: contact, lastActivity: 1_790_000_000)
            world.conversations[conversation]?.labels = ["vip"]
            return (contact, conversation)
        }
        _ = try await sync.handle(ReceivedMessage(json: #"{"channel":"wasender","phone":"+212600000014","text":"a"}"#))
        #expect(host.fake.withWorld { $0.conversations[conversation]?.labels } == ["vip", "whatsapp", "wasender"])
        #expect(host.fake.requests.map(\.route) == ["GET /contacts/search", "GET /contacts/\(contact)/conversations",
                                                    "POST /conversations/\(conversation)/labels"])
        host.fake.withWorld { $0.conversations[conversation]?.labels = ["vip", "whatsapp", "wasender", "urgent"] }
        host.fake.clearRequests()
        _ = try await sync.handle(ReceivedMessage(json: #"{"channel":"metaflow","phone":"+212600000014","text":"b"}"#))
        #expect(host.fake.withWorld { $0.conversations[conversation]?.labels } == ["vip", "whatsapp", "wasender", "urgent", "flow-reply"])
        #expect(host.fake.requests.map(\.route) == ["POST /bulk_actions"])
        let bulk = try JSONSerialization.jsonObject(with: Data(try #require(host.fake.requests.last).body)) as? [String: Any]
        #expect(bulk?["type"] as? String == "Conversation" && bulk?["ids"] as? [Int] == [conversation])
        #expect((bulk?["labels"] as? [String: Any])?["add"] as? [String] == ["flow-reply"])
        // An older Chatwoot without bulk actions: read, merge, write.
        host.fake.scriptOnce("POST /bulk_actions", FakeChatwoot.json(#"{"error":"Resource could not be found"}"#, status: 404))
        host.fake.withWorld { $0.conversations[conversation]?.labels = ["vip", "whatsapp", "wasender", "urgent", "flow-reply", "callback"] }
        host.fake.clearRequests()
        _ = try await sync.handle(ReceivedMessage(json: #"{"channel":"cloudtalk","phone":"+212600000014","text":"d"}"#))
        #expect(host.fake.withWorld { $0.conversations[conversation]?.labels }
                == ["vip", "whatsapp", "wasender", "urgent", "flow-reply", "callback", "cloudtalk"])
        #expect(host.fake.requests.map(\.route) == ["POST /bulk_actions", "GET /conversations/\(conversation)/labels",
                                                    "POST /conversations/\(conversation)/labels"])
        // Again from wasender: every label known to be there, nothing to call.
        host.fake.clearRequests()
        _ = try await sync.handle(ReceivedMessage(json: #"{"channel":"wasender","phone":"+212600000014","text":"c"}"#))
        #expect(host.fake.requests.isEmpty)
    }

    /// The calls of syncs on a warm cache (the figures of the note): nothing new costs none, a
    /// changed attribute one write, a label not yet on the conversation one bulk action, both two.
    @Test func warmCacheCallCounts() async throws {
        let host = try await ChatwootHost.start(extra: #", "reconcile_every": "0s""#)
        defer { Task { await host.stop() } }
        let settings = SyncSettings(enabled: true, inboxID: 3, labels: ["*": ["whatsapp"], "metaflow": ["flow-reply"], "cloudtalk": ["cloudtalk"]],
                                    attributes: [.init(field: .event("text"), name: "last_message")])
        let sync = Self.instance(host, settings: settings, holder: "a")
        func routes(_ channel: String, _ text: String) async throws -> [String] {
            host.fake.clearRequests()
            _ = try await sync.handle(ReceivedMessage(json: #"{"channel":"\#(channel)","phone":"+212600000040","text":"\#(text)"}"#))
            return host.fake.requests.map(\.route)
        }
        #expect(try await routes("wasender", "a").count == 4)                                      // cold: a new contact
        let contact = try #require(Self.contacts(host, phone: "+212600000040").first).id
        #expect(try await routes("wasender", "a").isEmpty)
        #expect(try await routes("wasender", "b") == ["PUT /contacts/\(contact)"])
        #expect(try await routes("metaflow", "b") == ["POST /bulk_actions"])
        #expect(try await routes("cloudtalk", "c") == ["POST /bulk_actions", "PUT /contacts/\(contact)"])
    }

    /// CRM sync as one instance (`holder`) of a deployment runs it, on the host's store and the fake.
    static func instance(_ host: ChatwootHost, settings: SyncSettings, holder: String) -> CRMSync {
        CRMSync(client: makeClient(host.fake, http: host.http), settings: settings, phones: host.kernel.phones,
                log: Silent(), metrics: Silent(), ttl: .seconds(300),
                lease: SyncLease(store: host.kernel.store, clock: host.clock, holder: holder))
    }

    /// Two instances and one phone: while one holds the phone's lease (it is creating the
    /// contact and the conversation), the other's sync is snoozed without calling Chatwoot,
    /// then finds what the first created: one contact, one conversation. A lease whose holder
    /// died is taken over once it expired.
    @Test(arguments: ChatwootHost.backends)
    func instancesTakeTurnsForAPhoneSoOneConversationIsCreated(backend: String) async throws {
        let host = try await ChatwootHost.start(extra: #", "reconcile_every": "0s""#, backend: backend)
        defer { Task { await host.stop() } }
        let settings = SyncSettings(enabled: true, inboxID: 3, labels: ["*": ["whatsapp"]], attributes: [])
        let (a, b) = (Self.instance(host, settings: settings, holder: "instance-a"), Self.instance(host, settings: settings, holder: "instance-b"))
        let message = try ReceivedMessage(json: #"{"channel":"wasender","phone":"+212600000030","text":"salam"}"#)
        // A is syncing this phone (it took the lease first).
        #expect(try await a.lease.acquire("+212600000030"))
        #expect(try await b.handle(message) == .snooze(seconds: CRMSync.leaseWaitSeconds))
        #expect(host.fake.requests.isEmpty)
        #expect(try await a.handle(message) == .done)
        #expect(try await b.handle(message) == .done)      // the snoozed delivery, run again
        #expect(Self.contacts(host, phone: "+212600000030").count == 1)
        let contact = try #require(Self.contacts(host, phone: "+212600000030").first)
        #expect(Self.conversations(host, contact: contact.id).count == 1)
        #expect(host.fake.requests.filter { $0.route == "POST /conversations" }.count == 1)
        #expect(try await host.kernel.store.query("SELECT phone FROM chatwoot_sync_leases").isEmpty)   // released
        // A warm cache creates nothing: no lease is taken.
        #expect(try await b.lease.acquire("+212600000030"))
        #expect(try await a.handle(message) == .done)
        try await b.lease.release("+212600000030")

        // An instance died holding another phone's lease: the others wait until it expires.
        let other = try ReceivedMessage(json: #"{"channel":"wasender","phone":"+212600000031","text":"salam"}"#)
        #expect(try await a.lease.acquire("+212600000031"))
        #expect(try await b.handle(other) == .snooze(seconds: CRMSync.leaseWaitSeconds))
        host.clock.advance(by: Double(SyncLease.duration) / 1000 + 1)
        #expect(try await b.handle(other) == .done)
        #expect(Self.contacts(host, phone: "+212600000031").count == 1)
    }

    struct Silent: Logger, MetricsRecorder {
        func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {}
        func isEnabled(_ level: LogLevel) -> Bool { false }
        func increment(_ name: String, labels: [String: String], by: Double) {}
        func gauge(_ name: String, labels: [String: String], value: Double) {}
    }

    @Test func chatwootsOwnMessagesAndNonPhoneSendersAreNotSynced() async throws {
        let host = try await ChatwootHost.start(extra: Self.sync)
        defer { Task { await host.stop() } }
        let body = try Fixtures.bytes("chatwoot_message_created.json")
        let status = await host.kernel.respond(to: Request(method: .post, path: "/chatwoot/webhook", headers: ["Content-Type": "application/json"],
                                                           body: body, remoteAddress: "127.0.0.1")).status
        #expect(status == 200)
        #expect(await host.receive(from: "12345678901234@lid", text: "hi", id: "l1") == 200)
        _ = try await host.kernel.runDueJobs()
        #expect(try await host.kernel.store.query("SELECT id FROM switchboard_messages").count == 2)
        #expect(host.fake.requests.filter { $0.route != "GET /conversations/search" }.isEmpty)
    }

    @Test func syncConfigIsValidatedWithChatwootsLabelRule() {
        func error(_ sync: String) -> String? {
            do {
                _ = try PluginTestHost(plugins: [ChatwootPlugin.self], config: #"{"plugins":{"chatwoot":{"enabled":true,"config":{"base_url":"https://cw.example.com","account_id":1,"api_token":"t","sync":\#(sync)}}}}"#)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(error(#"{"inbox_id": 3, "labels": {"*": ["WhatsApp", "rdv_demande", "été-2026"]}}"#) == nil)
        #expect(error(#"{"labels": {"*": ["a1"]}}"#)?.contains("sync.inbox_id") == true)
        #expect(error(#"{"inbox_id": 3, "labels": {"*": ["has space"]}}"#)?.contains("sync.labels.*[0]") == true)
        #expect(error(#"{"inbox_id": 3, "labels": {"*": ["ok", "-lead"]}}"#)?.contains("sync.labels.*[1]") == true)
        #expect(error(#"{"inbox_id": 3, "labels": {"wasender": ["x"]}}"#)?.contains("at least 2") == true)
        #expect(error(#"{"inbox_id": 3, "attributes": {"colour": "c"}}"#)?.contains("sync.attributes.colour") == true)
        #expect(error(#"{"inbox_id": 3, "attributes": {"text": "Last Message"}}"#)?.contains("sync.attributes.text") == true)
        #expect(error(#"{"inbox_id": 3, "unknown": 1}"#)?.contains("sync.unknown") == true)
        #expect(error(#"{"enabled": false}"#) == nil)
        #expect((try? LabelTitle.validated("Rdv-Demande")) == "rdv-demande")
    }
}
