import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// `metaflow.token_map` and `metaflow.token_pattern`, and the pattern matcher.
@Suite("metaflow strategies", .serialized)
struct StrategyTests {
    @Test(arguments: [
        ("deepal-{phone}-{uuid}", "deepal-212610059159-3f2a9c1e-77b0-4c1e-9d2a-0e4b5c6d7e8f", "212610059159"),
        ("deepal-{phone}-{uuid}", "deepal-+212610059159-abc", "+212610059159"),
        ("{phone}:{any}", "33612345678:campaign-7", "33612345678"),
        ("survey_{any}_{phone}", "survey_spring_2026_212600000001", "212600000001"),
        ("deepal-{phone}-{uuid}", "other-212610059159-abc", nil),
        ("deepal-{phone}-{uuid}", "deepal-21261x059159-abc", nil),
        ("deepal-{phone}-{uuid}", "deepal--abc", nil),
        ("deepal-{phone}-{uuid}", "deepal-212610059159-zzz", nil),
    ] as [(String, String, String?)])
    func patternsFindThePhone(pattern: String, token: String, phone: String?) throws {
        #expect(try TokenPattern(pattern).phone(in: token) == phone)
    }

    @Test(arguments: ["deepal-{uuid}", "{phone}{uuid}", "x-{phone}-{phone}", "a-{phone}-{nope}", "a-{phone"])
    func badPatternsAreRefused(pattern: String) {
        #expect(throws: TokenPattern.Invalid.self) { try TokenPattern(pattern) }
    }

    @Test func aBadTokenPatternIsAConfigErrorNamingTheKey() throws {
        let file = try SurveyConfig.file(.object(["token_pattern": .string("deepal-{uuid}")]))
        do {
            _ = try PluginTestHost(plugins: [MetaFlowPlugin.self], config: file)
            Issue.record("accepted a pattern without {phone}")
        } catch {
            #expect("\(error)".contains("plugins.metaflow.config.token_pattern"))
        }
    }

    @Test(arguments: EndpointHost.backends)
    func tokenMapAndPatternResolveResponses(backend: String) async throws {
        let file = try SurveyConfig.file(.object(["token_pattern": .string("deepal-{phone}-{uuid}")]),
                                         top: ["phone": .object(["default_region": .string("MA")])])
        let endpoint = try await EndpointHost.start(file, backend: backend)
        let host = endpoint.host
        // A token we sent (the map knows its phone) and one of the deepal campaign (the pattern names it).
        try await host.store.write { db in
            try db.execute("INSERT INTO metaflow_tokens (flow_token, flow, phone, created_at) VALUES ($1, 'survey', '+212600000007', 1)", "ft_sent_1")
        }
        let mapped = try await host.phones.resolve(key: .flowToken("ft_sent_1"), subject: "metaflow/response/1")
        #expect(mapped.phone?.e164 == "+212600000007")
        #expect(mapped.source == "metaflow.token_map")
        let guessed = try await host.phones.resolve(key: .flowToken("deepal-0610059159-abc123"), subject: "metaflow/response/2")
        #expect(guessed.phone?.e164 == "+212610059159")
        #expect(guessed.source == "metaflow.token_pattern")
        #expect(guessed.sourceKind == .pattern)
        // Neither knows a token of another shape.
        #expect(try await host.phones.resolve(key: .flowToken("ft_unknown"), subject: "metaflow/response/3").status == .pending)
        await endpoint.stop()
    }

    @Test func withoutAPatternOnlyTheMapIsRegistered() async throws {
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(.object([:])))
        let attempts = try await endpoint.host.phones.resolve(key: .flowToken("deepal-212610059159-x"), subject: "metaflow/response/9")
        #expect(attempts.status == .pending)
        let strategies = try await endpoint.host.query("SELECT strategy FROM switchboard_phone_attempts ORDER BY id").map { try $0.string("strategy") }
        #expect(strategies == ["evidence", "metaflow.token_map"])
        await endpoint.stop()
    }
}
