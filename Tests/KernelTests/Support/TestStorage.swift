import Foundation
import PluginTesting
@testable import Kernel

/// Storage URLs for tests: a fresh SQLite file in a temp directory, or (when
/// `SWITCHBOARD_TEST_POSTGRES_URL` is set) that PostgreSQL database.
enum TestStorage {
    /// A new SQLite database file under the system temp directory.
    static func sqliteURL() -> String { TestDatabase.sqliteURL() }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"] }

    /// The backends every storage test runs against.
    static var backends: [String] { ["sqlite"] + (postgresURL == nil ? [] : ["postgres"]) }

    static func url(for backend: String) -> String {
        backend == "postgres" ? (postgresURL ?? sqliteURL()) : sqliteURL()
    }

    /// A fresh, empty database for `backend`: a new SQLite file, or a new schema in the test
    /// PostgreSQL database (selected through the URL's `options=-csearch_path=…`).
    static func freshURL(for backend: String) async throws -> String {
        guard backend == "postgres", let base = postgresURL else { return sqliteURL() }
        return try await TestDatabase.freshPostgresURL(base: base)
    }

    /// A config with a fresh SQLite store and quiet logs.
    static func config() -> SwitchboardConfig {
        var config = SwitchboardConfig()
        config.storage.url = sqliteURL()
        config.log.level = .error
        return config
    }
}
