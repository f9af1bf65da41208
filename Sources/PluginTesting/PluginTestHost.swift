import FoundationEssentials
import Kernel
import PluginAPI
import Synchronization

/// An in-process host for plugin tests: the real kernel (strict config, router, error
/// handling, storage, migrations, the job engine) without sockets, with a manual clock and a
/// recording outbound HTTP client.
///
///     let host = try PluginTestHost(plugins: [MyPlugin.self], config: #"{"plugins": {"my": {"enabled": true, "config": {}}}}"#)
///     try await host.start()                       // a temporary database, migrated
///     host.http.respond(to: .post, "https://api.example.com/send", with: .json(#"{"id":"m1"}"#))
///     let response = await host.request(.post, "/my/webhook", text: "{}")
///     try await host.runDueJobs()                 // jobs run now, at the manual clock's time
///     host.clock.advance(by: 60)                   // retries and snoozes come due
///
/// The database is a fresh SQLite file, or a fresh schema of the PostgreSQL database named by
/// `SWITCHBOARD_TEST_POSTGRES_URL` when that is set.
public final class PluginTestHost: @unchecked Sendable {
    public let clock: ManualClock
    public let kernel: KernelServer
    /// Every outbound request the plugins made, and the scripted answers they got.
    public let http: RecordingHTTPClient
    private var started = false

    /// Loads `config` (the text of a plugins.json) with `environment` for `${VAR}` references.
    /// Throws the same errors `switchboard check-config` reports. A `storage.url` in the config
    /// is replaced by a temporary database at `start()`.
    public init(plugins: [any Plugin.Type], config: String, environment: [String: String] = [:],
                clock: ManualClock = ManualClock(), http: RecordingHTTPClient = RecordingHTTPClient(),
                storageURL: String? = nil) throws {
        self.clock = clock
        self.http = http
        var parsed = try ConfigLoader.parse(Array(config.utf8), environment: environment, knownPlugins: plugins.map { $0.id })
        parsed.log.level = .error
        self.storageURL = storageURL
        kernel = try KernelServer(config: parsed, plugins: plugins, clock: clock, http: http)
    }

    private let storageURL: String?

    /// Opens the temporary database and applies the kernel's and the plugins' migrations.
    public func start() async throws {
        guard !started else { return }
        let url: String
        if let storageURL { url = storageURL } else { url = try await TestDatabase.freshURL() }
        try await kernel.openForTesting(storageURL: url)
        temporaryURL = storageURL == nil ? url : nil
        started = true
    }

    /// The database `start` made, removed again by `stop`.
    private var temporaryURL: String?

    /// Closes the database; one the host made itself (a temporary SQLite file) is deleted.
    public func stop() async {
        await kernel.closeForTesting()
        if let temporaryURL { TestDatabase.remove(temporaryURL) }
        temporaryURL = nil
        started = false
    }

    /// Sends a request through the router to its handler and returns the answer.
    public func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) async -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let request = Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: body, remoteAddress: "127.0.0.1")
        return await kernel.respond(to: request)
    }

    /// Sends a request with a UTF-8 text body.
    public func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), text: String) async -> Response {
        await request(method, target, headers: headers, body: Array(text.utf8))
    }

    /// Runs every job due at the clock's current time until none is left; returns how many ran.
    @discardableResult
    public func runDueJobs() async throws -> Int { try await kernel.runDueJobs() }

    /// Leaves the waiting jobs named `name` as a worker that crashed (or hung) on their last
    /// attempt would, then runs the kernel's rescuer: they die and `job.dead` is published, so
    /// a test can check what a plugin does when its job's own failure handling never ran.
    /// Returns how many died. Follow with `runDueJobs()` to deliver `job.dead`.
    @discardableResult
    public func crashJobsOnTheirLastAttempt(named name: String) async throws -> Int {
        try await kernel.crashJobsOnTheirLastAttempt(named: name)
    }

    /// The SQLite writer's counters (commits, WAL frames written), nil on PostgreSQL.
    public var sqliteStats: SQLiteStoreStats? { kernel.sqliteStats }

    /// `context.phones` as the plugins see it: learn evidence, link keys, resolve subjects.
    public var phones: any Phones { kernel.phones }

    /// `context.channels` as the plugins see it: queue a send or record an inbound message
    /// inside `store.write { … }`, then `runDueJobs()`.
    public var channels: any Channels { kernel.channels }

    /// `context.events` as the plugins see it: publish inside `store.write { … }`.
    public var events: any EventBus { kernel.events }

    /// Events published so far (every name, or one), oldest first: `(name, JSON payload)`.
    public func publishedEvents(named name: String? = nil) async throws -> [(name: String, payload: String)] {
        let rows = try await store.query(
            name == nil ? "SELECT name, payload FROM switchboard_events ORDER BY id"
                        : "SELECT name, payload FROM switchboard_events WHERE name = $1 ORDER BY id",
            name.map { [.text($0)] } ?? [])
        return try rows.map { (try $0.string("name"), try $0.string("payload")) }
    }

    /// HMAC, hashes and random bytes as plugins get them: sign a test webhook the way the
    /// provider would (`crypto.hmacSHA256(key:data:)`).
    public var crypto: any CryptoProvider { kernel.crypto }

    /// The database, to arrange data or check what a plugin wrote.
    public var store: any Store { kernel.store }

    /// A query on the database.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) async throws -> [Row] {
        try await store.query(sql, parameters)
    }
}

/// Temporary databases for tests.
public enum TestDatabase {
    /// The PostgreSQL database tests may use, when `SWITCHBOARD_TEST_POSTGRES_URL` is set.
    public static var postgresURL: String? { ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"] }

    /// A fresh, empty database: a new schema of the test PostgreSQL database (selected
    /// through the URL's `options=-csearch_path=…`) when one is configured, else a new SQLite file.
    public static func freshURL() async throws -> String {
        if let base = postgresURL { return try await freshPostgresURL(base: base) }
        return sqliteURL()
    }

    /// A new schema in the PostgreSQL database `base`, and a URL that uses it.
    public static func freshPostgresURL(base: String) async throws -> String {
        let schema = "t_" + UUID().uuidString.replacing("-", with: "").lowercased().prefix(16)
        try await KernelServer.execute("CREATE SCHEMA \(schema)", storageURL: base)
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// Deletes a temporary SQLite database made by `sqliteURL` (with its WAL and shared-memory
    /// files); does nothing for other URLs (a PostgreSQL schema goes with its database).
    public static func remove(_ url: String) {
        guard url.hasPrefix("sqlite:"), url.contains("/switchboard-tests/") else { return }
        let path = String(url.dropFirst("sqlite:".count))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// A new SQLite file under the system temp directory.
    public static func sqliteURL() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return "sqlite:" + dir.appendingPathComponent("t-\(UUID().uuidString).db").path
    }
}

/// A clock that moves only when told to.
public final class ManualClock: TimeSource, Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}
