import PluginAPI
import Synchronization

/// A running kernel: storage open and migrated, jobs running, plugins started, the HTTP
/// server listening. `serve` runs one until a signal; tests start one in-process on port 0.
public final class KernelServer: @unchecked Sendable {
    public let config: SwitchboardConfig
    let log: JSONLogger
    let services: KernelServices
    private let plugins: [KernelBuilder.LoadedPlugin]
    private let kernelRoutes = KernelRoutes()
    private let server: HTTPServer
    private let router: Router
    let registry: JobRegistry
    private var started: [KernelBuilder.LoadedPlugin] = []
    private var openStore: (any KernelStore)?
    /// The migrations the last `openStorage` applied (`kernel 1`), for `switchboard migrate`.
    private(set) var appliedMigrations: [String] = []
    private(set) var engine: JobEngine?
    /// `storage.url`, unless a test replaced it before opening.
    private var storageURL: String

    var engineSettings: JobEngine.Settings {
        var settings = JobEngine.Settings()
        settings.workers = config.jobs.workers
        settings.pollInterval = config.jobs.pollInterval
        settings.jobRetention = config.jobs.jobRetention
        settings.inboxRetention = config.jobs.inboxRetention
        return settings
    }
    /// The outbound client the kernel made (closed on stop); nil when one was injected.
    private let ownedHTTPClient: CurlHTTPClient?

    /// Loads plugins, builds the router and the job registry; performs no I/O. Throws
    /// `ConfigError` for a plugin's bad config and `BootError` for clashes and invalid
    /// registrations. `http` replaces the plugins' outbound client (tests); by default a
    /// `CurlHTTPClient`, whose thread starts with its first request.
    public init(config: SwitchboardConfig, plugins pluginTypes: [any Plugin.Type], logFD: Int32 = 2,
                clock: any TimeSource = SystemClock(), http: (any HTTPClient)? = nil) throws {
        self.config = config
        storageURL = config.storage.url
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
        services = KernelServices(store: StoreHandle(dialect: SQLDialect(storageURL: config.storage.url)), clock: clock,
                                  crypto: OpenSSLCrypto(), http: client)
        let builder = KernelBuilder(config: config, pluginTypes: pluginTypes, log: log, metrics: metrics, services: services)
        plugins = try builder.loadPlugins()
        let inbox = Inbox(services: services, log: log, metrics: metrics)
        registry = try builder.buildRegistry(plugins: plugins, inbox: inbox)
        services.setRegistry(registry)
        let phoneService = try builder.buildPhones(plugins: plugins)
        services.setPhones(phoneService)
        let adminCheck = AdminTokenCheck(token: config.admin.token, crypto: services.crypto, clock: services.clock)
        let admin = AdminRoutes(check: adminCheck,
                                queries: AdminQueries(store: services.store, registry: registry, clock: services.clock,
                                                      enabledPlugins: Set(plugins.map(\.id))))
        let phoneRoutes = admin.phoneRoutes(PhoneQueries(store: services.store, service: phoneService))
        let panels = plugins.flatMap { loaded in
            loaded.registrar.adminPanels.map { AdminRoutes.PanelEntry(plugin: loaded.id, panel: $0) }
        }
        let panelRoutes = admin.panelRoutes(panels)
        var ownRoutes = kernelRoutes.routes + admin.routes + phoneRoutes + panelRoutes
        let document = try OpenAPIDocument.build(kernelRoutes: ownRoutes.map { ($0.0, $0.1) } + [(.get, AdminRoutes.openAPIPath)],
                                                 kernelDocs: AdminRouteDocs.all, plugins: plugins)
        ownRoutes += admin.openAPIRoutes(document)
        let adminUI = AdminUIRoutes(check: adminCheck, settings: config.admin, clock: services.clock,
                                    pluginRoutes: Set(plugins.flatMap { $0.registrar.routes.map { "\($0.method) \($0.pattern)" } }),
                                    panels: panels)
        ownRoutes += adminUI.routes
        let router = try builder.buildRouter(plugins: plugins, kernelRoutes: ownRoutes, inbox: inbox)
        self.router = router
        server = HTTPServer(settings: config.server, router: router, log: log)
        kernelRoutes.setMetricsRenderer { [server] in
            metrics.render(http: await server.metricsSnapshot(), router: router)
        }
    }

    /// `context.phones` as a plugin sees it (for tests and tools acting like a plugin).
    public var phones: any Phones {
        KernelPhones(services: services, normalizer: E164Normalizer(defaultRegion: config.phone.defaultRegion))
    }

    /// The operator's phone queries over `store`.
    func phoneQueries(store: any Store) throws -> PhoneQueries {
        guard let service = services.phones else { throw PhoneError("the phone service is not built") }
        return PhoneQueries(store: store, service: service)
    }

    /// The port bound (after `start`).
    public var port: Int { server.port }

    /// Every route in the router: method, pattern and the registering plugin (nil: the kernel).
    var routeTable: [(method: HTTPMethod, pattern: String, plugin: String?)] {
        router.routes.map { ($0.method, $0.pattern, $0.plugin) }
    }

    /// Ids of the loaded (enabled) plugins, in start order.
    public var pluginIDs: [String] { plugins.map(\.id) }

    /// Every migration to apply: the kernel's, then each enabled plugin's.
    var migrationOwners: [(owner: String, migrations: [PluginRegistrar.MigrationRecord])] {
        [("kernel", KernelSchema.migrations)] + plugins.map { ($0.id, $0.registrar.migrations) }
    }

    /// Opens storage and applies pending migrations (what `switchboard migrate` does).
    /// Returns the open store.
    func openStorage() async throws -> any KernelStore {
        if let openStore { return openStore }
        let store = try await StoreFactory.open(url: storageURL)
        do {
            let report = try await MigrationRunner(store: store, crypto: services.crypto)
                .apply(owners: migrationOwners, now: services.clock.nowMillis)
            if !report.applied.isEmpty { log.info("migrations applied", ["migrations": report.applied.joined(separator: ", ")]) }
            appliedMigrations = report.applied
        } catch {
            await store.close()
            throw error
        }
        openStore = store
        services.store.bind(store)
        return store
    }

    /// Closes the store `openStorage` opened, for commands that do not `start` (`migrate`,
    /// `inbox …`, `jobs …`). `stop` does this for a started kernel.
    func closeStorage() async {
        await openStore?.close()
        openStore = nil
    }

    /// The operator's queries over `store` in this configuration (its plugins and job kinds).
    func adminQueries(store: any Store) -> AdminQueries {
        AdminQueries(store: store, registry: registry, clock: services.clock, enabledPlugins: Set(pluginIDs))
    }

    /// Opens storage, starts the job engine, binds, starts the plugins in order, then reports ready.
    public func start() async throws {
        let store = try await openStorage()
        let routes = kernelRoutes
        let engine = JobEngine(store: store, registry: registry, clock: services.clock, log: log, settings: engineSettings,
                               onStorageHealth: { routes.storageHealthy.store($0, ordering: .relaxed) })
        self.engine = engine
        services.setEngine(engine)
        services.store.onWrite { [services] in services.nudge() }
        engine.start()
        if let postgres = store as? PostgresStore {
            // Jobs enqueued by another instance wake this one at their commit.
            try await postgres.listen(channel: "switchboard_jobs") { _ in engine.nudge() }
        }
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
        log.info("listening", ["host": config.server.host, "port": "\(server.port)", "plugins": plugins.map(\.id).joined(separator: ","),
                               "storage": config.storage.url.hasPrefix("sqlite:") ? "sqlite" : "postgres"])
    }

    /// Not ready any more; stop accepting; finish in-flight requests (up to the grace); stop
    /// the job engine and the plugins in reverse order; close storage.
    public func stop() async {
        kernelRoutes.ready.store(false, ordering: .relaxed)
        await server.shutdown(grace: config.server.shutdownGrace)
        await engine?.stop(grace: config.server.shutdownGrace)
        services.setEngine(nil)
        for loaded in started.reversed() { await loaded.plugin.stop() }
        started = []
        // After the plugins: their stop() may still send.
        ownedHTTPClient?.close()
        await openStore?.close()
        openStore = nil
        log.info("stopped", [:])
    }

    /// Opens storage and prepares the job engine without starting its background loop or the
    /// HTTP server: jobs run only when `runDueJobs()` is called (`PluginTesting`).
    public func openForTesting(storageURL url: String? = nil) async throws {
        if let url { storageURL = url }
        let store = try await openStorage()
        let engine = JobEngine(store: store, registry: registry, clock: services.clock, log: log, settings: engineSettings)
        self.engine = engine
        services.setEngine(engine)
    }

    /// Runs every job that is due at the clock's current time, repeatedly, until none is left.
    /// Returns how many ran.
    @discardableResult
    public func runDueJobs() async throws -> Int {
        guard let engine else { throw BootError("storage is not open: call openForTesting() or start() first") }
        return try await engine.runDueJobs()
    }

    /// Leaves the waiting jobs named `name` as a worker that crashed on their last attempt
    /// would (running, attempts used up, lease expired), then runs the rescuer: they die as in
    /// production and `job.dead` is published for each. Returns how many died.
    @discardableResult
    public func crashJobsOnTheirLastAttempt(named name: String) async throws -> Int {
        guard let engine else { throw BootError("storage is not open: call openForTesting() or start() first") }
        let now = services.clock.nowMillis
        try await services.store.write { db in
            try db.execute(JobSQL.crashForTesting, [.text(name), .integer(now - 1)])
        }
        return try await engine.rescue(now: now)
    }

    /// The SQLite writer's counters (commits, batches, WAL frames), nil on PostgreSQL or before
    /// storage is open: for benchmarks.
    public var sqliteStats: SQLiteStoreStats? { ((services.store as? StoreHandle)?.bound as? SQLiteStore)?.stats }

    /// The open store (after `start` or `openForTesting`), for tests that inspect tables.
    public var store: any Store { services.store }

    /// `context.channels` as a plugin sees it (send and receive through channels, in a write).
    public var channels: any Channels { KernelChannels(services: services) }

    /// `context.events` as a plugin sees it (publish in a write).
    public var events: any EventBus { ServicesEventBus(services: services) }

    /// The kernel's crypto, as plugins get it (tests sign webhooks with it).
    public var crypto: any CryptoProvider { services.crypto }

    /// Closes what `openForTesting` opened.
    public func closeForTesting() async {
        services.setEngine(nil)
        engine = nil
        ownedHTTPClient?.close()
        await openStore?.close()
        openStore = nil
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

    /// Runs one statement on the database at `storageURL` (test setup: creating a schema).
    public static func execute(_ sql: String, storageURL: String) async throws {
        let store = try await StoreFactory.open(url: storageURL)
        do {
            try await store.execute(sql)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// What each loaded plugin registered, for `switchboard plugins`.
    var registrations: [String: [String]] {
        Dictionary(uniqueKeysWithValues: plugins.map { ($0.id, $0.registrar.summaryLines) })
    }
}
