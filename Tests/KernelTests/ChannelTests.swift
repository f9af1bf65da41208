import Foundation
import PluginAPI
import Testing
import TestPlugins
@testable import Kernel

/// Channels: the message log, the rate-limited send queue and `message.*` events, on every backend.
@Suite("channels", .serialized)
struct ChannelTests {
    static func start(_ backend: String) async throws -> TestServer {
        let url = try await TestStorage.freshURL(for: backend)
        return try await TestServer.start(plugins: [LoopbackChannelPlugin.self]) { config in
            config.storage.url = url
            config.jobs.pollInterval = ConfigDuration(milliseconds: 50)
        }
    }

    static func post(_ server: TestServer, _ target: String) throws -> String {
        try server.connect().exchange("POST \(target) HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n").text
    }

    @Test(arguments: TestStorage.backends)
    func sendsAreLoggedSentAndAnnounced(backend: String) async throws {
        let server = try await Self.start(backend)
        let id = try Self.post(server, "/loopback/send?to=%2B212610059159&text=hello")
        let sent = try await InboxTests.waitFor(server, "SELECT message_id, phone, text FROM loopback_sent", count: 1)
        #expect(try sent.first?.int("message_id") == Int64(id))
        #expect(try sent.first?.string("phone") == "+212610059159")
        let log = try await InboxTests.waitFor(server, "SELECT status, provider_id, direction FROM switchboard_messages WHERE status = 'sent'", count: 1)
        #expect(try log.first?.optionalString("provider_id") == "lb-\(id)")
        let events = try await InboxTests.waitFor(server, "SELECT name, payload FROM loopback_events", count: 1)
        #expect(try events.first?.string("name") == "message.sent")
        #expect(try events.first?.string("payload").contains("\"provider_id\":\"lb-\(id)\"") == true)
        // A delivery receipt for that provider id updates the log and is announced.
        #expect(try Self.post(server, "/loopback/status?id=lb-\(id)&status=delivered") == "updated")
        #expect(try Self.post(server, "/loopback/status?id=nope&status=read") == "unknown")
        _ = try await InboxTests.waitFor(server, "SELECT id FROM loopback_events WHERE name = 'message.status'", count: 1)
        await server.stop()
    }

    @Test(arguments: TestStorage.backends)
    func failuresAreRetriedThenLoggedAsFailed(backend: String) async throws {
        let server = try await Self.start(backend)
        _ = try Self.post(server, "/loopback/send?to=%2B33612345678&text=never")
        let failed = try await InboxTests.waitFor(server, "SELECT error FROM switchboard_messages WHERE status = 'failed'", count: 1)
        #expect(try failed.first?.optionalString("error") == "recipient blocked")
        let events = try await InboxTests.waitFor(server, "SELECT name FROM loopback_events WHERE name = 'message.failed'", count: 1)
        #expect(events.count == 1)
        await server.stop()
    }

    @Test(arguments: TestStorage.backends)
    func inboundMessagesAreLoggedAndPublished(backend: String) async throws {
        let server = try await Self.start(backend)
        _ = try Self.post(server, "/loopback/inbound?from=%2B212600000001&text=bonjour&id=in-1")
        let events = try await InboxTests.waitFor(server, "SELECT payload FROM loopback_events WHERE name = 'message.received'", count: 1)
        let payload = try events.first?.string("payload") ?? ""
        #expect(payload.contains("\"phone\":\"+212600000001\""))
        #expect(payload.contains("\"text\":\"bonjour\""))
        let log = try await server.kernel.services.store.query("SELECT direction, status FROM switchboard_messages")
        #expect(try log.first?.string("direction") == "in")
        // The same provider id again (a redelivery, a replay) is neither logged nor announced twice.
        let again = try Self.post(server, "/loopback/inbound?from=%2B212600000001&text=bonjour&id=in-1")
        let rows = try await server.kernel.services.store.query("SELECT id FROM switchboard_messages")
        #expect(rows.count == 1)
        #expect(try rows.first?.int("id") == Int64(again))
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(try await server.kernel.services.store.query("SELECT id FROM loopback_events WHERE name = 'message.received'").count == 1)
        await server.stop()
    }

    @Test func unknownChannelIsRefused() async throws {
        let server = try await Self.start("sqlite")
        let to = try server.kernel.phones.normalize("+212610059159", region: nil)
        do {
            _ = try await server.kernel.services.store.write { db in
                try KernelChannels(services: server.kernel.services).send(channel: "nope", to: to, message: ChannelMessage(text: "x"), in: db)
            }
            Issue.record("send to an unknown channel was accepted")
        } catch {
            #expect("\(error)".contains("no channel named nope"))
        }
        await server.stop()
    }
}
