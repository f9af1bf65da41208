import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Integrity

/// `GET /integrity` on both backends: counts, capture rate, by source and day, status under
/// each mix of outcomes and thresholds, the `flow` and `since` filters, inbox and sources.
@Suite("integrity report", .serialized)
struct ReportTests {
    struct Mix: Sendable, CustomTestStringConvertible {
        var name: String
        var resolved = 0, pending = 0, unresolved = 0, conflicts = 0
        var config = ""
        var rate: Double?
        var status: String
        var testDescription: String { name }
    }

    static let mixes: [Mix] = [
        Mix(name: "empty", rate: nil, status: "ok"),
        Mix(name: "all resolved", resolved: 12, config: #""min_subjects": 10"#, rate: 1, status: "ok"),
        Mix(name: "pending only lowers the rate", resolved: 19, pending: 1, config: #""min_subjects": 10"#, rate: 0.95, status: "ok"),
        Mix(name: "under warning", resolved: 9, pending: 1, config: #""min_subjects": 5"#, rate: 0.9, status: "warning"),
        Mix(name: "under alert", resolved: 8, pending: 2, config: #""min_subjects": 5"#, rate: 0.8, status: "critical"),
        Mix(name: "too few to judge the rate", resolved: 1, pending: 2, config: #""min_subjects": 10"#, rate: 0.3333, status: "ok"),
        Mix(name: "an unresolved subject", resolved: 3, unresolved: 1, config: #""min_subjects": 100"#, rate: 0.75, status: "warning"),
        Mix(name: "a conflict does not count as captured", resolved: 3, conflicts: 1, config: #""min_subjects": 100"#, rate: 0.75, status: "warning"),
        Mix(name: "queue over its limit", resolved: 2, unresolved: 2, conflicts: 1, config: #""min_subjects": 100, "max_unresolved": 2"#,
            rate: 0.4, status: "critical"),
        Mix(name: "custom thresholds", resolved: 6, pending: 4, config: #""min_subjects": 1, "alert_threshold": 0.5, "warning_threshold": 0.7"#,
            rate: 0.6, status: "warning"),
    ]

    static var arguments: [(Mix, String)] { mixes.flatMap { mix in IntegrityHost.backends.map { (mix, $0) } } }

    @Test(arguments: arguments) func reportUnderMix(_ mix: Mix, backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend, integrity: mix.config)
        try await host.run {
            try await host.seed(resolved: mix.resolved, pending: mix.pending, unresolved: mix.unresolved, conflicts: mix.conflicts)
            let report = try await host.report()
            #expect(report["total"] as? Int == mix.resolved + mix.pending + mix.unresolved + mix.conflicts)
            #expect(report["resolved"] as? Int == mix.resolved)
            #expect(report["pending"] as? Int == mix.pending)
            #expect(report["unresolved"] as? Int == mix.unresolved)
            #expect(report["conflicts"] as? Int == mix.conflicts)
            if let rate = mix.rate {
                #expect(report["capture_rate"] as? Double == rate)
            } else {
                #expect(report["capture_rate"] is NSNull)
            }
            #expect(report["status"] as? String == mix.status, "\(report["reasons"] ?? "")")
            let thresholds = try #require(report["thresholds"] as? [String: Any])
            #expect(thresholds["alert_threshold"] != nil && thresholds["max_unresolved"] != nil && thresholds["window"] as? String != nil)
            let inbox = try #require(report["inbox"] as? [String: Any])
            #expect(inbox["rejected_24h"] as? Int == 0 && inbox["dead_jobs"] as? Int == 0)
            if mix.resolved > 0 {
                let bySource = try #require(report["by_source"] as? [String: Any])
                #expect((bySource["test.observed"] as? [String: Any])?["subjects"] as? Int == mix.resolved)
                let days = try #require(report["by_day"] as? [[String: Any]])
                #expect(days.map { $0["subjects"] as? Int ?? 0 }.reduce(0, +) == mix.resolved + mix.pending + mix.unresolved + mix.conflicts)
            }
        }
    }

    @Test(arguments: IntegrityHost.backends) func flowAndSinceFilters(backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend)
        try await host.run {
            try await host.seed(resolved: 3, pending: 1, label: "survey", tag: "a")
            try await host.seed(resolved: 1, pending: 3, label: "feedback", tag: "b")
            let cut = Time.format(host.clock.nowMillis + 1000)
            host.clock.advance(by: 7200)
            try await host.seed(resolved: 2, label: "survey", tag: "c")

            let all = try await host.report()
            #expect(all["total"] as? Int == 10)
            let survey = try await host.report("?flow=survey")
            #expect(survey["total"] as? Int == 6 && survey["resolved"] as? Int == 5)
            #expect(survey["capture_rate"] as? Double == 0.8333)
            let feedback = try await host.report("?flow=feedback")
            #expect(feedback["total"] as? Int == 4 && feedback["capture_rate"] as? Double == 0.25)
            let recent = try await host.report("?since=1h")
            #expect(recent["total"] as? Int == 2 && recent["capture_rate"] as? Double == 1)
            let sinceTime = try await host.report("?since=\(cut)&flow=survey")
            #expect(sinceTime["total"] as? Int == 2)
            #expect((try await host.report("?flow=nothing"))["total"] as? Int == 0)
        }
    }

    @Test(arguments: IntegrityHost.backends) func refusals(backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend)
        try await host.run {
            let anonymous = await host.request(.get, "/integrity", headers: [:])
            #expect(anonymous.status == 401)
            let wrong = await host.request(.get, "/integrity", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            let (status, body) = try await host.json("/integrity?flwo=x")
            #expect(status == 400)
            #expect(((body["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("flwo: unknown parameter") == true)
            #expect((try await host.json("/integrity?since=yesterday")).status == 400)
        }
    }

    @Test(arguments: IntegrityHost.backends) func inboxAndSources(backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend, integrity: #""silence_after": "1h""#)
        try await host.run {
            #expect(await host.webhook("d1") == 200)
            let bad = await host.request(.post, "/webhookkit/hook", headers: ["X-Signature": "sha256=00"], body: "{}")
            #expect(bad.status == 401)
            let report = try await host.report()
            let inbox = try #require(report["inbox"] as? [String: Any])
            #expect(inbox["rejected_24h"] as? Int == 1)
            let sources = try #require(report["sources"] as? [String: Any])
            let hook = try #require(sources["webhookkit"] as? [String: Any])
            #expect(hook["last_seen"] as? String == Time.format(host.clock.nowMillis))
            #expect(hook["silent"] as? Bool == false)
            #expect(report["status"] as? String == "ok")
            host.clock.advance(by: 3700)
            let later = try await host.report()
            #expect(((later["sources"] as? [String: Any])?["webhookkit"] as? [String: Any])?["silent"] as? Bool == true)
            #expect(later["status"] as? String == "warning")
            #expect((later["inbox"] as? [String: Any])?["rejected_24h"] as? Int == 1)
        }
    }
}
