import PluginAPI

/// The kernel as a storage command (`migrate`, `inbox …`, `jobs …`) uses it: built from the
/// config (plugins decoded, job kinds registered) but never started, so no port is bound and
/// no job runs here. `run` opens storage (applying pending migrations), runs the command and
/// closes storage whatever happens. A server may run on the same database meanwhile.
struct StorageSession {
    let kernel: KernelServer

    /// Loads and checks the config and builds the kernel; touches no storage. Logs only
    /// warnings and errors: the command's own output is on stdout.
    init(file: String, plugins: [any Plugin.Type], environment: [String: String]) throws {
        var config = try Switchboard.loadConfig(file: file, plugins: plugins, environment: environment)
        if config.log.level < .warning { config.log.level = .warning }
        kernel = try KernelServer(config: config, plugins: plugins)
    }

    /// Now, in Unix milliseconds (what `--since 2h` counts back from).
    var now: Int64 { kernel.services.clock.nowMillis }

    /// Opens storage, runs `body` with the operator's queries over it, and closes storage.
    func run<T>(_ body: (AdminQueries) async throws -> T) async throws -> T {
        let store = try await kernel.openStorage()
        do {
            let result = try await body(kernel.adminQueries(store: store))
            await kernel.closeStorage()
            return result
        } catch {
            await kernel.closeStorage()
            throw error
        }
    }
}
