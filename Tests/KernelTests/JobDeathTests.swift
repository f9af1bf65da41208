import Foundation
import PluginAPI
import PluginTesting
import Testing
import TestPlugins
@testable import Kernel

/// `job.dead`: every way a job dies is announced once, in the transaction that marks it, and
/// a subscriber of `job.dead` that dies itself announces nothing (no loop).
@Suite("job deaths")
struct JobDeathTests {
    @Test(arguments: TestStorage.backends)
    func everyDeathIsAnnouncedOnceAndADyingSubscriberFeedsNothing(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let seen = RunLog()
        let store = f.store
        let registry = JobRegistry.testing([
            ("t.permanent", "q", 3, { _ in throw PermanentJobError("malformed payload") }),
            ("t.exhausted", "q", 2, { _ in throw StorageError(.other, "upstream down") }),
            ("t.crashes", "q", 1, { _ in .done }),
            ("t.fine", "q", 1, { _ in .done }),
            ("test.on.job.dead#0", "q", 1, EventDelivery.handler(store: store) { event in seen.add(event.payload); return .done }),
            ("test.on.job.dead#1", "q", 2, EventDelivery.handler(store: store) { _ in throw StorageError(.other, "subscriber down") }),
        ], timeout: .seconds(10), subscriptions: ["job.dead": ["test.on.job.dead#0", "test.on.job.dead#1"]])
        try await StoreConformanceTests.enqueue(f, registry, clock: clock, [
            JobRequest(name: "t.permanent", payload: #"{"call":7}"#), JobRequest(name: "t.exhausted"), JobRequest(name: "t.fine"),
        ])
        let engine = JobEngine(store: store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        _ = try await engine.runDueJobs()
        clock.advance(ms: 5_000)
        _ = try await engine.runDueJobs()                      // t.exhausted's last attempt
        // A worker claims t.crashes on its only attempt and never comes back: the rescuer kills it.
        try await StoreConformanceTests.enqueue(f, registry, clock: clock, [JobRequest(name: "t.crashes", payload: #"{"call":8}"#)])
        let crashed = JobEngine(store: store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        #expect(try await crashed.claim(limit: 10).map(\.name).contains("t.crashes"))
        clock.advance(ms: 11_000)
        _ = try await engine.rescue(now: clock.millis)
        // Run every delivery, the failing subscriber to its death.
        for _ in 0..<6 {
            _ = try await engine.runDueJobs()
            clock.advance(ms: 60_000)
        }

        let deaths = try await store.query("SELECT payload FROM switchboard_events WHERE name = 'job.dead' ORDER BY id")
            .map { try JSONSerialization.jsonObject(with: Data(try $0.string("payload").utf8)) as? [String: Any] ?? [:] }
        #expect(deaths.map { $0["name"] as? String } == ["t.permanent", "t.exhausted", "t.crashes"])
        #expect(deaths[0]["payload"] as? String == #"{"call":7}"# && deaths[0]["error"] as? String == "malformed payload")
        #expect(deaths[0]["queue"] as? String == "q" && deaths[0]["attempt"] as? Int == 1 && deaths[0]["job_id"] is Int)
        #expect((deaths[1]["error"] as? String)?.contains("upstream down") == true && deaths[1]["attempt"] as? Int == 2)
        #expect((deaths[2]["error"] as? String)?.contains("lease expired on the last attempt") == true)
        #expect(deaths[2]["payload"] as? String == #"{"call":8}"#)
        // The recording subscriber got all three; the failing one died on each and announced nothing.
        #expect(seen.all.count == 3)
        let failed = try await store.query("SELECT status FROM switchboard_jobs WHERE name = 'test.on.job.dead#1'").map { try $0.string("status") }
        #expect(failed == ["dead", "dead", "dead"])
    }

    /// A channel's send job whose worker crashed on its last attempt never recorded an
    /// outcome: the message is failed and `message.failed` published, as a last error would.
    @Test(arguments: TestStorage.backends)
    func aSendWhoseJobDiedIsFailedAndAnnounced(backend: String) async throws {
        let host = try PluginTestHost(plugins: [LoopbackChannelPlugin.self], config: #"{"plugins":{"loopback":{"enabled":true}}}"#,
                                      storageURL: try await TestStorage.freshURL(for: backend))
        try await host.start()
        defer { Task { await host.stop() } }
        let phone = try host.phones.normalize("+212610059159", region: nil)
        let channels = host.channels
        let id = try await host.store.write { db in try channels.send(channel: "loopback", to: phone, message: ChannelMessage(text: "hello"), in: db) }
        #expect(try await host.crashJobsOnTheirLastAttempt(named: "loopback.channel.loopback") == 1)
        try await host.runDueJobs()
        let row = try #require(try await host.query("SELECT status, error FROM switchboard_messages WHERE id = $1", [.integer(id)]).first)
        #expect(try row.string("status") == "failed")
        #expect(try row.optionalString("error")?.hasPrefix("the send job died: lease expired on the last attempt") == true)
        let announced = try await host.query("SELECT name FROM loopback_events").map { try $0.string("name") }
        #expect(announced == ["message.failed"])
        #expect(try await host.query("SELECT id FROM loopback_sent").isEmpty)
        #expect(try await host.publishedEvents(named: "job.dead").count == 1)
    }
}
