import Dispatch
import Foundation
import PluginAPI
import Synchronization
import Testing
@testable import Kernel

/// `SQLiteStore` on a real database file in a fresh temporary directory per test: value
/// round trips, placeholders, group commit with per-body rollback, error kinds and messages,
/// snapshots, pragmas and closing.
@Suite struct SQLiteStoreTests {
    // MARK: - Values and statements

    /// Every `SQLValue` kind comes back as it went in, with the edge cases SQLite's C API
    /// gets wrong by default (empty blob vs NULL, empty text, NULs inside text).
    @Test func everyValueKindRoundTrips() async throws {
        let values: [SQLValue] = [
            .null,
            .integer(0), .integer(Int64.min), .integer(Int64.max), .integer(-1),
            .double(3.141592653589793), .double(-0.5), .double(1e300), .double(.infinity),
            .text(""), .text("héllo 🌍 مرحبا 你好"), .text("a\u{0}b\u{0}"), .text("\u{0}"),
            .blob([]), .blob([0, 1, 2, 255]), .blob([UInt8](repeating: 0xab, count: 100_000)),
        ]
        try await withStore { store in
            // No declared type: no affinity, so SQLite keeps each value's own storage class.
            try await store.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, x)")
            for (id, value) in values.enumerated() {
                let changed = try await store.execute("INSERT INTO v (id, x) VALUES ($1, $2)", [.integer(Int64(id)), value])
                #expect(changed == 1)
            }
            let rows = try await store.query("SELECT id, x, typeof(x) AS t FROM v ORDER BY id")
            #expect(rows.map { $0["x"] } == values.map { $0 })
            // The empty blob is a zero-length blob, the empty text is text: neither became NULL.
            let types = try rows.map { try $0.string("t") }
            #expect(types[try #require(values.firstIndex(of: .blob([])))] == "blob")
            #expect(types[try #require(values.firstIndex(of: .text("")))] == "text")
            #expect(types[0] == "null")
            // Each value also binds back as a parameter and matches itself.
            for (id, value) in values.enumerated() where value != .null {
                let found = try await store.query("SELECT id FROM v WHERE x = $1", [value])
                #expect(try found.map { try $0.int("id") } == [Int64(id)], "\(value.kind)")
            }
        }
    }

    @Test func createReadUpdateDelete() async throws {
        try await withStore { store in
            #expect(try await store.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)") == 0)
            for i in 1...3 {
                try await store.execute("INSERT INTO c (name, n) VALUES ($1, $2)", [.text("row \(i)"), .integer(Int64(i))])
            }
            #expect(try await store.execute("UPDATE c SET n = n * 10 WHERE n >= $1", [.integer(2)]) == 2)
            // DDL after DML reports 0 rows, not the previous statement's count.
            #expect(try await store.execute("CREATE INDEX c_n ON c (n)") == 0)
            #expect(try await store.execute("DELETE FROM c WHERE name = $1", [.text("row 1")]) == 1)
            let rows = try await store.query("SELECT name, n FROM c ORDER BY id")
            #expect(try rows.map { try $0.string("name") } == ["row 2", "row 3"])
            #expect(try rows.map { try $0.int("n") } == [20, 30])
            // RETURNING through a write body, with the variadic helpers.
            let id = try await store.write { db in
                try db.queryOne("INSERT INTO c (name, n) VALUES ($1, $2) RETURNING id", "row 4", 4)?.int("id")
            }
            #expect(id == 4)
        }
    }

    /// `$n` binds by name: repeated, out of order; a count mismatch or a non-`$` placeholder
    /// is a schema error.
    @Test func placeholdersBindByNumber() async throws {
        try await withStore { store in
            let row = try #require(try await store.query("SELECT $1 AS a, $2 AS b, $1 + $1 AS c", [.integer(7), .text("x")]).first)
            #expect(row["a"] == .integer(7))
            #expect(row["b"] == .text("x"))
            #expect(row["c"] == .integer(14))
            let reversed = try #require(try await store.query("SELECT $2 || $1 AS s", [.text("a"), .text("b")]).first)
            #expect(reversed["s"] == .text("ba"))

            for (sql, parameters) in [("SELECT $1 AS a", [SQLValue.integer(1), .integer(2)]), ("SELECT $1, $2", [.integer(1)]),
                                      ("SELECT ? AS a", [.integer(1)]), ("SELECT $1, $3", [.integer(1), .integer(2)])] {
                let error = await #expect(throws: StorageError.self) { try await store.query(sql, parameters) }
                #expect(error?.kind == .schema, "\(sql): \(String(describing: error))")
            }
        }
    }

    /// A migration script (several statements, no parameters) runs whole; with parameters it
    /// is refused, and `query` takes one statement only.
    @Test func scriptsRunWithoutParameters() async throws {
        try await withStore { store in
            try await store.execute("""
                CREATE TABLE a (id INTEGER PRIMARY KEY);
                CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
                INSERT INTO a (id) VALUES (1), (2);
                -- done
                """)
            #expect(try await store.query("SELECT count(*) AS n FROM a").first?.int("n") == 2)
            let withParameters = await #expect(throws: StorageError.self) {
                try await store.execute("INSERT INTO a (id) VALUES ($1); INSERT INTO a (id) VALUES (9)", [.integer(3)])
            }
            #expect(withParameters?.kind == .schema)
            let twoQueries = await #expect(throws: StorageError.self) { try await store.query("SELECT 1; SELECT 2") }
            #expect(twoQueries?.kind == .schema)
            // A trailing semicolon or comment is not a second statement.
            let one = try await store.query("SELECT 1 AS x; -- the end\n /* really */ ;")
            #expect(one.first?["x"] == .integer(1))
        }
    }

    // MARK: - Errors

    @Test func constraintViolationsAreConstraintErrorsWithoutValues() async throws {
        try await withStore { store in
            try await store.execute("""
                CREATE TABLE parent (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL);
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
                """)
            try await store.execute("INSERT INTO parent (id, email) VALUES (1, $1)", [.text("secret@example.com")])
            let cases: [(String, [SQLValue])] = [
                ("INSERT INTO parent (id, email) VALUES (2, $1)", [.text("secret@example.com")]),  // unique
                ("INSERT INTO parent (id, email) VALUES (3, $1)", [.null]),  // not null
                ("INSERT INTO child (parent_id) VALUES ($1)", [.integer(424_242)]),  // foreign_keys=ON
            ]
            for (sql, parameters) in cases {
                let error = await #expect(throws: StorageError.self) { try await store.execute(sql, parameters) }
                #expect(error?.kind == .constraint, "\(sql): \(String(describing: error))")
                #expect(error?.message.contains("secret@example.com") == false)
                #expect(error?.message.contains("424242") == false)
            }
            #expect(try await store.query("SELECT count(*) AS n FROM parent").first?.int("n") == 1)
        }
    }

    /// Bad SQL is `.schema`, names the statement (shortened), and never carries bound values.
    @Test(arguments: [
        "INSERT INTO t (a) VALUSE ($1)",
        "INSERT INTO missing (a) VALUES ($1)",
        "SELECT nope FROM t WHERE a = $1",
    ])
    func badSQLIsASchemaErrorWithoutValues(sql: String) async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (a TEXT)")
            let error = await #expect(throws: StorageError.self) {
                try await store.execute(sql, [.text("tok-SECRET-1234")])
            }
            #expect(error?.kind == .schema)
            #expect(error?.message.contains("tok-SECRET-1234") == false)
            #expect(error?.message.contains(String(sql.prefix(20))) == true, "\(String(describing: error))")
        }
    }

    @Test func longSQLIsShortenedInMessages() async throws {
        try await withStore { store in
            let sql = "SELECT * FROM nowhere WHERE " + Array(repeating: "a = 1", count: 50).joined(separator: " AND ")
            let error = await #expect(throws: StorageError.self) { try await store.query(sql) }
            let message = try #require(error?.message)
            #expect(message.contains(String(sql.prefix(80)) + "…"))
            #expect(!message.contains(String(sql.prefix(81))))
        }
    }

    // MARK: - Group commit

    /// A body that inserts then throws leaves nothing, and the body committed in the same
    /// batch (same transaction) keeps its row. The batch is made deterministic by holding
    /// the writer in an earlier body until both are queued.
    @Test func throwingBodyRollsBackAloneInItsBatch() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v TEXT)")
            let before = store.stats
            let results = try await inOneBatch(store, [
                { db in
                    try db.execute("INSERT INTO t (v) VALUES ('doomed')")
                    throw BodyFailure()
                },
                { db in try db.execute("INSERT INTO t (v) VALUES ('kept')") },
            ])
            #expect(throws: BodyFailure.self) { try results[0].get() }
            #expect(throws: Never.self) { try results[1].get() }
            let rows = try await store.query("SELECT v FROM t ORDER BY v")
            #expect(try rows.map { try $0.string("v") } == ["gate", "kept"])
            let after = store.stats
            // The gate's batch, then ONE commit holding the kept body beside the failed one.
            #expect(after.commits == before.commits + 2)
            #expect(after.committedBodies == before.committedBodies + 2)
            #expect(after.failedBodies == before.failedBodies + 1)
        }
    }

    /// A deferred foreign key would only fail at COMMIT, failing the whole batch: the writer
    /// checks after each body, so only the offending body fails.
    @Test func deferredForeignKeyViolationFailsOnlyItsBody() async throws {
        try await withStore { store in
            try await store.execute("""
                CREATE TABLE parent (id INTEGER PRIMARY KEY);
                CREATE TABLE child (id INTEGER PRIMARY KEY,
                    parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
                """)
            let results = try await inOneBatch(store, [
                { db in try db.execute("INSERT INTO child (parent_id) VALUES (99)") },
                { db in
                    // Resolved within the body: allowed.
                    try db.execute("INSERT INTO child (parent_id) VALUES (7)")
                    try db.execute("INSERT INTO parent (id) VALUES (7)")
                },
            ])
            let error = #expect(throws: StorageError.self) { try results[0].get() }
            #expect(error?.kind == .constraint)
            #expect(throws: Never.self) { try results[1].get() }
            let rows = try await store.query("SELECT parent_id FROM child")
            #expect(try rows.map { try $0.int("parent_id") } == [7])
        }
    }

    /// 200 writes at once all commit, in fewer commits than bodies.
    @Test func concurrentWritesShareCommits() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, task INTEGER NOT NULL)")
            let before = store.stats
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<200 {
                    group.addTask {
                        try await store.execute("INSERT INTO t (task) VALUES ($1)", [.integer(Int64(task))])
                    }
                }
                for try await changed in group { #expect(changed == 1) }
            }
            let after = store.stats
            let commits = after.commits - before.commits
            let bodies = after.committedBodies - before.committedBodies
            #expect(try await store.query("SELECT count(DISTINCT task) AS n FROM t").first?.int("n") == 200)
            #expect(bodies == 200)
            #expect(commits < bodies, "no batching: \(commits) commits for \(bodies) bodies")
            print("group commit: \(bodies) bodies in \(commits) commits, largest batch \(after.largestBatch)")
        }
    }

    // MARK: - Reads

    @Test func readsSeeCommittedWrites() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v INTEGER)")
            for i in 1...5 {
                try await store.execute("INSERT INTO t (v) VALUES ($1)", [.integer(Int64(i))])
                #expect(try await store.query("SELECT sum(v) AS s FROM t").first?.int("s") == Int64(i * (i + 1) / 2))
            }
        }
    }

    /// Two queries in one read body see the same data although a write commits between them.
    @Test func readBodySeesOneSnapshot() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v INTEGER)")
            try await store.execute("INSERT INTO t (v) VALUES (1)")
            let firstQueryDone = Flag()
            let commitsBefore = store.stats.commits
            let reading = Task {
                try await store.read { db -> [Int64] in
                    let first = try #require(try db.queryOne("SELECT count(*) AS n FROM t")).int("n")
                    firstQueryDone.set()
                    // Test only: hold the snapshot until the writer has committed (bounded).
                    let deadline = Date().addingTimeInterval(30)
                    while store.stats.commits == commitsBefore && Date() < deadline { usleep(1_000) }
                    let second = try #require(try db.queryOne("SELECT count(*) AS n FROM t")).int("n")
                    return [first, second]
                }
            }
            try await eventually { firstQueryDone.isSet }
            try await store.execute("INSERT INTO t (v) VALUES (2)")
            #expect(try await reading.value == [1, 1])
            #expect(try await store.query("SELECT count(*) AS n FROM t").first?.int("n") == 2)
        }
    }

    @Test func readBodiesCannotWrite() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v INTEGER)")
            await #expect(throws: StorageError.self) { try await store.read { db in try db.execute("INSERT INTO t (v) VALUES (1)") } }
            // The reader connection is still usable after the failed body.
            #expect(try await store.query("SELECT count(*) AS n FROM t").first?.int("n") == 0)
        }
    }

    // MARK: - Setup and lifecycle

    /// WAL, `synchronous=FULL` (2), the busy timeout, foreign keys and `temp_store=MEMORY` (2)
    /// on the writer and on every reader.
    @Test func pragmasHoldOnEveryConnection() async throws {
        try await withStore(readers: 3) { store in
            let sql = "SELECT (SELECT journal_mode FROM pragma_journal_mode) AS j, (SELECT synchronous FROM pragma_synchronous) AS s, (SELECT timeout FROM pragma_busy_timeout) AS b, (SELECT foreign_keys FROM pragma_foreign_keys) AS f, (SELECT temp_store FROM pragma_temp_store) AS t"
            var rows = [try #require(try await store.write { db in try db.queryOne(sql) })]
            // Enough concurrent reads that every reader thread answers some.
            try await withThrowingTaskGroup(of: Row?.self) { group in
                for _ in 0..<30 { group.addTask { try await store.read { db in try db.queryOne(sql) } } }
                for try await row in group { rows.append(try #require(row)) }
            }
            for row in rows {
                #expect(try row.string("j") == "wal")
                #expect(try row.int("s") == 2)
                #expect(try row.int("b") == 5000)
                #expect(try row.int("f") == 1)
                #expect(try row.int("t") == 2)
            }
        }
    }

    /// Close lets queued work finish (and commit), then refuses everything.
    @Test func closedStoreIsUnavailable() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v INTEGER)")
            // 1. a write queued behind a held writer, then close begins
            let gate = Gate()
            let holding = Task { try await store.write { _ in gate.hold() } }
            try await eventually { gate.isHolding }
            let queued = Task { try await store.execute("INSERT INTO t (v) VALUES (1)") }
            try await eventually { store.stats.pendingWrites == 1 }
            let closing = Task { await store.close() }
            let closed = StorageError(.unavailable, "store closed")
            while true {
                do {
                    _ = try await store.query("SELECT 1")
                } catch let error as StorageError where error == closed {
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            // 2. the queued write still commits; new calls are refused
            gate.open()
            await closing.value
            try await holding.value
            #expect(try await queued.value == 1)
            await #expect(throws: closed) { try await store.query("SELECT 1") }
            await #expect(throws: closed) { try await store.execute("INSERT INTO t (v) VALUES (2)") }
            await #expect(throws: closed) { try await store.checkpoint() }
            await store.close()  // again: harmless
            // 3. the writer closed last, so SQLite checkpointed and removed the WAL; the write is on disk
            #expect(!FileManager.default.fileExists(atPath: store.path + "-wal"))
            let reopened = try SQLiteStore(path: store.path, readers: 1)
            #expect(try await reopened.query("SELECT count(*) AS n FROM t").first?.int("n") == 1)
            await reopened.close()
        }
    }

    @Test func checkpointEmptiesTheWAL() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE t (v BLOB)")
            try await store.execute("INSERT INTO t (v) VALUES ($1)", [.blob([UInt8](repeating: 1, count: 50_000))])
            let wal = store.path + "-wal"
            #expect(try walSize(wal) > 0)
            try await store.checkpoint()
            #expect(try walSize(wal) == 0)
            #expect(try await store.query("SELECT length(v) AS n FROM t").first?.int("n") == 50_000)
        }
    }

    @Test(arguments: ["", ":memory:"])
    func refusesPathsWithoutAFile(path: String) {
        #expect(throws: StorageError.self) { try SQLiteStore(path: path) }
    }

    @Test func refusesADatabaseItCannotOpen() {
        let error = #expect(throws: StorageError.self) { try SQLiteStore(path: "/nonexistent-dir/sub/x.db") }
        #expect(error?.message.contains("/nonexistent-dir/sub/x.db") == true)
    }

    // MARK: - Helpers

    private struct BodyFailure: Error {}

    /// Runs `body` with a store on a new database file in a temporary directory, then closes
    /// the store and removes the directory.
    /// Checkpoints run on the checkpointer's thread, not inside commits: a WAL past the
    /// threshold is copied into the database file while writes go on, and the WAL is reused
    /// from its start instead of growing without end.
    /// The writer counts the WAL frames (pages) each commit appends.
    @Test func walFramesCountThePagesCommitsWrite() async throws {
        try await withStore { store in
            try await store.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            let before = store.stats
            for n in 0..<20 { try await store.execute("INSERT INTO small (v) VALUES ($1)", [.text("row \(n)")]) }
            let after = store.stats
            #expect(after.commits - before.commits == 20)
            // One leaf page each: the rows fit the table's single page.
            #expect(after.walFrames - before.walFrames == 20)
            try await store.write { db in
                try db.execute("CREATE INDEX small_v ON small (v)")
                try db.execute("INSERT INTO small (v) VALUES ('indexed')")
            }
            #expect(store.stats.walFrames - after.walFrames >= 3)   // the index's root, the table, the schema
        }
    }

    @Test func theWALIsCheckpointedInTheBackground() async throws {
        // A quarter of the standard limits (4,000 and 16,000 pages), so a few seconds of writes show both.
        try await withStore(walLimits: SQLiteCheckpointer.Limits(checkpoint: 1000, restart: 4000)) { store in
            try await store.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
            let payload = SQLValue.blob([UInt8](repeating: 0x5a, count: 3000))
            // About 2 pages per commit: 3,000 commits write ~6,000 WAL frames, past the 1,000-page threshold 5 times.
            for _ in 0..<3000 { try await store.execute("INSERT INTO big (payload) VALUES ($1)", [payload]) }
            let files = FileManager.default
            let deadline = Date().addingTimeInterval(30)
            var databaseBytes = 0
            while Date() < deadline {
                databaseBytes = (try files.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
                if databaseBytes > 8_000_000 { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            // 9 MB of rows reached the database file before close: checkpoints ran.
            #expect(databaseBytes > 8_000_000)
            // The WAL was restarted near 16 MiB rather than grown to hold every frame (~33 MB).
            let walBytes = (try files.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int) ?? 0
            #expect(walBytes < 24_000_000, "WAL is \(walBytes) bytes")
        }
    }

    /// Past the checkpoint size the WAL file is grown to its restart size at once (commits then
    /// overwrite it rather than extend it), and the zeros past the last frame are never read
    /// as frames: every row is there, in this store and in one reopened after a crash-like
    /// copy of the files (the WAL recovered from the file, not from memory).
    @Test func theWALIsPresizedOnceBusyAndItsZerosAreNotFrames() async throws {
        let limits = SQLiteCheckpointer.Limits(checkpoint: 1000, restart: 4000)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-presized-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        try await withStore(walLimits: limits) { store in
            try await store.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
            let payload = SQLValue.blob([UInt8](repeating: 0x5a, count: 3000))
            for _ in 0..<700 { try await store.execute("INSERT INTO big (payload) VALUES ($1)", [payload]) }
            let presized = 32 + Int(limits.restart + limits.restartBacklog) * (4096 + 24)
            let walBytes = (try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int) ?? 0
            #expect(walBytes >= presized, "WAL is \(walBytes) bytes")
            for _ in 0..<10 { try await store.execute("INSERT INTO big (payload) VALUES ($1)", [payload]) }
            #expect(try await store.query("SELECT COUNT(*) AS n FROM big")[0].int("n") == 710)
            // The files as a crash would leave them (no checkpoint at close).
            for suffix in ["", "-wal"] { try FileManager.default.copyItem(atPath: store.path + suffix, toPath: copy + suffix) }
        }
        let reopened = try SQLiteStore(path: copy, readers: 1)
        let count = try await reopened.query("SELECT COUNT(*) AS n FROM big")[0].int("n")
        await reopened.close()
        #expect(count == 710)
    }

    private func withStore(readers: Int = 2, walLimits: SQLiteCheckpointer.Limits = .standard,
                           _ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            do { try FileManager.default.removeItem(at: directory) } catch { Issue.record("cleanup: \(error)") }
        }
        let store = try SQLiteStore(path: directory.appendingPathComponent("test.db").path, readers: readers, walLimits: walLimits)
        do {
            try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Runs `bodies` as writes guaranteed to share one batch: an earlier write (inserting
    /// `gate` into `t`, if it exists) holds the writer thread until all of them are queued.
    private func inOneBatch(
        _ store: SQLiteStore,
        _ bodies: [@Sendable (any SQLConnection) throws -> Void]
    ) async throws -> [Result<Void, any Error>] {
        let gate = Gate()
        let first = Task {
            try await store.write { db in
                gate.hold()
                if try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 't'") != nil {
                    try db.execute("INSERT INTO t (v) VALUES ('gate')")
                }
            }
        }
        try await eventually { gate.isHolding }
        let tasks = bodies.map { body in Task { try await store.write(body) } }
        try await eventually { store.stats.pendingWrites == bodies.count }
        gate.open()
        try await first.value
        var results: [Result<Void, any Error>] = []
        for task in tasks { results.append(await task.result) }
        return results
    }

    /// Polls `condition` every millisecond for up to 5 s.
    /// Waits for `condition`. The bound only stops a hung test: it is not a timing check, and a
    /// loaded CI machine (hundreds of tests at once on two cores) can take seconds to schedule
    /// the writer thread.
    private func eventually(_ condition: @Sendable () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition(), "timed out", sourceLocation: sourceLocation)
    }

    private func walSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    }
}

/// A one-way flag set on a storage thread and polled by the test.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Holds the writer thread inside a body (test only: real bodies must not wait).
private final class Gate: Sendable {
    private let holding = Flag()
    private let release = DispatchSemaphore(value: 0)
    func hold() {
        holding.set()
        release.wait()
    }
    var isHolding: Bool { holding.isSet }
    func open() { release.signal() }

    /// Checkpoints are asked for from the checkpoint size on, once per `step` of growth, at
    /// every commit past the restart size, and afresh after the WAL restarted.
    @Test func checkpointsAreRequestedOncePerStep() {
        let limits = SQLiteCheckpointer.Limits()  // 4,000 / step 250 / restart 16,000
        #expect(!SQLiteCheckpointer.requests(at: 3_999, lastRequestAt: 0, limits: limits))
        #expect(SQLiteCheckpointer.requests(at: 4_000, lastRequestAt: 0, limits: limits))
        #expect(!SQLiteCheckpointer.requests(at: 4_249, lastRequestAt: 4_000, limits: limits))
        #expect(SQLiteCheckpointer.requests(at: 4_250, lastRequestAt: 4_000, limits: limits))
        #expect(SQLiteCheckpointer.requests(at: 16_001, lastRequestAt: 16_000, limits: limits))
        // The WAL restarted (smaller than at the last request) and grew back past the checkpoint size.
        #expect(SQLiteCheckpointer.requests(at: 4_010, lastRequestAt: 16_400, limits: limits))
    }
}
