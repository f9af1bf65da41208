import Foundation
import PluginAPI
import Testing
import TestPlugins
@testable import Kernel

/// The durable inbox end to end, over real sockets, on every backend.
@Suite("durable inbox", .serialized)
struct InboxTests {
    static let secret = "inbox-test-secret"

    static func start(_ backend: String, pluginConfig: String = "") async throws -> TestServer {
        let url = try await TestStorage.freshURL(for: backend)
        return try await TestServer.start(plugins: [WebhookKitPlugin.self]) { config in
            config.storage.url = url
            config.plugins["webhookkit"] = PluginEntry(enabled: true, config: .object(
                [(key: "secret", value: .string(secret))] + (pluginConfig.isEmpty ? [] : [(key: "process_delay_ms", value: .integer(Int64(pluginConfig) ?? 0))])))
        }
    }

    static func signature(_ body: String) -> String {
        let c = OpenSSLCrypto()
        return "sha256=" + c.hex(c.hmacSHA256(key: Array(secret.utf8), data: Array(body.utf8)))
    }

    static func post(_ client: RawClient, body: String, delivery: String?, signature: String? = nil) throws -> RawClient.Answer {
        var head = "POST /webhookkit/hook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        head += "X-Signature: \(signature ?? Self.signature(body))\r\n"
        if let delivery { head += "X-Delivery: \(delivery)\r\n" }
        return try client.exchange(head + "\r\n" + body)
    }

    /// Waits until `query` returns a row count of `count` (the engine runs in the background).
    static func waitFor(_ server: TestServer, _ sql: String, count: Int, timeout: Double = 60) async throws -> [Row] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let rows = try await server.kernel.services.store.query(sql)
            if rows.count == count || Date() > deadline { return rows }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    @Test(arguments: TestStorage.backends)
    func signedWebhookIsStoredAnsweredAndProcessedOnce(backend: String) async throws {
        let server = try await Self.start(backend)
        let client = try server.connect()
        let answer = try Self.post(client, body: #"{"hello":"world"}"#, delivery: "d-1")
        #expect(answer.status == 200)
        #expect(answer.text.contains("\"accepted\""))
        let again = try Self.post(client, body: #"{"hello":"world"}"#, delivery: "d-1")
        #expect(again.status == 200)
        #expect(again.text.contains("\"duplicate\""))
        let seen = try await Self.waitFor(server, "SELECT delivery, processed_count FROM webhookkit_seen", count: 1)
        #expect(try seen.first?.int("processed_count") == 1)
        let inbox = try await server.kernel.services.store.query("SELECT status, headers FROM switchboard_inbox ORDER BY id")
        #expect(try inbox.map { try $0.string("status") } == ["processed", "duplicate"] || inbox.count == 2)
        // The signature header is stored (it is not a credential); the body is stored whole.
        #expect(try inbox[0].string("headers").contains("X-Delivery"))
        // The event was delivered to the subscriber.
        let events = try await Self.waitFor(server, "SELECT name FROM webhookkit_events", count: 1)
        #expect(try events.first?.string("name") == "webhookkit.seen")
        let processed = try await Self.waitFor(server, "SELECT id FROM switchboard_inbox WHERE status = 'processed'", count: 1)
        #expect(processed.count == 1)
        // Its job is done: completed in the transaction that marked the item processed.
        let job = try await Self.waitFor(server, """
            SELECT j.status FROM switchboard_inbox i JOIN switchboard_jobs j ON j.id = i.job_id
            WHERE i.status = 'processed' AND j.status = 'done'
            """, count: 1)
        #expect(job.count == 1)
        await server.stop()
    }

    /// Many clients at once, each dedupe key sent four times from different clients: on
    /// PostgreSQL these go through the inbox's group commit, where one batch can hold a key
    /// twice. Each key is stored and processed once, every repeat is a duplicate of it, and
    /// every stored item is linked to its own processing job.
    @Test(arguments: TestStorage.backends)
    func concurrentRepeatsAreStoredOnceAndLinkedToTheirJobs(backend: String) async throws {
        let server = try await Self.start(backend)
        let clients = 8, perClient = 20, keys = 40
        let statuses = try await withThrowingTaskGroup(of: [String].self) { group in
            for c in 0..<clients {
                let client = try server.connect()
                group.addTask {
                    // Blocking sockets, so threads of their own: on Linux the global dispatch
                    // queues are the pool that runs the server's background tasks.
                    try await withCheckedThrowingContinuation { (done: CheckedContinuation<[String], any Error>) in
                        Thread {
                            done.resume(with: Result {
                                try (0..<perClient).map { i in
                                    let n = c * perClient + i
                                    let answer = try Self.post(client, body: "{\"n\":\(n)}", delivery: "key-\(n % keys)")
                                    guard answer.status == 200 else { return "status \(answer.status)" }
                                    return answer.text.contains("\"duplicate\"") ? "duplicate" : "accepted"
                                }
                            })
                        }.start()
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(statuses.filter { $0 == "accepted" }.count == keys)
        #expect(statuses.filter { $0 == "duplicate" }.count == clients * perClient - keys)
        let store = server.kernel.services.store
        let originals = try await store.query("""
        SELECT i.id, i.dedupe_key, j.payload, j.name FROM switchboard_inbox i JOIN switchboard_jobs j ON j.id = i.job_id
        WHERE i.status <> 'duplicate' ORDER BY i.id
        """)
        #expect(try Set(originals.map { try $0.string("dedupe_key") }) == Set((0..<keys).map { "key-\($0)" }))
        for row in originals {
            #expect(try row.string("payload") == "{\"inbox_id\":\(try row.int("id"))}")
            #expect(try row.string("name") == "webhookkit.webhook/hook")
        }
        let orphans = try await store.query("""
        SELECT d.id FROM switchboard_inbox d LEFT JOIN switchboard_inbox o ON o.id = d.duplicate_of
        WHERE d.status = 'duplicate' AND (o.id IS NULL OR o.dedupe_key <> d.dedupe_key)
        """)
        #expect(orphans.isEmpty, "every duplicate names its original")
        let seen = try await Self.waitFor(server, "SELECT delivery FROM webhookkit_seen WHERE processed_count = 1", count: keys)
        #expect(seen.count == keys)
        #expect(try await store.query("SELECT delivery FROM webhookkit_seen WHERE processed_count <> 1").isEmpty)
        await server.stop()
    }

    @Test(arguments: TestStorage.backends)
    func badSignaturesStoreNothingButARejection(backend: String) async throws {
        let server = try await Self.start(backend)
        let client = try server.connect()
        let wrong = try Self.post(client, body: #"{"a":1}"#, delivery: "x", signature: "sha256=" + String(repeating: "0", count: 64))
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("\"invalid_signature\""))
        let missing = try client.exchange("POST /webhookkit/hook HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}")
        #expect(missing.status == 401)
        let store = server.kernel.services.store
        #expect(try await store.query("SELECT id FROM switchboard_inbox").isEmpty)
        let rejections = try await store.query("SELECT reason, size, remote_address FROM switchboard_inbox_rejections ORDER BY id")
        #expect(try rejections.map { try $0.string("reason") } == ["signature mismatch", "missing signature"])
        #expect(try rejections[0].int("size") == 7)
        #expect(try rejections[0].string("remote_address") == "127.0.0.1")
        await server.stop()
    }

    @Test(arguments: TestStorage.backends)
    func malformedBodiesAreStoredAndDieWithTheirReason(backend: String) async throws {
        let server = try await Self.start(backend)
        let client = try server.connect()
        let answer = try Self.post(client, body: "not json", delivery: "bad-1")
        #expect(answer.status == 200)
        let dead = try await Self.waitFor(server, """
        SELECT j.status, j.last_error FROM switchboard_inbox i JOIN switchboard_jobs j ON j.id = i.job_id WHERE j.status = 'dead'
        """, count: 1)
        #expect(try dead.first?.optionalString("last_error") == "body is not JSON")
        let listed = try await server.kernel.services.store.query(InboxSQL.listColumns + " ORDER BY i.id")
        #expect(try listed.first?.string("status") == "dead")
        await server.stop()
    }

    @Test(arguments: TestStorage.backends)
    func periodicJobsAndRateLimitedQueuesRunThroughTheEngine(backend: String) async throws {
        let url = try await TestStorage.freshURL(for: backend)
        let server = try await TestServer.start(plugins: [WebhookKitPlugin.self]) { config in
            config.storage.url = url
            config.plugins["webhookkit"] = PluginEntry(enabled: true, config: .object([
                (key: "secret", value: .string(Self.secret)), (key: "rate_limit", value: .string("3/2s")),
            ]))
        }
        let client = try server.connect()
        #expect(try client.exchange("POST /webhookkit/send?count=7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n").text == "queued 7")
        _ = try await Self.waitFor(server, "SELECT started_at FROM webhookkit_sends ORDER BY started_at", count: 7, timeout: 15)
        // The limiter's own record of the starts it allowed (kept a minute past the window): a
        // handler's clock reading can lag its claim by a second on a loaded test machine, the
        // limiter's cannot.
        let starts = try await server.kernel.services.store.query(
            "SELECT started_at FROM switchboard_rate_starts WHERE queue = 'webhookkit_out' ORDER BY started_at")
        let times = try starts.map { try $0.int("started_at") }
        #expect(times.count == 7)
        for (i, t) in times.enumerated() {
            #expect(times[i...].prefix { $0 < t + 2000 }.count <= 3, "more than 3 starts in 2 s: \(times)")
        }
        await server.stop()
    }
}
