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
    private let router: Router
    private var started: [KernelBuilder.LoadedPlugin] = []
    /// The outbound client the kernel made (closed on stop); nil when one was injected.
    private let ownedHTTPClient: CurlHTTPClient?

    /// Loads plugins and builds the router; performs no I/O. Throws `ConfigError` for a plugin's
    /// bad config and `BootError` for clashes and invalid registrations. `http` replaces the
    /// plugins' outbound client (tests); by default a `CurlHTTPClient`, whose thread starts
    /// with its first request.
    public init(config: SwitchboardConfig, plugins pluginTypes: [any Plugin.Type], logFD: Int32 = 2,
                clock: any TimeSource = SystemClock(), http: (any HTTPClient)? = nil) throws {
        self.config = config
        // Everything that came from ${VAR} is treated as a secret; short values (ports) are not.
        let secrets = (config.secrets + [config.admin.token].compactMap { $0 }).filter { $0.count >= 8 }
        log = JSONLogger(level: config.log.level, fd: logFD, redactions: secrets)
        let metrics = MetricsRegistry()
        let client: any HTTPClient
        if let http {
            client = http
            ownedHTTPClient = nil
        } else {
            let owned = CurlHTTPClient(log: log)
            client = owned
            ownedHTTPClient = owned
        }
        let builder = KernelBuilder(config: config, pluginTypes: pluginTypes, log: log, metrics: metrics,
                                    clock: clock, crypto: OpenSSLCrypto(), http: client)
        plugins = try builder.loadPlugins()
        let router = try builder.buildRouter(plugins: plugins, kernelRoutes: kernelRoutes.routes)
        self.router = router
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
        // After the plugins: their stop() may still send.
        ownedHTTPClient?.close()
        log.info("stopped", [:])
    }

    /// Answers a request in-process, without sockets, through the same router and error
    /// handling as the server (HEAD answers carry no body). Used by `PluginTesting`.
    public func respond(to request: Request) async -> Response {
        var request = request
        if request.requestID.isEmpty { request.requestID = "test-\(UInt32.random(in: 0...UInt32.max))" }
        let match = router.match(method: request.method, path: request.path)
        var response: Response
        switch match {
        case .found(let route, let parameters):
            request.parameters = parameters
            response = await LoopWorker.run(route, request, log: log)
        case .notFound, .methodNotAllowed:
            response = LoopWorker.unrouted(match, method: request.method, path: request.path)
        }
        if request.method == .head { response.body = [] }
        return response
    }

    /// What each loaded plugin registered, for `switchboard plugins`.
    var registrations: [String: [String]] {
        Dictionary(uniqueKeysWithValues: plugins.map { ($0.id, $0.registrar.summaryLines) })
    }
}
