import Foundation
import PluginAPI

/// A running kernel: plugins loaded and started, the HTTP server listening. `serve` runs one
/// until a signal; tests start one in-process on port 0.
public final class KernelServer: @unchecked Sendable {
    public let config: SwitchboardConfig
    let log: JSONLogger
    private let plugins: [KernelBuilder.LoadedPlugin]
    private let kernelRoutes = KernelRoutes()
    private let server: HTTPServer
    private var started: [KernelBuilder.LoadedPlugin] = []

    /// Loads plugins and builds the router; performs no I/O. Throws `ConfigError` for a plugin's
    /// bad config and `BootError` for clashes and invalid registrations.
    public init(config: SwitchboardConfig, plugins pluginTypes: [any Plugin.Type], logFD: Int32 = 2) throws {
        self.config = config
        let secrets = [config.admin.token].compactMap { $0 }
        log = JSONLogger(level: config.log.level, fd: logFD, redactions: secrets)
        let metrics = MetricsRegistry()
        let builder = KernelBuilder(config: config, pluginTypes: pluginTypes, log: log, metrics: metrics,
                                    clock: SystemClock(), crypto: OpenSSLCrypto())
        plugins = try builder.loadPlugins()
        let router = try builder.buildRouter(plugins: plugins, kernelRoutes: kernelRoutes.routes)
        server = HTTPServer(settings: config.server, router: router, log: log)
        kernelRoutes.setMetricsRenderer { [server] in
            metrics.render(http: await server.metricsSnapshot(), router: router)
        }
    }

    /// The port bound (after `start`).
    public var port: Int { server.port }

    /// Ids of the loaded (enabled) plugins, in start order.
    public var pluginIDs: [String] { plugins.map(\.id) }

    /// Binds, starts the plugins in order, then reports ready.
    public func start() async throws {
        try server.start()
        for loaded in plugins {
            do {
                try await loaded.plugin.start()
            } catch {
                log.error("plugin failed to start", ["plugin": loaded.id, "error": "\(error)"])
                await stop()
                throw BootError("plugin \(loaded.id): start failed: \(error)")
            }
            started.append(loaded)
        }
        kernelRoutes.ready.store(true, ordering: .relaxed)
        log.info("listening", ["host": config.server.host, "port": "\(server.port)", "plugins": plugins.map(\.id).joined(separator: ",")])
    }

    /// Not ready any more; stop accepting; finish in-flight requests (up to the grace); stop
    /// plugins in reverse order.
    public func stop() async {
        kernelRoutes.ready.store(false, ordering: .relaxed)
        await server.shutdown(grace: config.server.shutdownGrace)
        for loaded in started.reversed() { await loaded.plugin.stop() }
        started = []
        log.info("stopped", [:])
    }

    /// What each loaded plugin registered, for `switchboard plugins`.
    var registrations: [String: [String]] {
        Dictionary(uniqueKeysWithValues: plugins.map { ($0.id, $0.registrar.summaryLines) })
    }
}
