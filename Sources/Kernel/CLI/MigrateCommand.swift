import PluginAPI

/// `switchboard migrate`: opens storage and applies the pending migrations of the kernel and
/// the enabled plugins. Prints `applied <owner> <version>` per migration, or
/// `nothing to apply`. A changed applied migration throws `MigrationError` (exit 1); storage
/// that cannot be opened throws `StorageOpenError` (exit 2).
enum MigrateCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        let applied = try await session.run { _ in session.kernel.appliedMigrations }
        if applied.isEmpty {
            print("nothing to apply")
        } else {
            for migration in applied { print("applied \(migration)") }
        }
        return 0
    }
}
