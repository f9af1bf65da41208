import PluginAPI
import PluginTesting
import Testing
@testable import Integrity

/// The report's status under each mix of capture rate, queues, dead jobs and silent sources.
@Suite("status from thresholds")
struct HealthTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: Health.Input
        var expected: Health.Status
        var testDescription: String { name }
    }

    static func input(subjects: Int64 = 100, rate: Double? = 1, unresolved: Int64 = 0, conflicts: Int64 = 0, dead: Int64 = 0,
                      silent: [String] = []) -> Health.Input {
        Health.Input(subjects: subjects, captureRate: rate, unresolved: unresolved, conflicts: conflicts, deadJobs: dead, silentSources: silent)
    }

    /// Defaults: alert under 90 %, warning under 95 %, at least 10 subjects, over 10 to review, over 0 dead jobs.
    static let cases: [Case] = [
        Case(name: "all captured", input: input(), expected: .ok),
        Case(name: "no subjects yet", input: input(subjects: 0, rate: nil), expected: .ok),
        Case(name: "exactly at the warning threshold", input: input(rate: 0.95), expected: .ok),
        Case(name: "under warning", input: input(rate: 0.94), expected: .warning),
        Case(name: "exactly at the alert threshold", input: input(rate: 0.9), expected: .warning),
        Case(name: "under alert", input: input(rate: 0.89), expected: .critical),
        Case(name: "under alert but too few subjects", input: input(subjects: 9, rate: 0.5), expected: .ok),
        Case(name: "one to review", input: input(unresolved: 1), expected: .warning),
        Case(name: "one conflict", input: input(conflicts: 1), expected: .warning),
        Case(name: "at the review limit", input: input(unresolved: 6, conflicts: 4), expected: .warning),
        Case(name: "over the review limit", input: input(unresolved: 6, conflicts: 5), expected: .critical),
        Case(name: "a dead job", input: input(dead: 1), expected: .critical),
        Case(name: "a silent source", input: input(silent: ["wasender"]), expected: .warning),
        Case(name: "warning and critical together", input: input(rate: 0.93, dead: 2, silent: ["chatwoot"]), expected: .critical),
    ]

    @Test(arguments: cases) func status(_ c: Case) {
        let health = Health.evaluate(c.input, IntegrityConfig())
        #expect(health.status == c.expected)
        #expect(health.reasons.isEmpty == (c.expected == .ok))
    }

    @Test func reasonsSayWhy() {
        let health = Health.evaluate(Self.input(rate: 0.825, unresolved: 2, dead: 3, silent: ["wasender"]), IntegrityConfig())
        #expect(health.reasons == ["capture rate 82.5% under 90.0%", "2 subjects to review", "3 dead jobs, over 0", "wasender silent for over 1h"])
    }

    @Test func thresholdsFromConfig() throws {
        var file = IntegrityConfig.File()
        file.alertThreshold = 0.5
        file.maxDeadJobs = 5
        file.minSubjects = 1
        let config = try IntegrityConfig(file)
        #expect(config.warningThreshold == 0.95)
        #expect(Health.evaluate(Self.input(subjects: 2, rate: 0.6, dead: 5), config).status == .warning)
        #expect(Health.evaluate(Self.input(subjects: 2, rate: 0.4), config).status == .critical)
    }

    /// Through the kernel's strict decoder: an unknown key and a wrong type name their path.
    @Test func configIsStrict() throws {
        func load(_ members: String) throws {
            _ = try PluginTestHost(plugins: [IntegrityPlugin.self], config: #"{"plugins": {"integrity": {"enabled": true, "config": {\#(members)}}}}"#)
        }
        try load("")
        try load(#""alert_every": "5m", "window": "24h", "alert_threshold": 0.8, "alert_webhook_url": "https://hooks.example.com/x""#)
        #expect { try load(#""alert_treshold": 0.8"#) } throws: { "\($0)".contains("plugins.integrity.config.alert_treshold") }
        #expect { try load(#""window": 60"#) } throws: { "\($0)".contains("plugins.integrity.config.window") }
        #expect { try load(#""silence_after": "0s""#) } throws: { "\($0)".contains("plugins.integrity.config.silence_after") }
    }

    @Test func badConfigNamesTheKey() {
        var file = IntegrityConfig.File()
        file.alertThreshold = 90
        #expect(throws: ConfigError(path: "plugins.integrity.config.alert_threshold", "expected a fraction between 0 and 1 (0.9 for 90%)")) {
            try IntegrityConfig(file)
        }
        file = IntegrityConfig.File()
        file.alertThreshold = 0.9
        file.warningThreshold = 0.8
        #expect(throws: ConfigError.self) { try IntegrityConfig(file) }
        file = IntegrityConfig.File()
        file.alertWebhookURL = "ftp://example.com/x"
        #expect(throws: ConfigError(path: "plugins.integrity.config.alert_webhook_url", "expected an absolute http or https url")) {
            try IntegrityConfig(file)
        }
        file = IntegrityConfig.File()
        file.pollInterval = ConfigDuration.seconds(2)
        #expect(throws: ConfigError.self) { try IntegrityConfig(file) }
    }
}
