import PluginAPI

/// Applies migrations once, in order, per owner (`kernel` or a plugin id), recording each
/// with a SHA-256 checksum of its SQL. An applied migration whose SQL changed is an error,
/// not a silent skip. Each migration runs in its own transaction; on PostgreSQL an advisory
/// lock keeps two instances starting together from applying the same one twice.
struct MigrationRunner {
    let store: any Store
    let crypto: any CryptoProvider

    static let createTable = """
    CREATE TABLE IF NOT EXISTS switchboard_migrations (
        owner TEXT NOT NULL,
        version INTEGER NOT NULL,
        checksum TEXT NOT NULL,
        applied_at BIGINT NOT NULL,
        PRIMARY KEY (owner, version)
    )
    """

    /// What `apply` did, for logs and tests.
    struct Report: Equatable {
        var applied: [String] = []
    }

    /// Applies every pending migration of every owner, kernel first.
    func apply(owners: [(owner: String, migrations: [PluginRegistrar.MigrationRecord])], now: Int64) async throws -> Report {
        let dialect = store.dialect
        try await store.write { db in
            if dialect == .postgres { try db.execute("SELECT pg_advisory_xact_lock(7164)", []) }
            try db.execute(Self.createTable, [])
        }
        var report = Report()
        for (owner, migrations) in owners {
            for migration in migrations {
                let sql = dialect == .postgres ? (migration.postgres ?? migration.sql) : migration.sql
                let checksum = crypto.hex(crypto.sha256(Array(sql.utf8)))
                let applied = try await store.write { db -> Bool in
                    if dialect == .postgres { try db.execute("SELECT pg_advisory_xact_lock(7164)", []) }
                    if let row = try db.queryOne("SELECT checksum FROM switchboard_migrations WHERE owner = $1 AND version = $2", owner, migration.version) {
                        guard try row.string("checksum") == checksum else {
                            throw MigrationError(owner: owner, version: migration.version,
                                                 message: "was changed after it was applied (checksum differs); add a new migration instead")
                        }
                        return false
                    }
                    for statement in Self.statements(dialect.translate(sql)) {
                        do {
                            try db.execute(statement, [])
                        } catch {
                            throw MigrationError(owner: owner, version: migration.version, message: "failed: \(error)")
                        }
                    }
                    try db.execute("INSERT INTO switchboard_migrations (owner, version, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                                   owner, migration.version, checksum, now)
                    return true
                }
                if applied { report.applied.append("\(owner) \(migration.version)") }
            }
        }
        return report
    }

    /// Splits a migration into statements at semicolons that end a line (no semicolons inside
    /// string literals or bodies are supported; migrations are ours and plain DDL).
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.trimmingASCIIWhitespace().hasSuffix(";") {
                let statement = current.trimmingASCIIWhitespace().dropLast()
                if !statement.trimmingASCIIWhitespace().isEmpty { statements.append(String(statement)) }
                current = ""
            }
        }
        let rest = current.trimmingASCIIWhitespace()
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}

/// A migration that cannot be applied; stops the boot (exit 1 from `serve` and `migrate`).
struct MigrationError: Error, CustomStringConvertible {
    var owner: String
    var version: Int
    var message: String
    var description: String { "migration \(owner) \(version) \(message)" }
}
