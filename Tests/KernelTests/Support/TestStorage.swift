import Foundation
import Kernel

/// Storage URLs for tests: a fresh SQLite file in a temp directory, or (when
/// `SWITCHBOARD_TEST_POSTGRES_URL` is set) that PostgreSQL database.
enum TestStorage {
    /// A new SQLite database file under the system temp directory.
    static func sqliteURL() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return "sqlite:" + dir.appendingPathComponent("t-\(UUID().uuidString).db").path
    }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"] }

    /// The backends every storage test runs against.
    static var backends: [String] { ["sqlite"] + (postgresURL == nil ? [] : ["postgres"]) }

    static func url(for backend: String) -> String {
        backend == "postgres" ? (postgresURL ?? sqliteURL()) : sqliteURL()
    }

    /// A config with a fresh SQLite store and quiet logs.
    static func config() -> SwitchboardConfig {
        var config = SwitchboardConfig()
        config.storage.url = sqliteURL()
        config.log.level = .error
        return config
    }
}
