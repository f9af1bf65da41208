import Foundation
import PluginAPI
import Synchronization
import Testing
@testable import Kernel

/// The server these tests use: set by `scripts/test` (a throwaway cluster), absent otherwise,
/// and then every test that needs a server is skipped.
private let postgresURL = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"]

/// PostgresStore against a live server: value round trips, transactions, error kinds and
/// messages, concurrency, LISTEN/NOTIFY and recovery from killed connections. Every test
/// makes its own uniquely named tables and drops them.
@Suite(.enabled(if: postgresURL != nil, "SWITCHBOARD_TEST_POSTGRES_URL is not set"))
struct PostgresStoreTests {
    // MARK: - values

    @Test func everyValueKindRoundTrips() async throws {
        try await withTable("id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, b BYTEA") { store, table in
            let allBytes = (0...255).map { UInt8($0) }
            let rows: [[SQLValue]] = [
                [.integer(1), .integer(.min), .double(0.1), .text("héllo — 日本語 🎉 \u{1F1F2}\u{1F1E6}"), .blob(allBytes)],
                [.integer(2), .integer(.max), .double(-1.5e300), .text(""), .blob([])],
                [.integer(3), .integer(0), .double(.leastNonzeroMagnitude), .text("'quoted' \"double\" \\ back"), .null],
                [.integer(4), .null, .double(.infinity), .null, .blob([0])],
                [.integer(5), .integer(-1), .double(-.infinity), .text("line\nbreak\ttab"), .blob([0x5c, 0x78, 0x30])],
                [.integer(6), .integer(42), .double(.pi), .text("x"), .blob(Array(allBytes.reversed()))],
            ]
            for row in rows {
                try await store.execute("INSERT INTO \(table) (id, i, d, t, b) VALUES ($1, $2, $3, $4, $5)", row)
            }
            let read = try await store.query("SELECT id, i, d, t, b FROM \(table) ORDER BY id")
            #expect(read.count == rows.count)
            for (got, want) in zip(read, rows) {
                #expect(got.columns == ["id", "i", "d", "t", "b"])
                #expect(got.values == want)
            }
            // NaN is not equal to itself: checked on its own.
            try await store.execute("INSERT INTO \(table) (id, d) VALUES ($1, $2)", [.integer(7), .double(.nan)])
            let nan = try await store.query("SELECT d FROM \(table) WHERE id = $1", [.integer(7)])
            #expect(try nan.first?.double("d").isNaN == true)
            // Empty bytes and NULL stay apart.
            let empty = try await store.query("SELECT b IS NULL AS isnull, length(b) AS n FROM \(table) WHERE id = 2")
            #expect(empty.first?.values == [.integer(0), .integer(0)])
        }
    }

    @Test func columnTypesMapToValueKinds() async throws {
        try await withStore { store in
            let row = try await store.query("""
                SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 4::oid AS d, 1.5::float4 AS e, 2.25::float8 AS f,
                       12.5::numeric AS g, true AS h, false AS i, 'x'::varchar AS j, '{"k":1}'::json AS k,
                       '\\x00ff'::bytea AS l, NULL::bigint AS m, 'a'::text AS n
                """).first
            #expect(row?.values == [
                .integer(1), .integer(2), .integer(3), .integer(4), .double(1.5), .double(2.25),
                .double(12.5), .integer(1), .integer(0), .text("x"), .text("{\"k\":1}"),
                .blob([0, 255]), .null, .text("a"),
            ])
            #expect(try row?.bool("h") == true)
        }
    }

    @Test func bytesBindInAmbiguousContexts() async throws {
        try await withStore { store in
            // `$1` alone has no context: the blob is declared bytea, so it still comes back as bytes.
            let bytes: [UInt8] = [0, 1, 2, 0xfe, 0xff]
            let row = try await store.query("SELECT $1 AS b, length($1) AS n", [.blob(bytes)]).first
            #expect(row?.values == [.blob(bytes), .integer(5)])
            // The same SQL with text for the same parameter is a different prepared statement.
            let text = try await store.query("SELECT $1 AS b, length($1) AS n", [.text("héllo")]).first
            #expect(text?.values == [.text("héllo"), .integer(5)])
        }
    }

    @Test func repeatedParameter() async throws {
        try await withTable("id BIGINT PRIMARY KEY, copy BIGINT, name TEXT") { store, table in
            try await store.execute("INSERT INTO \(table) (id, copy, name) VALUES ($1, $1, $2)", [.integer(7), .text("seven")])
            let row = try await store.query("SELECT $1::bigint AS a, $1::bigint * 2 AS b, copy FROM \(table) WHERE id = $1 AND name = $2",
                                            [.integer(7), .text("seven")]).first
            #expect(row?.values == [.integer(7), .integer(14), .integer(7)])
        }
    }

    @Test func executeReturnsChangedRows() async throws {
        try await withTable("id BIGINT PRIMARY KEY, n BIGINT") { store, table in
            let inserted = try await store.execute("INSERT INTO \(table) (id, n) SELECT g, 0 FROM generate_series(1, 5) g")
            #expect(inserted == 5)
            #expect(try await store.execute("UPDATE \(table) SET n = n + 1 WHERE id > $1", [.integer(2)]) == 3)
            #expect(try await store.execute("DELETE FROM \(table) WHERE id > 100") == 0)
            #expect(try await store.execute("CREATE INDEX \(table)_n ON \(table) (n)") == 0)
        }
    }

    @Test func severalStatementsWithoutParameters() async throws {
        try await withStore { store in
            let name = uniqueName("multi")
            try await store.execute("""
                CREATE TABLE \(name) (id BIGINT PRIMARY KEY, note TEXT DEFAULT 'a;b');
                -- a comment; with a semicolon
                CREATE INDEX \(name)_note ON \(name) (note);
                INSERT INTO \(name) (id) VALUES (1);
                """)
            let rows = try await store.query("SELECT note FROM \(name)")
            #expect(rows.first?.values == [.text("a;b")])
            try await store.execute("DROP TABLE \(name)")
        }
    }

    // MARK: - transactions

    @Test func rollbackWhenTheBodyThrows() async throws {
        struct Abort: Error {}
        try await withTable("id BIGINT PRIMARY KEY") { store, table in
            await #expect(throws: Abort.self) {
                try await store.write { db in
                    try db.execute("INSERT INTO \(table) (id) VALUES ($1)", 1)
                    throw Abort()
                }
            }
            let count = try await store.query("SELECT count(*) AS n FROM \(table)").first?.int("n")
            #expect(count == 0)
            // The connection is fine afterwards.
            try await store.execute("INSERT INTO \(table) (id) VALUES ($1)", [.integer(2)])
        }
    }

    @Test func caughtStatementErrorRollsBackTheTransaction() async throws {
        try await withTable("id BIGINT PRIMARY KEY") { store, table in
            try await store.execute("INSERT INTO \(table) (id) VALUES (1)")
            let error = await #expect(throws: StorageError.self) {
                try await store.write { db in
                    try db.execute("INSERT INTO \(table) (id) VALUES (2)")
                    // PostgreSQL aborts the transaction here even though the body carries on.
                    _ = try? db.execute("INSERT INTO \(table) (id) VALUES (1)")
                }
            }
            #expect(error?.kind == .other)
            let ids = try await store.query("SELECT id FROM \(table) ORDER BY id").map { try $0.int("id") }
            #expect(ids == [1])
        }
    }

    @Test func readIsReadOnly() async throws {
        try await withTable("id BIGINT PRIMARY KEY") { store, table in
            await #expect(throws: StorageError.self) {
                try await store.read { db in try db.execute("INSERT INTO \(table) (id) VALUES (1)") }
            }
            let count = try await store.read { db in try db.query("SELECT count(*) AS n FROM \(table)").first?.int("n") }
            #expect(count == 0)
        }
    }

    // MARK: - errors

    @Test func uniqueViolationIsConstraint() async throws {
        try await withTable("key TEXT PRIMARY KEY") { store, table in
            try await store.execute("INSERT INTO \(table) (key) VALUES ($1)", [.text("secret-key-value")])
            let error = await #expect(throws: StorageError.self) {
                try await store.execute("INSERT INTO \(table) (key) VALUES ($1)", [.text("secret-key-value")])
            }
            #expect(error?.kind == .constraint)
            #expect(error?.message.contains("23505") == true)
            #expect(error?.message.contains("secret-key-value") == false)
        }
    }

    @Test func badSQLIsSchemaAndHidesBoundValues() async throws {
        try await withStore { store in
            let missing = await #expect(throws: StorageError.self) {
                try await store.query("SELECT * FROM no_such_table_zz WHERE x = $1", [.text("top-secret-value")])
            }
            #expect(missing?.kind == .schema)
            #expect(missing?.message.contains("42P01") == true)
            #expect(missing?.message.contains("no_such_table_zz") == true)
            #expect(missing?.message.contains("top-secret-value") == false)

            let syntax = await #expect(throws: StorageError.self) {
                try await store.execute("SELEC $1", [.text("top-secret-value")])
            }
            #expect(syntax?.kind == .schema)
            #expect(syntax?.message.contains("top-secret-value") == false)

            // A data exception quotes the input in its primary message: masked.
            let data = await #expect(throws: StorageError.self) {
                try await store.query("SELECT $1::bigint AS n", [.text("not-a-number-secret")])
            }
            #expect(data?.kind == .other)
            #expect(data?.message.contains("22P02") == true)
            #expect(data?.message.contains("not-a-number-secret") == false)
        }
    }

    @Test func textWithNULIsRefused() async throws {
        try await withStore { store in
            let error = await #expect(throws: StorageError.self) {
                try await store.query("SELECT $1::text AS t", [.text("a\u{0}b")])
            }
            #expect(error?.kind == .other)
        }
    }

    @Test func stalePreparedStatementIsReplaced() async throws {
        try await withTable("id BIGINT PRIMARY KEY") { store, table in
            // One connection, so the second query meets the statement prepared by the first.
            let single = try await PostgresStore(url: try #require(postgresURL), poolSize: 1)
            _ = try await single.query("SELECT * FROM \(table)")
            try await store.execute("ALTER TABLE \(table) ADD COLUMN extra TEXT")
            var failures = 0
            var columns: [String] = []
            for _ in 0..<3 {
                do {
                    try await single.execute("INSERT INTO \(table) (id) VALUES ($1) ON CONFLICT DO NOTHING", [.integer(1)])
                    columns = try await single.query("SELECT * FROM \(table)").first?.columns ?? []
                    break
                } catch {
                    failures += 1
                }
            }
            #expect(failures <= 1)
            #expect(columns == ["id", "extra"])
            await single.close()
        }
    }

    // MARK: - concurrency

    @Test func hundredConcurrentWritesCommit() async throws {
        try await withTable("id BIGINT PRIMARY KEY, payload TEXT") { store, table in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        _ = try await store.write { db in
                            try db.execute("INSERT INTO \(table) (id, payload) VALUES ($1, $2)", i, "row \(i)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let count = try await store.query("SELECT count(*) AS n FROM \(table)").first?.int("n")
            #expect(count == 100)
        }
    }

    // MARK: - LISTEN/NOTIFY

    @Test func notifyIsDeliveredAtCommit() async throws {
        try await withStore { store in
            let channel = uniqueName("chan")
            let received = Received()
            try await store.listen(channel: channel) { received.append($0) }

            let seenBeforeCommit = try await store.write { db in
                try PostgresStore.notify(channel: channel, payload: "hello ✓", on: db)
                // Long enough for a delivery that ignored the transaction to arrive.
                Thread.sleep(forTimeInterval: 0.3)
                return received.values
            }
            #expect(seenBeforeCommit.isEmpty)
            #expect(await eventually { received.values == ["hello ✓"] })

            // A rolled-back NOTIFY is never delivered.
            struct Abort: Error {}
            _ = try? await store.write { db in
                try PostgresStore.notify(channel: channel, payload: "dropped", on: db)
                throw Abort()
            }
            try await store.notify(channel: channel, payload: "second")
            #expect(await eventually { received.values.count == 2 })
            #expect(received.values == ["hello ✓", "second"])
        }
    }

    @Test func invalidChannelNamesAreRefused() async throws {
        try await withStore { store in
            for bad in ["", "Upper", "9lives", "semi;colon", "quote\"", String(repeating: "a", count: 64)] {
                let error = await #expect(throws: StorageError.self) { try await store.listen(channel: bad) { _ in } }
                #expect(error?.kind == .schema)
            }
        }
    }

    @Test func listenerRecoversFromATerminatedConnection() async throws {
        try await withStore { store in
            let channel = uniqueName("relisten")
            let received = Received()
            try await store.listen(channel: channel) { received.append($0) }
            // The listener's backend is the one whose last statement was this LISTEN.
            let terminated = try await store.query(
                "SELECT pg_terminate_backend(pid, 5000) AS ok FROM pg_stat_activity WHERE query = $1",
                [.text("LISTEN \"\(channel)\"")])
            #expect(terminated.count == 1)
            // Once it has LISTENed again, a notification arrives.
            #expect(await eventually(seconds: 30) {
                _ = try? await store.notify(channel: channel, payload: "after")
                return received.values.contains("after")
            })
        }
    }

    // MARK: - recovery

    @Test func terminatedConnectionIsReplaced() async throws {
        let url = try #require(postgresURL)
        let store = try await PostgresStore(url: url, poolSize: 1)
        let killer = try await PostgresStore(url: url, poolSize: 1)
        let pid = try #require(try await store.query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
        let killed = try await killer.query("SELECT pg_terminate_backend($1::int, 5000) AS ok", [.integer(pid)])
        #expect(try killed.first?.bool("ok") == true)

        var failures = 0
        var newPID: Int64?
        for _ in 0..<2 {
            do {
                newPID = try await store.query("SELECT pg_backend_pid() AS pid").first?.int("pid")
                break
            } catch let error as StorageError {
                #expect(error.kind == .unavailable)
                failures += 1
            }
        }
        #expect(failures <= 1)
        #expect(newPID != nil && newPID != pid)
        await store.close()
        await killer.close()
    }

    /// Reads run without a transaction block; one that finds its idle connection dead changed
    /// nothing, so it is run again on a new connection and the caller never sees the failure.
    @Test func aReadOnAnIdleConnectionThatDiedIsRunAgain() async throws {
        let url = try #require(postgresURL)
        let store = try await PostgresStore(url: url, poolSize: 1)
        let killer = try await PostgresStore(url: url, poolSize: 1)
        let pid = try #require(try await store.read { try $0.query("SELECT pg_backend_pid() AS pid").first?.int("pid") })
        let killed = try await killer.query("SELECT pg_terminate_backend($1::int, 5000) AS ok", [.integer(pid)])
        #expect(try killed.first?.bool("ok") == true)
        let newPID = try await store.read { try $0.query("SELECT pg_backend_pid() AS pid").first?.int("pid") }
        #expect(newPID != nil && newPID != pid)
        // The new session is read-only by default too, and still writes in `write`.
        let readOnly = try await store.read { try $0.query("SHOW default_transaction_read_only").first?.string("default_transaction_read_only") }
        #expect(readOnly == "on")
        let written = try await store.write { try $0.query("SELECT current_setting('transaction_read_only') AS ro").first?.string("ro") }
        #expect(written == "off")
        await store.close()
        await killer.close()
    }

    @Test func connectionKilledInsideABodyFailsThatCallOnly() async throws {
        let url = try #require(postgresURL)
        let store = try await PostgresStore(url: url, poolSize: 1)
        let killer = try await PostgresStore(url: url, poolSize: 1)
        let error = await #expect(throws: StorageError.self) {
            try await store.write { db in
                let pid = try db.query("SELECT pg_backend_pid() AS pid").first?.int("pid") ?? 0
                // Killed from another connection while this transaction is open.
                let semaphore = DispatchSemaphore(value: 0)
                Task {
                    _ = try? await killer.query("SELECT pg_terminate_backend($1::int, 5000)", [.integer(pid)])
                    semaphore.signal()
                }
                semaphore.wait()
                try db.execute("SELECT 1")
            }
        }
        #expect(error?.kind == .unavailable)
        #expect(try await store.query("SELECT 1 AS one").first?.int("one") == 1)
        await store.close()
        await killer.close()
    }

    @Test func closedStoreFailsFast() async throws {
        let store = try await PostgresStore(url: try #require(postgresURL), poolSize: 2)
        await store.close()
        let error = await #expect(throws: StorageError.self) { try await store.query("SELECT 1") }
        #expect(error?.kind == .unavailable)
    }
}

/// The parts that need no server: URL masking, connection failures, error mapping, SQL
/// lexing, value decoding and backoff.
struct PostgresStoreOfflineTests {
    @Test func closedPortIsUnavailableAndHidesThePassword() async throws {
        let started = Date()
        let error = await #expect(throws: StorageError.self) {
            _ = try await PostgresStore(url: "postgres://u:secretpw@127.0.0.1:1/db")
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.hasPrefix("cannot connect to postgres://u:***@127.0.0.1:1/db: ") == true)
        #expect(error?.message.contains("secretpw") == false)
        // Refused at once, not retried for the reconnect backoff's whole budget (which is
        // minutes): a generous bound, as a loaded CI machine is slow to schedule anything.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test(arguments: [
        ("postgres://u:secretpw@127.0.0.1:1/db", "postgres://u:***@127.0.0.1:1/db", ["secretpw"]),
        ("postgresql://me:p%40ss@db.example:5433/app?sslmode=require", "postgresql://me:***@db.example:5433/app", ["p%40ss", "p@ss"]),
        ("postgres://me@host/app?password=secretpw&sslmode=disable", "postgres://me@host/app", ["secretpw"]),
        ("postgres://host", "postgres://host", []),
        ("postgres://a:b@c@h1:1,h2:2/db", "postgres://a:***@h1:1,h2:2/db", ["b@c"]),
    ])
    func urlMasking(raw: String, masked: String, secrets: [String]) throws {
        let url = try PostgresURL(raw)
        #expect(url.masked == masked)
        #expect("\(url)" == masked)
        let redacted = url.redact("libpq said: \(raw) \(secrets.joined(separator: " "))")
        for secret in secrets { #expect(!redacted.contains(secret)) }
        #expect(redacted.hasPrefix("libpq said: \(masked)"))
    }

    @Test func urlMustBePostgres() {
        #expect(throws: StorageError.self) { try PostgresURL("sqlite:switchboard.db") }
        #expect(throws: StorageError.self) { try PostgresURL("mysql://u:secretpw@h/db") }
    }

    @Test(arguments: [
        ("23505", StorageError.Kind.constraint), ("23503", .constraint), ("23502", .constraint),
        ("40001", .conflict), ("40P01", .conflict),
        ("42P01", .schema), ("42601", .schema), ("42703", .schema),
        ("08006", .unavailable), ("08001", .unavailable), ("57P01", .unavailable), ("57P02", .unavailable), ("57P03", .unavailable),
        ("22P02", .other), ("25006", .other), ("57014", .other), ("XX000", .other),
    ])
    func sqlStateKinds(state: String, kind: StorageError.Kind) {
        #expect(StorageError.Kind(sqlState: state) == kind)
    }

    @Test func errorMessagesCarryStateAndSQLPrefixOnly() {
        let sql = "SELECT   *\n  FROM t WHERE " + String(repeating: "x = 1 AND ", count: 20) + "y = $1"
        let error = StorageError.postgres(kind: .other, sqlState: "22P02", message: "invalid input syntax for type bigint: \"hunter22\"",
                                          sql: sql, parameters: [.text("hunter22")])
        #expect(error.message.hasPrefix("invalid input syntax for type bigint: \"…\" (SQLSTATE 22P02) in: SELECT * FROM t WHERE x = 1"))
        #expect(error.message.hasSuffix("…"))
        #expect(!error.message.contains("hunter22"))
        let verbatim = StorageError.postgres(kind: .other, sqlState: "P0001", message: "custom: hunter22 rejected",
                                             sql: "SELECT f($1)", parameters: [.text("hunter22")])
        #expect(!verbatim.message.contains("hunter22"))
    }

    @Test(arguments: [
        ("SELECT 1", false),
        ("SELECT 1;", false),
        ("SELECT 1; -- done\n", false),
        ("SELECT 1;;  /* end */ ", false),
        ("SELECT 'a;b'", false),
        ("SELECT \"a;b\" FROM t", false),
        ("SELECT E'it\\'s; fine'", false),
        ("SELECT $$a; b$$", false),
        ("SELECT $tag$ ; $$ ; $tag$", false),
        ("SELECT 1 /* a /* nested; */ still; */", false),
        ("SELECT $1; ", false),
        ("CREATE TABLE a (x INT); CREATE TABLE b (y INT)", true),
        ("SELECT 1; SELECT 2;", true),
        ("SELECT 'a''; b'; SELECT 2", true),
        ("SELECT 1; /* c */ -- d\n SELECT 2", true),
    ])
    func multipleStatements(sql: String, expected: Bool) {
        #expect(PostgresSQLText.hasMultipleStatements(sql) == expected)
    }

    @Test func textFieldsDecodeByType() {
        func decode(_ text: String, _ type: UInt32) -> SQLValue {
            Array(text.utf8).withUnsafeBytes { PostgresValueCoding.decode($0, type: type) }
        }
        #expect(decode("-9223372036854775808", PostgresValueCoding.TypeOID.int8) == .integer(.min))
        #expect(decode("9223372036854775807", PostgresValueCoding.TypeOID.int8) == .integer(.max))
        #expect(decode("9223372036854775808", PostgresValueCoding.TypeOID.int8) == .text("9223372036854775808"))
        #expect(decode("t", PostgresValueCoding.TypeOID.bool) == .integer(1))
        #expect(decode("-Infinity", PostgresValueCoding.TypeOID.float8) == .double(-.infinity))
        #expect(decode("\\x00ff10", PostgresValueCoding.TypeOID.bytea) == .blob([0, 255, 16]))
        #expect(decode("\\x", PostgresValueCoding.TypeOID.bytea) == .blob([]))
        // The legacy escape form, through libpq.
        #expect(decode("a\\000\\\\", PostgresValueCoding.TypeOID.bytea) == .blob([0x61, 0, 0x5c]))
        #expect(decode("2024-01-01 00:00:00+00", 1184) == .text("2024-01-01 00:00:00+00"))
        #expect(PostgresValueCoding.text(of: 0.1) == "0.1")
        #expect(PostgresValueCoding.text(of: .nan) == "NaN")
    }

    @Test func backoffDoublesUpToFiveSeconds() throws {
        #expect((1...8).map { PostgresBackoff.delayMilliseconds(afterFailures: $0) } == [100, 200, 400, 800, 1600, 3200, 5000, 5000])
        #expect(PostgresBackoff.delayMilliseconds(afterFailures: 1000) == 5000)
        let backoff = PostgresBackoff()
        try backoff.checkAttempt(now: 0)
        backoff.failed(StorageError(.unavailable, "cannot connect to x"), now: 1_000_000_000)
        #expect(throws: StorageError.self) { try backoff.checkAttempt(now: 1_050_000_000) }
        try backoff.checkAttempt(now: 1_100_000_000)
        // That attempt is claimed: others fail fast until it reports.
        #expect(throws: StorageError.self) { try backoff.checkAttempt(now: 1_200_000_000) }
        backoff.failed(StorageError(.unavailable, "cannot connect to x"), now: 2_000_000_000)
        #expect(throws: StorageError.self) { try backoff.checkAttempt(now: 2_150_000_000) }
        try backoff.checkAttempt(now: 2_200_000_000)
        backoff.succeeded()
        try backoff.checkAttempt(now: 1_000_000_001)
    }
}

// MARK: - helpers

/// Payloads received by a listener, readable from the test.
private final class Received: Sendable {
    private let box = Mutex<[String]>([])
    func append(_ value: String) { box.withLock { $0.append(value) } }
    var values: [String] { box.withLock { $0 } }
}

private func uniqueName(_ prefix: String) -> String {
    "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
}

/// A store on the test server for `body`, closed afterwards whatever happens.
private func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
    let store = try await PostgresStore(url: try #require(postgresURL))
    do {
        try await body(store)
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}

/// A uniquely named table with `columns`, dropped afterwards.
private func withTable(_ columns: String, _ body: (PostgresStore, String) async throws -> Void) async throws {
    try await withStore { store in
        let table = uniqueName("t")
        try await store.execute("CREATE TABLE \(table) (\(columns))")
        do {
            try await body(store, table)
        } catch {
            _ = try? await store.execute("DROP TABLE IF EXISTS \(table)")
            throw error
        }
        try await store.execute("DROP TABLE IF EXISTS \(table)")
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
private func eventually(seconds: Double = 30, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return await condition()
}
