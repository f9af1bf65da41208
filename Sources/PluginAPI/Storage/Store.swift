/// The SQL dialect a store speaks. SQL is written once in the shared subset (`$1`
/// placeholders, `ON CONFLICT … DO`, `RETURNING`); a migration may give a per-dialect
/// variant only where the subset cannot say it.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// Runs statements on one connection. Calls block the calling thread, which is always a
/// storage thread of the kernel, never an event loop: bodies passed to `Store.read` and
/// `Store.write` run there.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns the number of rows changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int
    /// Runs a query; returns every row.
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
}

extension SQLConnection {
    @discardableResult
    public func execute(_ sql: String, _ parameters: any SQLBindable...) throws -> Int {
        try execute(sql, parameters.map(\.sqlValue))
    }

    public func query(_ sql: String, _ parameters: any SQLBindable...) throws -> [Row] {
        try query(sql, parameters.map(\.sqlValue))
    }

    /// The first row, or nil.
    public func queryOne(_ sql: String, _ parameters: any SQLBindable...) throws -> Row? {
        try query(sql, parameters.map(\.sqlValue)).first
    }
}

/// The kernel's database: SQLite (embedded default) or PostgreSQL (several instances).
///
/// `write` runs its body in one transaction: committed when the body returns, rolled back
/// when it throws. Concurrent writes may share one commit (group commit) but each body is
/// all-or-nothing on its own. `read` runs on a read connection and sees committed data.
/// Bodies are synchronous and must not wait on anything but the connection.
public protocol Store: Sendable {
    var dialect: SQLDialect { get }
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
}

extension Store {
    /// A single statement in its own transaction.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) async throws -> Int {
        try await write { try $0.execute(sql, parameters) }
    }

    /// A single query on a read connection.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) async throws -> [Row] {
        try await read { try $0.query(sql, parameters) }
    }

    /// DESIGN's name for `write`.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await write(body)
    }
}

/// A storage failure. `kind` says whether retrying can help.
public struct StorageError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The database is unreachable or restarting: retry later (HTTP 503).
        case unavailable
        /// A constraint (unique, foreign key, not null) refused the change.
        case constraint
        /// Bad SQL or a schema mismatch: a bug, not retryable.
        case schema
        /// Busy or serialization failure: retry at once.
        case conflict
        /// Anything else the driver reported.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "storage \(kind.rawValue): \(message)" }
}
