import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// One suite, every backend: SQLite always, PostgreSQL when SWITCHBOARD_TEST_POSTGRES_URL is set.
@Suite("store conformance")
struct StoreConformanceTests {
    static let backends = TestStorage.backends

    // MARK: transactions

    @Test(arguments: backends)
    func transactionsCommitAndRollBack(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        try await f.store.execute("CREATE TABLE conf_t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)")
        _ = try await f.store.write { try $0.execute("INSERT INTO conf_t (id, v) VALUES ($1, $2)", 1, "one") }
        await #expect(throws: (any Error).self) {
            try await f.store.write { db in
                try db.execute("INSERT INTO conf_t (id, v) VALUES ($1, $2)", 2, "two")
                throw StorageError(.other, "abort")
            }
        }
        let rows = try await f.store.query("SELECT id, v FROM conf_t ORDER BY id")
        #expect(rows.count == 1)
        #expect(try rows[0].string("v") == "one")
        do {
            try await f.store.execute("INSERT INTO conf_t (id, v) VALUES ($1, $2)", [.integer(1), .text("dup")])
            Issue.record("duplicate key accepted")
        } catch let error as StorageError {
            #expect(error.kind == .constraint)
        }
    }

    // MARK: migrations

    @Test(arguments: backends)
    func migrationsApplyOnceAndDetectEdits(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let runner = MigrationRunner(store: f.store, crypto: OpenSSLCrypto())
        let v1 = PluginRegistrar.MigrationRecord(version: 1, sql: "CREATE TABLE demo_items (id {{id}}, data {{blob}});\nCREATE INDEX demo_items_data ON demo_items (data);", postgres: nil)
        let first = try await runner.apply(owners: [("demo", [v1])], now: 1)
        #expect(first.applied == ["demo 1"])
        let again = try await runner.apply(owners: [("demo", [v1])], now: 2)
        #expect(again.applied.isEmpty)
        // The id token gives an auto-increment key and blob a bytes column on both dialects.
        let id = try await f.store.write { db in
            try db.query("INSERT INTO demo_items (data) VALUES ($1) RETURNING id", [.blob([0, 255])]).first?.int("id")
        }
        #expect(id == 1)
        let edited = PluginRegistrar.MigrationRecord(version: 1, sql: "CREATE TABLE demo_items (id {{id}});", postgres: nil)
        await #expect {
            _ = try await runner.apply(owners: [("demo", [edited])], now: 3)
        } throws: { error in
            "\(error)".contains("migration demo 1 was changed after it was applied")
        }
        let v2 = PluginRegistrar.MigrationRecord(version: 2, sql: "ALTER TABLE demo_items ADD COLUMN note TEXT", postgres: nil)
        #expect(try await runner.apply(owners: [("demo", [v1, v2])], now: 4).applied == ["demo 2"])
        // A failing migration is not recorded, so a fixed one applies later.
        let bad = PluginRegistrar.MigrationRecord(version: 3, sql: "CREATE TABLE demo_items (id BIGINT)", postgres: nil)
        await #expect(throws: MigrationError.self) { _ = try await runner.apply(owners: [("demo", [v1, v2, bad])], now: 5) }
        let count = try await f.store.query("SELECT COUNT(*) AS n FROM switchboard_migrations WHERE owner = 'demo'")
        #expect(try count[0].int("n") == 2)
    }

    // MARK: jobs

    static func enqueue(_ f: StorageFixture, _ registry: JobRegistry, clock: TestClock, _ jobs: [JobRequest]) async throws {
        let queue = KernelJobQueue(registry: registry, clock: clock)
        try await f.store.write { db in for job in jobs { try queue.enqueue(job, in: db) } }
    }

    @Test(arguments: backends)
    func concurrentClaimsNeverShareAJob(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let registry = JobRegistry.testing([("t.work", "q", 3, { _ in .done })])
        try await Self.enqueue(f, registry, clock: clock, (0..<200).map { JobRequest(name: "t.work", payload: "{\"n\":\($0)}") })
        // Four engines (as four workers or instances) claim at once.
        let engines = (0..<4).map { _ in JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error)) }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for engine in engines {
                group.addTask {
                    var ids: [Int64] = []
                    while true {
                        let batch = try await engine.claim(limit: 7)
                        if batch.isEmpty { return ids }
                        ids += batch.map(\.id)
                    }
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)
    }

    /// A claim reads the jobs it takes through the claim index, in its order, however many wait
    /// (it once read and sorted every available job: a backlog made each claim slower).
    @Test func sqliteClaimReadsOnlyTheJobsItTakes() async throws {
        let f = try await StorageFixture.open("sqlite")
        defer { Task { await f.close() } }
        let clock = TestClock()
        let registry = JobRegistry.testing([("t.a", "qa", 3, { _ in .done }), ("t.b", "qb", 3, { _ in .done })])
        try await Self.enqueue(f, registry, clock: clock, (0..<300).map { JobRequest(name: $0 % 2 == 0 ? "t.a" : "t.b", payload: "{}") })
        let plan = try await f.store.read { db in
            // The claim binds $2 and $4 outside this subquery; numbered without the gap here.
            let sql = "EXPLAIN QUERY PLAN " + JobSQL.dueSQLite.replacingOccurrences(of: "$3", with: "$2")
            return try db.query(sql, [.integer(clock.millis), .integer(8)]).map { try $0.string("detail") }
        }
        #expect(plan.contains { $0.contains("switchboard_jobs_claim") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        // And the order it promises: by run_at, then id, across queues.
        let engine = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        let first = try await engine.claim(limit: 8).map(\.id)
        #expect(first == first.sorted() && first.count == 8)
        let lowest = try await f.store.query("SELECT MIN(id) AS id FROM switchboard_jobs")
        #expect(first.first == (try lowest[0].int("id")))
    }

    @Test(arguments: backends)
    func outcomesRetryDeadSnoozeAndCancel(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let runs = RunLog()
        let registry = JobRegistry.testing([
            ("t.flaky", "q", 2, { ctx in runs.add("flaky\(ctx.attempt)"); throw StorageError(.other, "upstream down") }),
            ("t.snooze", "q", 1, { ctx in
                runs.add("snooze\(ctx.attempt)")
                let firstRun = runs.all.filter { $0.hasPrefix("snooze") }.count == 1
                return firstRun ? JobOutcome.snooze(seconds: 30) : JobOutcome.done
            }),
            ("t.cancel", "q", 3, { _ in .cancel(reason: "not needed") }),
            ("t.permanent", "q", 5, { _ in throw PermanentJobError("malformed payload") }),
        ])
        try await Self.enqueue(f, registry, clock: clock, ["t.flaky", "t.snooze", "t.cancel", "t.permanent"].map { JobRequest(name: $0) })
        let engine = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        #expect(try await engine.runDueJobs() == 4)
        // Nothing is due until the clock moves: retries back off, the snooze waits 30 s.
        #expect(try await engine.runDueJobs() == 0)
        clock.advance(ms: 31_000)
        #expect(try await engine.runDueJobs() == 2)  // flaky's second (last) attempt, snooze's rerun
        let rows = try await f.store.query("SELECT name, status, attempt, last_error FROM switchboard_jobs ORDER BY name")
        let byName = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("name"), $0) })
        #expect(try byName["t.flaky"]?.string("status") == "dead")
        #expect(try byName["t.flaky"]?.optionalString("last_error")?.contains("upstream down") == true)
        #expect(try byName["t.snooze"]?.string("status") == "done")
        // The snooze gave its attempt back.
        #expect(try byName["t.snooze"]?.int("attempt") == 1)
        #expect(try byName["t.cancel"]?.string("status") == "cancelled")
        #expect(try byName["t.permanent"]?.string("status") == "dead")
        #expect(try byName["t.permanent"]?.int("attempt") == 1)
        #expect(runs.all.filter { $0.hasPrefix("flaky") } == ["flaky1", "flaky2"])
    }

    /// `JobContext.complete(in:)`: the handler's last write and the job's completion commit
    /// together, and the engine spends no transaction of its own on `.done`; a transaction that
    /// rolls back leaves the job to its retry.
    @Test(arguments: backends)
    func jobsCompleteInTheHandlersTransaction(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        _ = try await f.store.execute("CREATE TABLE test_effects (job_id BIGINT NOT NULL)")
        let clock = TestClock()
        let counting = WriteCountingStore(f.store)
        let registry = JobRegistry.testing([
            ("t.atomic", "q", 3, { ctx in
                try await counting.write { db in
                    _ = try db.execute("INSERT INTO test_effects (job_id) VALUES ($1)", [.integer(ctx.id)])
                    try ctx.complete(in: db)
                }
                return .done
            }),
            ("t.rolledback", "q", 3, { ctx in
                try await counting.write { db in
                    _ = try db.execute("INSERT INTO test_effects (job_id) VALUES ($1)", [.integer(ctx.id)])
                    try ctx.complete(in: db)
                    throw StorageError(.other, "the work failed after completing")
                }
                return .done
            }),
        ])
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.atomic"), JobRequest(name: "t.rolledback")])
        let engine = JobEngine(store: counting, registry: registry, clock: clock, log: JSONLogger(level: .error))
        let claimed = try await engine.claim(limit: 8)
        #expect(claimed.count == 2)
        let before = counting.writes
        for job in claimed { await engine.run(job) }
        // The two handlers' transactions and the retry's record: none to record `.done`.
        #expect(counting.writes - before == 3)
        let rows = try await f.store.query("SELECT id, name, status, attempt, finished_at, last_error FROM switchboard_jobs ORDER BY name")
        let byName = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("name"), $0) })
        let atomic = try #require(byName["t.atomic"])
        #expect(try atomic.string("status") == "done")
        #expect(try atomic.optionalInt("finished_at") == clock.millis)
        let rolledBack = try #require(byName["t.rolledback"])
        #expect(try rolledBack.string("status") == "available")
        #expect(try rolledBack.optionalString("last_error")?.contains("the work failed") == true)
        let effects = try await f.store.query("SELECT job_id FROM test_effects").map { try $0.int("job_id") }
        #expect(effects == [try atomic.int("id")])
    }

    @Test(arguments: backends)
    func expiredLeasesAreRescued(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let registry = JobRegistry.testing([("t.work", "q", 2, { _ in .done })], timeout: .seconds(10))
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.work")])
        let crashed = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        // A worker claims it and "crashes" (never records an outcome).
        #expect(try await crashed.claim(limit: 1).count == 1)
        let survivor = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        #expect(try await survivor.rescue(now: clock.millis) == 0)  // lease still valid
        clock.advance(ms: 11_000)
        #expect(try await survivor.rescue(now: clock.millis) == 1)
        #expect(try await survivor.runDueJobs() == 1)
        let row = try await f.store.query("SELECT status, attempt FROM switchboard_jobs")
        #expect(try row[0].string("status") == "done")
        #expect(try row[0].int("attempt") == 2)
        // A lease that expires on the last attempt ends dead.
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.work", payload: "{\"second\":1}")])
        _ = try await crashed.claim(limit: 1)
        clock.advance(ms: 11_000)
        _ = try await survivor.rescue(now: clock.millis)
        _ = try await crashed.claim(limit: 1)
        clock.advance(ms: 11_000)
        _ = try await survivor.rescue(now: clock.millis)
        let dead = try await f.store.query("SELECT status FROM switchboard_jobs WHERE payload = '{\"second\":1}'")
        #expect(try dead[0].string("status") == "dead")
    }

    @Test(arguments: backends)
    func uniqueKeysHoldWhileWaitingOrRunning(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let registry = JobRegistry.testing([("t.work", "q", 2, { _ in .done })])
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.work", uniqueKey: "k"), JobRequest(name: "t.work", uniqueKey: "k")])
        #expect(try await f.store.query("SELECT id FROM switchboard_jobs").count == 1)
        let engine = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        _ = try await engine.runDueJobs()
        // Done: the key is free again.
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.work", uniqueKey: "k")])
        #expect(try await f.store.query("SELECT id FROM switchboard_jobs").count == 2)
    }

    @Test(arguments: backends)
    func rateLimitHoldsInAnyWindow(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let starts = RunLog()
        let registry = JobRegistry.testing([("t.send", "wa", 3, { _ in starts.add("\(clock.millis)"); return .done })],
                                           rateLimits: ["wa": RateLimit(count: 2, window: .seconds(60))])
        try await Self.enqueue(f, registry, clock: clock, (0..<5).map { JobRequest(name: "t.send", payload: "{\"n\":\($0)}") })
        let engine = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        var timeline: [Int64] = []
        for _ in 0..<40 {
            let before = starts.all.count
            _ = try await engine.runDueJobs()
            timeline += Array(repeating: clock.millis, count: starts.all.count - before)
            clock.advance(ms: 10_000)
        }
        #expect(timeline.count == 5)
        // At most 2 starts in any 60 s window.
        for (i, t) in timeline.enumerated() {
            #expect(timeline[i...].prefix { $0 < t + 60_000 }.count <= 2, "window at \(t): \(timeline)")
        }
        // Denied jobs were snoozed, not failed: every job needed exactly one attempt.
        let attempts = try await f.store.query("SELECT attempt FROM switchboard_jobs").map { try $0.int("attempt") }
        #expect(attempts.allSatisfy { $0 == 1 })
    }

    @Test(arguments: backends)
    func periodicJobsRunOncePerSlotAcrossInstances(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let runs = RunLog()
        let registry = JobRegistry.testing([("t.tick", "q", 1, { ctx in runs.add(ctx.payload); return .done })],
                                           periodic: [.init(job: "t.tick", interval: .seconds(60))])
        let a = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        let b = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error))
        for _ in 0..<3 {
            try await a.enqueuePeriodic(now: clock.millis)
            try await b.enqueuePeriodic(now: clock.millis)
            _ = try await a.runDueJobs()
            _ = try await b.runDueJobs()
            clock.advance(ms: 20_000)
        }
        // 60 s passed in three 20 s steps: slots touched are the first and (maybe) the next.
        let slots = Set(runs.all)
        #expect(runs.all.count == slots.count, "a slot ran twice: \(runs.all)")
        let start: Int64 = 1_790_000_000_000
        let expectedSlots: Set<Int64> = [start / 60_000, (start + 20_000) / 60_000, (start + 40_000) / 60_000]
        #expect(runs.all.count == expectedSlots.count)
    }

    @Test(arguments: backends)
    func retentionPrunesOldFinishedWork(backend: String) async throws {
        let f = try await StorageFixture.open(backend)
        defer { Task { await f.close() } }
        let clock = TestClock()
        let registry = JobRegistry.testing([("t.work", "q", 1, { _ in .done }), ("t.fail", "q", 1, { _ in throw PermanentJobError("no") })])
        try await Self.enqueue(f, registry, clock: clock, [JobRequest(name: "t.work"), JobRequest(name: "t.fail")])
        var settings = JobEngine.Settings()
        settings.jobRetention = .seconds(3600)
        let engine = JobEngine(store: f.store, registry: registry, clock: clock, log: JSONLogger(level: .error), settings: settings)
        _ = try await engine.runDueJobs()
        try await engine.prune(now: clock.millis + 1_000)
        #expect(try await f.store.query("SELECT id FROM switchboard_jobs").count == 2)
        try await engine.prune(now: clock.millis + 3_601_000)
        // Done jobs go; dead ones stay for the operator.
        let left = try await f.store.query("SELECT status FROM switchboard_jobs").map { try $0.string("status") }
        #expect(left == ["dead"])
    }
}
