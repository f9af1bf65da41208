import Foundation
import TestHTTPServer
import class Kernel.CurlHTTPClient
import PluginAPI
import Testing
@testable import Chatwoot

/// Every client call against the fake Chatwoot over loopback through libcurl: the request it
/// sends (path, query, body, token header) and what it makes of the sample answers and errors.
@Suite("chatwoot client", .serialized)
struct ClientTests {
    let fake: FakeChatwoot
    let http = CurlHTTPClient()
    let client: ChatwootClient

    init() throws {
        fake = try FakeChatwoot()
        client = makeClient(fake, http: http)
    }

    func body(_ seen: FakeChatwoot.Seen) throws -> JSONValue { try JSONText.decode(JSONValue.self, from: seen.body) }

    @Test func contactsSearchShowCreateUpdate() async throws {
        defer { http.close(); fake.stop() }
        fake.script("GET /contacts/search", try FakeChatwoot.fixture("chatwoot_contacts_search_response"))
        let found = try await client.searchContacts("+212600000001")
        #expect(found.contacts.map(\.id) == [301] && found.hasMore == false)
        // '+' must travel as %2B (a raw '+' becomes a space in Rails).
        #expect(fake.requests.last?.query == "q=%2B212600000001&page=1&include_contact_inboxes=true")
        #expect(fake.requests.last?.token == FakeChatwoot.token)

        // has_more makes searchAll follow the pages.
        fake.script("GET /contacts/search",
                    FakeChatwoot.json(#"{"meta":{"count":1,"current_page":"1","has_more":true},"payload":[{"id":1}]}"#),
                    FakeChatwoot.json(#"{"meta":{"count":1,"current_page":"2","has_more":false},"payload":[{"id":2}]}"#))
        fake.clearRequests()
        #expect(try await client.searchAllContacts("yas").map(\.id) == [1, 2])
        #expect(fake.requests.map(\.query) == ["q=yas&page=1&include_contact_inboxes=true", "q=yas&page=2&include_contact_inboxes=true"])

        fake.script("GET /contacts/301", try FakeChatwoot.fixture("chatwoot_contact"))
        let contact = try await client.contact(301)
        #expect(contact.phoneNumber == "+212600000001" && contact.customAttributes?["cloudtalk_contact_id"] == .string("1451646000"))

        fake.script("POST /contacts", try FakeChatwoot.fixture("chatwoot_contact_create_response"))
        let created = try await client.createContact(name: "Yassine", phone: "+212600000003", inboxID: 3)
        #expect(created.id == 303)
        let sent = try body(try #require(fake.requests.last)).objectValue
        #expect(sent?["phone_number"] == .string("+212600000003") && sent?["inbox_id"] == .integer(3))

        fake.script("PUT /contacts/301", try FakeChatwoot.fixture("chatwoot_contact"))
        _ = try await client.updateContact(301, fields: ["custom_attributes": .object(["survey": .string("done")])])
        #expect(fake.requests.last?.route == "PUT /contacts/301")
        #expect(try body(try #require(fake.requests.last)).objectValue?["custom_attributes"] == .object(["survey": .string("done")]))

        fake.script("GET /contacts/301/conversations", try FakeChatwoot.fixture("chatwoot_contact_conversations_response"))
        #expect(try await client.contactConversations(301).map(\.id) == [57])
    }

    @Test func conversations() async throws {
        defer { http.close(); fake.stop() }
        fake.script("GET /conversations/search", try FakeChatwoot.fixture("chatwoot_search_response"))
        let hits = try await client.searchConversations("rendez-vous")
        #expect(hits.map(\.id) == [57] && hits.first?.contact?.id == 301)
        #expect(fake.requests.last?.query == "q=rendez-vous&page=1")

        // A full page of 25 makes searchAll ask for the next one.
        let item = #"{"id":1,"contact":{"id":9},"messages":[]}"#
        fake.script("GET /conversations/search",
                    FakeChatwoot.json(#"{"meta":{},"payload":[\#(Array(repeating: item, count: 25).joined(separator: ","))]}"#),
                    FakeChatwoot.json(#"{"meta":{},"payload":[\#(item)]}"#))
        fake.clearRequests()
        #expect(try await client.searchAllConversations("x").count == 26)
        #expect(fake.requests.map(\.query) == ["q=x&page=1", "q=x&page=2"])

        fake.script("GET /search/conversations",
                    FakeChatwoot.json(#"{"payload":{"conversations":[{"id":57,"account_id":7,"created_at":1,"message":null,"contact":{"id":301,"name":"Y","email":null,"phone_number":"+212600000001","identifier":null},"inbox":{"id":3},"agent":null,"additional_attributes":{}}]}}"#))
        let global = try await client.globalSearchConversations("+212600000001")
        #expect(global.first?.contact?.phoneNumber == "+212600000001")

        let conv = #"{"meta":{"sender":{"id":301,"phone_number":"+212600000001"}},"id":57,"inbox_id":3,"status":"open","labels":["a"],"custom_attributes":{}}"#
        fake.script("GET /conversations/57", FakeChatwoot.json(conv))
        let shown = try await client.conversation(57)
        #expect(shown.meta?.sender?.phoneNumber == "+212600000001" && shown.labels == ["a"])

        fake.script("POST /conversations", FakeChatwoot.json(conv))
        _ = try await client.createConversation(inboxID: 3, contactID: 301, phone: "+212600000001")
        let sent = try body(try #require(fake.requests.last)).objectValue
        #expect(sent?["source_id"] == .string("212600000001") && sent?["contact_id"] == .integer(301))

        fake.script("POST /conversations/filter", FakeChatwoot.json(#"{"meta":{"mine_count":0,"unassigned_count":1,"all_count":1},"payload":[\#(conv)]}"#))
        let filter: JSONValue = .object(["attribute_key": .string("status"), "filter_operator": .string("equal_to"),
                                         "values": .array([.string("open")]), "query_operator": .null])
        #expect(try await client.filterConversations([filter]).map(\.id) == [57])
        #expect(fake.requests.last?.query == "page=1")
    }

    @Test func messagesLabelsAttributes() async throws {
        defer { http.close(); fake.stop() }
        fake.script("GET /conversations/57/messages", try FakeChatwoot.fixture("chatwoot_messages_list_response"))
        #expect(try await client.messages(conversation: 57).map(\.id) == [4521, 4522])

        // Cursor pagination: a full page of 20 makes it walk back with before=<oldest id>.
        let page = (200..<220).map { #"{"id":\#($0),"content":"m","message_type":0,"created_at":1}"# }.joined(separator: ",")
        fake.script("GET /conversations/57/messages",
                    FakeChatwoot.json(#"{"meta":{},"payload":[\#(page)]}"#),
                    FakeChatwoot.json(#"{"meta":{},"payload":[{"id":150,"content":"first","message_type":0,"created_at":1}]}"#))
        fake.clearRequests()
        let all = try await client.allMessages(conversation: 57)
        #expect(all.count == 21 && all.first?.id == 150)
        #expect(fake.requests.map(\.query) == ["", "before=200"])

        fake.script("GET /labels", FakeChatwoot.json(##"{"payload":[{"id":1,"title":"rdv-demande","description":"","color":"#1f93ff","show_on_sidebar":true}]}"##))
        #expect(try await client.labels().map(\.title) == ["rdv-demande"])
        fake.script("POST /labels", FakeChatwoot.json(##"{"id":2,"title":"csat","description":"","color":"#1f93ff","show_on_sidebar":true}"##))
        #expect(try await client.createLabel("csat").id == 2)
        #expect(try body(try #require(fake.requests.last)).objectValue?["label"]?.objectValue?["title"] == .string("csat"))

        // Labels replace the whole list: adding reads, merges and writes back.
        fake.script("GET /conversations/57/labels", try FakeChatwoot.fixture("chatwoot_conversation_labels_response"))
        fake.script("POST /conversations/57/labels", FakeChatwoot.json(#"{"payload":["rdv-demande","whatsapp-flow","csat"]}"#))
        fake.clearRequests()
        #expect(try await client.addConversationLabels(57, ["csat", "rdv-demande"]) == ["rdv-demande", "whatsapp-flow", "csat"])
        #expect(fake.requests.map(\.route) == ["GET /conversations/57/labels", "POST /conversations/57/labels"])
        #expect(try body(fake.requests[1]) == .object(["labels": .array(["rdv-demande", "whatsapp-flow", "csat"].map { .string($0) })]))
        // Nothing new: no write.
        fake.clearRequests()
        _ = try await client.addConversationLabels(57, ["whatsapp-flow"])
        #expect(fake.requests.count == 1)

        let definition = #"{"id":4,"attribute_display_name":"Survey","attribute_display_type":"text","attribute_description":null,"attribute_key":"survey","regex_pattern":null,"regex_cue":null,"attribute_values":[],"attribute_model":"contact_attribute","default_value":null,"created_at":"x","updated_at":"x"}"#
        fake.script("GET /custom_attribute_definitions", FakeChatwoot.json("[\(definition)]"))
        #expect(try await client.attributeDefinitions(model: "contact_attribute").map(\.attributeKey) == ["survey"])
        #expect(fake.requests.last?.query == "attribute_model=contact_attribute")
        fake.script("POST /custom_attribute_definitions", FakeChatwoot.json(definition))
        #expect(try await client.createAttributeDefinition(key: "survey", displayName: "Survey", model: "contact_attribute").id == 4)
    }

    @Test func errorsAreTypedAndRetriedWhenTransient() async throws {
        defer { http.close(); fake.stop() }
        func failure(_ call: () async throws -> Void) async -> ChatwootError? {
            do { try await call(); return nil } catch { return error as? ChatwootError }
        }
        // 401: a wrong token; never retried, and the token is not in the message.
        let denied = makeClient(fake, http: http, token: "wrong-token-SECRET")
        fake.clearRequests()
        let e401 = await failure { _ = try await denied.contact(1) }
        #expect(e401?.kind == .unauthorized && e401?.httpStatus == 401 && e401?.isRetryable == false)
        #expect(fake.requests.count == 1)
        #expect(e401.map { !"\($0)".contains("SECRET") } == true)

        let e404 = await failure { _ = try await client.contact(999) }
        #expect(e404?.kind == .notFound && e404?.message == "Resource could not be found")

        fake.script("POST /contacts", FakeChatwoot.json(#"{"message":"Phone number has already been taken","attributes":["phone_number"]}"#, status: 422))
        let e422 = await failure { _ = try await client.createContact(name: "x", phone: "+212600000001") }
        #expect(e422?.kind == .invalid && e422?.attributes == ["phone_number"] && e422?.isRetryable == false)

        // 429 then 5xx then success: retried with backoff, three tries.
        fake.script("GET /contacts/301", FakeChatwoot.tooMany, FakeChatwoot.serverError, try FakeChatwoot.fixture("chatwoot_contact"))
        fake.clearRequests()
        #expect(try await client.contact(301).id == 301)
        #expect(fake.requests.count == 3)

        // Always 503: gives up after `attempts`, as a retryable server error.
        fake.script("GET /contacts/302", FakeChatwoot.json("{}", status: 503))
        fake.clearRequests()
        let e5xx = await failure { _ = try await client.contact(302) }
        #expect(e5xx?.kind == .server && e5xx?.isRetryable == true && fake.requests.count == 3)

        // 429 with a Retry-After beyond maxWait: no waiting, fails at once for the caller's schedule.
        fake.script("GET /contacts/303", FakeReply(status: 429, headers: [("Retry-After", "60")], body: []))
        fake.clearRequests()
        let e429 = await failure { _ = try await client.contact(303) }
        #expect(e429?.kind == .rateLimited && e429?.retryAfter == .seconds(60) && fake.requests.count == 1)

        // A 2xx of the wrong shape.
        fake.script("GET /contacts/304", FakeChatwoot.json(#"{"unexpected":true}"#))
        #expect(await failure { _ = try await client.contact(304) }?.kind == .badResponse)

        // Nobody listening: a retryable transport error.
        var down = makeClient(fake, http: http)
        down = ChatwootClient(config: ChatwootAPIConfig(baseURL: "http://127.0.0.1:\(try FakeHTTPServer.unusedPort())", accountID: 7,
                                                        apiToken: FakeChatwoot.token, cacheTTL: .seconds(1)), http: http)
        down.attempts = 1
        let eDown = await failure { _ = try await down.contact(1) }
        #expect(eDown?.kind == .transport && eDown?.isRetryable == true)
    }
}
