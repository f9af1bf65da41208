import Foundation
@testable import Kernel

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

    /// A fresh, empty database for `backend`: a new SQLite file, or a new schema in the test
    /// PostgreSQL database (selected through the URL's `options=-csearch_path=…`).
    static func freshURL(for backend: String) async throws -> String {
        guard backend == "postgres", let base = postgresURL else { return sqliteURL() }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try await StoreFactory.open(url: base)
        try await admin.execute("CREATE SCHEMA \(schema)")
        await admin.close()
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// A config with a fresh SQLite store and quiet logs.
    static func config() -> SwitchboardConfig {
        var config = SwitchboardConfig()
        config.storage.url = sqliteURL()
        config.log.level = .error
        return config
    }
}
