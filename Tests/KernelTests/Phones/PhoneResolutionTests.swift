import Foundation
import PluginAPI
import PluginTesting
import Testing
import TestPlugins
@testable import Kernel

/// The resolution chain on every backend, with a manual clock: strategy order, timeouts,
/// failures moving on, retries, back-fill, conflicts and pattern replacement.
@Suite("phone resolution", .serialized)
struct PhoneResolutionTests {
    typealias S = PhoneTestSupport

    @Test(arguments: TestStorage.backends)
    func strategiesRunInOrderAndFailuresMoveOn(backend: String) async throws {
        let host = try await S.host(backend, strategies: ["broken", "slow", "directory", "token_pattern"])
        let started = Date()
        let resolution = try await host.phones.resolve(key: .flowToken("dir-212610059159"), subject: "kit/response/1")
        #expect(resolution.status == .resolved)
        #expect(resolution.phone?.e164 == "+212610059159")
        #expect(resolution.source == "phonekit.directory")
        #expect(resolution.sourceKind == .observed)
        #expect(resolution.rounds == 1)
        // The slow strategy was cut off at its 100 ms timeout, not waited for (it sleeps 30 s);
        // the bound is loose because a loaded CI machine is slow to schedule anything.
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try await S.attempts(host, "kit/response/1")
                == ["evidence:miss", "phonekit.broken:error", "phonekit.slow:timeout", "phonekit.directory:hit"])
        let latency = try await host.query("SELECT latency_us, detail FROM switchboard_phone_attempts WHERE outcome = 'timeout'")
        #expect(try (latency.first?.int("latency_us") ?? 0) >= 100_000)
        #expect(try latency.first?.optionalString("detail")?.contains("100ms") == true)
        let broken = try await host.query("SELECT detail FROM switchboard_phone_attempts WHERE outcome = 'error'")
        #expect(try broken.first?.optionalString("detail") == "directory offline")
        // The hit is kept as evidence: another subject with the key resolves from evidence alone.
        let second = try await host.phones.resolve(key: .flowToken("dir-212610059159"), subject: "kit/response/2")
        #expect(second.phone?.e164 == "+212610059159")
        #expect(try await S.attempts(host, "kit/response/2") == ["evidence:hit"])
        // The owner hears of both.
        let events = try await S.events(host)
        #expect(events.filter { $0.name == "phone.resolved" }.count == 2)
        let first = events.first { $0.payload.contains("\"subject\":\"kit/response/1\"") }
        #expect(first?.payload.contains("\"phone\":\"+212610059159\"") == true)
        #expect(first?.payload.contains("\"source\":\"phonekit.directory\"") == true)
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func configuredOrderDecidesAndUnlistedStrategiesDoNotRun(backend: String) async throws {
        // The subject's key names a number by pattern; a linked key is in the directory with another.
        let token = PhoneKey.flowToken("deepal-212600000001-7f3a")
        let directory = PhoneKey.custom("dir-212600000002")

        let byDefault = try await S.host(backend, strategies: ["token_pattern", "directory", "broken"])
        try await S.link(byDefault, token, directory)
        let observedFirst = try await byDefault.phones.resolve(key: token, subject: "kit/a")
        // Without phone.strategies: observed sources before pattern-derived ones.
        #expect(observedFirst.phone?.e164 == "+212600000002")
        #expect(try await S.attempts(byDefault, "kit/a") == ["evidence:miss", "phonekit.directory:hit"])
        await byDefault.stop()

        let configured = try await S.host(backend, strategies: ["token_pattern", "directory", "broken"],
                                          phone: #"{"strategies": ["evidence", "phonekit.token_pattern", "phonekit.directory"]}"#)
        try await S.link(configured, token, directory)
        let patternFirst = try await configured.phones.resolve(key: token, subject: "kit/a")
        #expect(patternFirst.phone?.e164 == "+212600000001")
        #expect(patternFirst.sourceKind == .pattern)
        #expect(try await S.attempts(configured, "kit/a") == ["evidence:miss", "phonekit.token_pattern:hit"])
        // `broken` is registered but not listed: it never runs.
        let miss = try await configured.phones.resolve(key: .flowToken("nothing"), subject: "kit/b")
        #expect(miss.status == .pending)
        #expect(try await S.attempts(configured, "kit/b") == ["evidence:miss", "phonekit.token_pattern:miss", "phonekit.directory:miss"])
        await configured.stop()
    }

    @Test func aStrategyNoEnabledPluginRegistersIsAConfigError() async throws {
        do {
            _ = try await S.host("sqlite", strategies: ["directory"], phone: #"{"strategies": ["phonekit.directory", "chatwoot.search"]}"#)
            Issue.record("an unknown strategy was accepted")
        } catch {
            #expect("\(error)".contains("phone.strategies[1]"))
            #expect("\(error)".contains("chatwoot.search"))
        }
    }

    @Test(arguments: TestStorage.backends)
    func pendingIsRetriedOnTheScheduleThenResolvedByALateLearn(backend: String) async throws {
        let host = try await S.host(backend, strategies: ["directory"])
        let key = PhoneKey.flowToken("tok-late")
        let first = try await host.phones.resolve(key: key, subject: "kit/late")
        #expect(first.status == .pending)
        #expect(first.nextAttemptAt == host.clock.nowMillis + 5_000)
        // Nothing is due before the first delay.
        #expect(try await host.runDueJobs() == 0)
        host.clock.advance(by: 5)
        try await host.runDueJobs()
        var state = try await host.phones.resolution(subject: "kit/late")
        #expect(state?.status == .pending)
        #expect(state?.rounds == 2)
        #expect(state?.nextAttemptAt == host.clock.nowMillis + 30_000)
        #expect(try await S.attempts(host, "kit/late") == ["evidence:miss", "phonekit.directory:miss", "evidence:miss", "phonekit.directory:miss"])
        // Evidence arrives (a nfm_reply webhook): resolved at once, without waiting for the next round.
        let learned = try await S.learn(host, key, "+212610059159", source: "metaflow.nfm_reply")
        #expect(learned.resolved == ["kit/late"])
        state = try await host.phones.resolution(subject: "kit/late")
        #expect(state?.status == .resolved)
        #expect(state?.source == "metaflow.nfm_reply")
        #expect(state?.nextAttemptAt == nil)
        // The round that was due does nothing to a resolved subject.
        host.clock.advance(by: 30)
        try await host.runDueJobs()
        #expect(try await S.attempts(host, "kit/late").count == 4)
        #expect(try await S.events(host).map(\.name) == ["phone.resolved"])
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func pendingBecomesUnresolvedAfterTheLastRetryAndALateLearnStillResolves(backend: String) async throws {
        let host = try await S.host(backend, phone: #"{"retry_schedule": ["1s", "2s"]}"#)
        let key = PhoneKey.waMessageID("wamid.none")
        #expect(try await host.phones.resolve(key: key, subject: "kit/never").status == .pending)
        host.clock.advance(by: 1)
        try await host.runDueJobs()
        #expect(try await host.phones.resolution(subject: "kit/never")?.status == .pending)
        host.clock.advance(by: 2)
        try await host.runDueJobs()
        let state = try await host.phones.resolution(subject: "kit/never")
        #expect(state?.status == .unresolved)
        #expect(state?.rounds == 3)
        #expect(state?.nextAttemptAt == nil)
        host.clock.advance(by: 3600)
        #expect(try await host.runDueJobs() == 0)   // no round is left
        #expect(try await S.events(host).map(\.name) == ["phone.unresolved"])
        try await S.learn(host, key, "+212610059159")
        #expect(try await host.phones.resolution(subject: "kit/never")?.status == .resolved)
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func evidenceBackFillsThroughLinkedKeysAndWaitsForLateSubjects(backend: String) async throws {
        let host = try await S.host(backend)
        let token = PhoneKey.flowToken("tok-linked")
        let wamid = PhoneKey.waMessageID("wamid.HBgM1")
        // When we sent the Flow, its wamid was linked to its token.
        try await S.link(host, wamid, token)
        #expect(try await host.phones.resolve(key: token, subject: "kit/linked").status == .pending)
        // The reply's webhook knows only the wamid it refers to.
        let learned = try await S.learn(host, wamid, "+212610059159", source: "metaflow.nfm_reply")
        #expect(learned.resolved == ["kit/linked"])
        #expect(try await host.phones.resolution(subject: "kit/linked")?.phone?.e164 == "+212610059159")

        // Evidence before its subject: kept, and used when the subject appears.
        try await S.learn(host, .bsuid("US.13491208655302741918"), "+212600000003", source: "metaflow.contacts")
        let late = try await host.phones.resolve(key: .bsuid("US.13491208655302741918"), subject: "kit/early-evidence")
        #expect(late.status == .resolved)
        #expect(late.phone?.e164 == "+212600000003")
        #expect(try await S.attempts(host, "kit/early-evidence") == ["evidence:hit"])

        // Linking after the fact back-fills too; so does registering a known subject under a second key.
        #expect(try await host.phones.resolve(key: .conversation("cw-77"), subject: "kit/after").status == .pending)
        try await S.learn(host, .custom("crm:77"), "+212600000004")
        _ = try await host.phones.resolve(key: .custom("crm:77"), subject: "kit/after")
        #expect(try await host.phones.resolution(subject: "kit/after")?.phone?.e164 == "+212600000004")
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func disagreeingObservedSourcesKeepTheFirstAndFlagForReview(backend: String) async throws {
        let host = try await S.host(backend)
        let key = PhoneKey.flowToken("tok-conflict")
        _ = try await host.phones.resolve(key: key, subject: "kit/conflict")
        try await S.learn(host, key, "+212610059159", source: "metaflow.nfm_reply")
        // The same evidence again changes nothing.
        #expect(try await S.learn(host, key, "+212610059159", source: "metaflow.nfm_reply").isNew == false)
        let conflicting = try await S.learn(host, key, "+212600000009", source: "chatwoot.webhook")
        #expect(conflicting.conflicts == ["kit/conflict"])
        var state = try await host.phones.resolution(subject: "kit/conflict")
        #expect(state?.status == .conflict)
        #expect(state?.phone?.e164 == "+212610059159")
        #expect(state?.source == "metaflow.nfm_reply")
        #expect(try await S.disagreements(host) == ["conflict kept +212610059159 other +212600000009"])
        let events = try await S.events(host)
        #expect(events.map(\.name).sorted() == ["phone.conflict", "phone.resolved"])
        #expect(events.first { $0.name == "phone.conflict" }?.payload.contains("\"other_source\":\"chatwoot.webhook\"") == true)
        // A subject registered later under the same key is flagged as well.
        let later = try await host.phones.resolve(key: key, subject: "kit/conflict-2")
        #expect(later.status == .conflict)
        #expect(later.phone?.e164 == "+212610059159")
        // The operator settles it.
        let queries = try host.kernel.phoneQueries(store: host.store)
        let assigned = try await queries.assign(subject: "kit/conflict", phone: "+212600000009", region: nil, note: "called the customer")
        #expect(assigned.status == .resolved)
        #expect(assigned.phone?.e164 == "+212600000009")
        #expect(assigned.source == "manual")
        state = try await host.phones.resolution(subject: "kit/conflict-2")
        #expect(state?.status == .resolved)
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func aPatternDerivedNumberIsReplacedByObservedEvidence(backend: String) async throws {
        let host = try await S.host(backend, strategies: ["token_pattern"])
        let key = PhoneKey.flowToken("deepal-212600000001-aa11")
        let guessed = try await host.phones.resolve(key: key, subject: "kit/guess")
        #expect(guessed.phone?.e164 == "+212600000001")
        #expect(guessed.sourceKind == .pattern)
        let learned = try await S.learn(host, key, "+212610059159", source: "metaflow.nfm_reply")
        #expect(learned.resolved == ["kit/guess"])
        #expect(learned.conflicts.isEmpty)
        let state = try await host.phones.resolution(subject: "kit/guess")
        #expect(state?.status == .resolved)
        #expect(state?.phone?.e164 == "+212610059159")
        #expect(state?.source == "metaflow.nfm_reply")
        #expect(state?.sourceKind == .observed)
        #expect(try await S.disagreements(host) == ["pattern_replaced kept +212610059159 other +212600000001"])
        let events = try await S.events(host)
        #expect(events.map(\.name) == ["phone.resolved", "phone.resolved"])
        #expect(events.contains { $0.payload.contains("\"previous_phone\":\"+212600000001\"") })
        // A later pattern guess never displaces observed evidence.
        try await S.learn(host, key, "+212600000005", source: "other.pattern", kind: .pattern)
        #expect(try await host.phones.resolution(subject: "kit/guess")?.phone?.e164 == "+212610059159")
        await host.stop()
    }

    @Test(arguments: TestStorage.backends)
    func trackRegistersInTheCallersTransactionAndResolvesInAJob(backend: String) async throws {
        let host = try await S.host(backend, strategies: ["directory"])
        let phones = host.phones
        let tracked = try await host.store.write { db in try phones.track(key: .flowToken("dir-212600000007"), subject: "kit/tracked", in: db) }
        #expect(tracked.status == .pending)
        // A rolled-back transaction leaves nothing behind.
        struct Abort: Error {}
        _ = try? await host.store.write { db in
            try phones.track(key: .flowToken("dir-212600000008"), subject: "kit/rolled-back", in: db)
            throw Abort()
        }
        try await host.runDueJobs()
        #expect(try await host.phones.resolution(subject: "kit/tracked")?.phone?.e164 == "+212600000007")
        #expect(try await host.phones.resolution(subject: "kit/rolled-back") == nil)
        await host.stop()
    }

    @Test func badKeysAndSubjectsAreRefused() async throws {
        let host = try await S.host("sqlite")
        await #expect(throws: PhoneError.self) { try await host.phones.resolve(key: .flowToken(""), subject: "kit/x") }
        await #expect(throws: PhoneError.self) { try await host.phones.resolve(key: .flowToken("t"), subject: "") }
        await #expect(throws: PhoneError.self) { try await host.phones.resolve(key: .flowToken("t"), subject: "a\nb") }
        await #expect(throws: PhoneError.self) {
            try await S.learn(host, .flowToken("t"), "+212610059159", source: "evidence")
        }
        #expect(try await host.query("SELECT id FROM switchboard_phone_subjects").isEmpty)
        await host.stop()
    }
}
