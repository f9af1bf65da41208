import Foundation
import PluginAPI

/// A plugin with a signed webhook, its own table, a job, a periodic job, a rate-limited queue
/// and an event subscription: what the kernel's storage, inbox and job tests drive, in-process
/// and in the `switchboard-test-host` binary.
///
/// Webhook `POST /webhookkit/hook`: `X-Signature: sha256=<hex HMAC-SHA256(secret, body)>`,
/// dedupe on `X-Delivery`. Processing records the delivery in `webhookkit_seen` (idempotent)
/// and publishes `webhookkit.seen`; a body that is not JSON fails for good.
public struct WebhookKitPlugin: Plugin {
    public static let id = "webhookkit"
    public static let summary = "test plugin: signed webhook, table, jobs, events"

    struct Config: Decodable {
        var secret: String
        var rateLimit: RateLimit?
        var tickEvery: ConfigDuration?
        /// Milliseconds each processing takes (to hold a job in flight).
        var processDelayMs: Int?

        enum CodingKeys: String, CodingKey {
            case secret
            case rateLimit = "rate_limit"
            case tickEvery = "tick_every"
            case processDelayMs = "process_delay_ms"
        }
    }

    let config: Config
    let context: any PluginContext

    public init(context: any PluginContext) throws {
        config = try context.config(Config.self)
        self.context = context
    }

    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, """
        CREATE TABLE webhookkit_seen (
            delivery TEXT PRIMARY KEY,
            inbox_id BIGINT NOT NULL,
            processed_count INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE webhookkit_events (
            event_id BIGINT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE webhookkit_ticks (
            slot BIGINT PRIMARY KEY,
            runs INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE webhookkit_sends (
            id {{id}},
            n BIGINT NOT NULL,
            started_at BIGINT NOT NULL
        );
        """)
        let secret = Array(config.secret.utf8)
        let crypto = context.crypto
        let store = context.store
        let events = context.events
        let delay = config.processDelayMs ?? 0
        registrar.webhook("/hook", maxBody: 3 << 20, verify: { request in
            guard let header = request.headers["x-signature"], header.hasPrefix("sha256=") else { return .reject(reason: "missing signature") }
            let expected = Array(("sha256=" + crypto.hex(crypto.hmacSHA256(key: secret, data: request.body))).utf8)
            return crypto.constantTimeEquals(Array(header.utf8), expected) ? .accept : .reject(reason: "signature mismatch")
        }, dedupeKey: { $0.headers["x-delivery"] }, process: { item in
            guard (try? JSONSerialization.jsonObject(with: Data(item.body))) != nil else {
                throw PermanentJobError("body is not JSON")
            }
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
            let delivery = item.dedupeKey ?? "inbox-\(item.id)"
            try await store.write { db in
                // Idempotent: a replay or a rerun after a crash counts, but changes nothing else.
                try db.execute("""
                INSERT INTO webhookkit_seen (delivery, inbox_id) VALUES ($1, $2)
                ON CONFLICT (delivery) DO UPDATE SET processed_count = webhookkit_seen.processed_count + 1
                """, delivery, item.id)
                try events.publish("webhookkit.seen", payload: "{\"delivery\":\"\(delivery)\"}", in: db)
                // Marked processed in the same commit as what processing stored.
                try item.complete(in: db)
            }
            return .done
        })
        registrar.subscribe("webhookkit.seen") { event in
            try await store.write { db in
                try db.execute("INSERT INTO webhookkit_events (event_id, name) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING", event.id, event.name)
                try event.complete(in: db)
            }
            return .done
        }
        registrar.job("tick") { job in
            let slot = (try? JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any])?["slot"] as? Int ?? -1
            try await store.write { db in
                try db.execute("INSERT INTO webhookkit_ticks (slot) VALUES ($1) ON CONFLICT (slot) DO UPDATE SET runs = webhookkit_ticks.runs + 1", slot)
            }
            return .done
        }
        if let every = config.tickEvery { registrar.every(every, job: "tick") }
        let clock = context.clock
        registrar.job("send", options: JobOptions(queue: "webhookkit_out", maxAttempts: 3)) { job in
            let n = (try? JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any])?["n"] as? Int ?? -1
            let now = clock.nowMillis
            try await store.write { try $0.execute("INSERT INTO webhookkit_sends (n, started_at) VALUES ($1, $2)", n, now) }
            return .done
        }
        if let limit = config.rateLimit { registrar.rateLimit(queue: "webhookkit_out", limit) }
        let jobs = context.jobs
        registrar.route(.post, "/send") { request in
            let count = Int(request.queryItems["count"] ?? "1") ?? 1
            try await store.write { db in
                for n in 0..<count { try jobs.enqueue(JobRequest(name: "webhookkit.send", payload: "{\"n\":\(n)}"), in: db) }
            }
            return .text("queued \(count)")
        }
    }
}
