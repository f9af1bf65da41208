import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// `switchboard migrate` in-process, where the test can tamper with the database between runs.
@Suite("migrate command")
struct MigrateCommandTests {
    @Test func aChangedAppliedMigrationExitsOne() async throws {
        let url = TestStorage.sqliteURL()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-migrate-\(UUID().uuidString).json")
        try #"{"storage": {"url": "\#(url)"}, "log": {"level": "error"}, "plugins": {}}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let arguments = ["migrate", "--config", file.path]
        #expect(await Switchboard.run(arguments: arguments, plugins: [], environment: [:]) == 0)
        #expect(await Switchboard.run(arguments: arguments, plugins: [], environment: [:]) == 0)

        let store = try SQLiteStore(path: String(url.dropFirst("sqlite:".count)))
        _ = try await store.execute("UPDATE switchboard_migrations SET checksum = 'tampered' WHERE owner = 'kernel' AND version = 1")
        await store.close()
        #expect(await Switchboard.run(arguments: arguments, plugins: [], environment: [:]) == 1)
        // The inbox and job commands open (and so migrate) storage the same way.
        #expect(await Switchboard.run(arguments: ["jobs", "list", "--config", file.path], plugins: [], environment: [:]) == 1)
    }
}
