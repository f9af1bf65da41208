import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Integrity

/// Alerts on both backends, with a manual clock and a fake Slack-compatible receiver on
/// loopback: each alert fires once, is posted once, and clears once with a resolved message;
/// silence of a webhook source; the state survives a second evaluation by another instance.
@Suite("integrity alerts", .serialized)
struct AlertTests {
    static func config(_ receiver: AlertReceiver, maxDeadJobs: Int = 100) -> String {
        #""alert_webhook_url": "\#(receiver.url)", "alert_every": "1m", "window": "1h", "#
            + #""min_subjects": 2, "alert_threshold": 0.9, "max_unresolved": 100, "max_dead_jobs": \#(maxDeadJobs), "silence_after": "2h""#
    }

    /// Moves to the next evaluation slot and runs what is due (the evaluation, then its posts).
    static func tick(_ host: IntegrityHost, minutes: Double = 1) async throws {
        host.clock.advance(by: minutes * 60)
        try await host.runJobs()
    }

    static func metric(_ host: IntegrityHost, _ line: String) async -> Bool {
        let text = String(decoding: (await host.request(.get, "/metrics")).body, as: UTF8.self)
        return text.split(separator: "\n").contains { $0 == line }
    }

    @Test(arguments: IntegrityHost.backends) func captureRateFiresOnceAndClearsOnce(backend: String) async throws {
        let receiver = try AlertReceiver()
        let host = try await IntegrityHost.start(backend: backend, integrity: Self.config(receiver))
        try await host.run {
            try await host.seed(resolved: 1, pending: 2)
            try await Self.tick(host)
            #expect(receiver.texts.count == 1)
            #expect(receiver.texts.first?.hasPrefix("Switchboard alert: capture rate 33.3% over the last 1h (1 of 3 subjects have a phone), under 90.0%") == true)
            #expect(await Self.metric(host, #"switchboard_integrity_alerts_fired_total{alert="capture_rate"} 1.0"#))
            #expect(await Self.metric(host, #"switchboard_integrity_alert_firing{alert="capture_rate"} 1.0"#))
            let alerts = try await host.json("/integrity/alerts")
            let rows = try #require(alerts.object["alerts"] as? [[String: Any]])
            #expect(rows.contains { $0["alert"] as? String == "capture_rate" && $0["firing"] as? Bool == true })
            let report = try await host.report()
            #expect((report["alerts"] as? [[String: Any]])?.count == 1)

            // Still firing: evaluated again, not posted again.
            try await Self.tick(host)
            try await Self.tick(host)
            #expect(receiver.texts.count == 1)

            // The phones arrive: the rate clears, one resolved message.
            try await host.kernel.store.write { db in
                for i in 0..<2 { try host.phones.learn(key: .flowToken("tok-p\(i)"), phone: try host.phone(50 + i), source: "test.late", in: db) }
            }
            try await Self.tick(host)
            #expect(receiver.texts.count == 2)
            #expect(receiver.texts.last?.hasPrefix("Switchboard resolved: capture rate 33.3%") == true)
            #expect(await Self.metric(host, #"switchboard_integrity_alerts_resolved_total{alert="capture_rate"} 1.0"#))
            #expect(await Self.metric(host, #"switchboard_integrity_alert_firing{alert="capture_rate"} 0.0"#))
            try await Self.tick(host)
            #expect(receiver.texts.count == 2)
        }
        receiver.stop()
    }

    @Test(arguments: IntegrityHost.backends) func aFailedPostIsRetriedNotRepeated(backend: String) async throws {
        let receiver = try AlertReceiver()
        receiver.failNext = 1
        let host = try await IntegrityHost.start(backend: backend, integrity: Self.config(receiver, maxDeadJobs: 0))
        try await host.run {
            // A dead job (as the engine leaves one after its last attempt).
            let now = host.clock.nowMillis
            try await host.kernel.store.write { db in
                _ = try db.execute("INSERT INTO switchboard_jobs (name, queue, payload, status, attempt, max_attempts, run_at, created_at, finished_at, last_error) "
                                   + "VALUES ('webhookkit.tick', 'webhookkit', '{}', 'dead', 3, 3, $1, $1, $1, 'boom')", [.integer(now)])
            }
            try await Self.tick(host)
            #expect(receiver.texts.isEmpty, "the first post failed (503)")
            host.clock.advance(by: 120)
            try await host.runJobs()
            #expect(receiver.texts == ["Switchboard alert: 1 dead job, over 0"])
            try await Self.tick(host)
            #expect(receiver.texts.count == 1)
        }
        receiver.stop()
    }

    @Test(arguments: IntegrityHost.backends) func silenceOfASourceThatUsedToSend(backend: String) async throws {
        let receiver = try AlertReceiver()
        let host = try await IntegrityHost.start(backend: backend, integrity: Self.config(receiver))
        try await host.run {
            // A source that never sent is not silent.
            try await Self.tick(host, minutes: 180)
            #expect(receiver.texts.isEmpty)
            #expect(await host.webhook("first") == 200)
            try await Self.tick(host, minutes: 60)
            #expect(receiver.texts.isEmpty, "an hour is within silence_after (2h)")
            try await Self.tick(host, minutes: 61)
            #expect(receiver.texts.count == 1)
            #expect(receiver.texts.first?.hasPrefix("Switchboard alert: no webhook from webhookkit for over 2h") == true)
            #expect(await Self.metric(host, #"switchboard_integrity_alerts_fired_total{alert="silence",source="webhookkit"} 1.0"#))
            try await Self.tick(host, minutes: 30)
            #expect(receiver.texts.count == 1)
            #expect(await host.webhook("second") == 200)
            try await Self.tick(host)
            #expect(receiver.texts.count == 2)
            #expect(receiver.texts.last?.hasPrefix("Switchboard resolved: no webhook from webhookkit") == true)
        }
        receiver.stop()
    }

    /// A second instance (another kernel on the same database) evaluating the same state does
    /// not announce it again: the state is in `integrity_alerts`.
    @Test(arguments: IntegrityHost.backends) func stateIsSharedAcrossInstances(backend: String) async throws {
        let receiver = try AlertReceiver()
        let host = try await IntegrityHost.start(backend: backend, integrity: Self.config(receiver))
        try await host.run {
            try await host.seed(resolved: 1, pending: 2)
            try await Self.tick(host)
            #expect(receiver.texts.count == 1)
            let second = try await IntegrityHost.start(sharing: host, integrity: Self.config(receiver))
            second.clock.advance(by: host.clock.now.timeIntervalSince(second.clock.now) + 60)
            try await second.runJobs()
            #expect(receiver.texts.count == 1, "the other instance saw it already firing")
            await second.kernel.closeForTesting()
            second.http.close()
        }
        receiver.stop()
    }
}
