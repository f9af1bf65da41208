import PluginAPI

/// Boots the kernel's parts from a config: instantiates enabled plugins (config decoded
/// strictly, no I/O), collects their registrations and builds the router. Used by `serve`,
/// `check-config`, `plugins` and `PluginTesting` alike, so they agree on what a config means.
struct KernelBuilder {
    /// A plugin instance with what it registered.
    struct LoadedPlugin {
        let id: String
        let plugin: any Plugin
        let registrar: PluginRegistrar
    }

    /// Ids the kernel uses for its own paths; a plugin may not take them.
    static let reservedIDs: Set<String> = ["healthz", "readyz", "metrics", "admin", "api", "openapi", "static", "kernel"]

    let config: SwitchboardConfig
    let pluginTypes: [any Plugin.Type]
    let log: JSONLogger
    let metrics: MetricsRegistry
    let services: KernelServices

    /// Checks the compiled-in plugin list: valid, unique, unreserved ids.
    static func validate(pluginTypes: [any Plugin.Type]) throws(BootError) {
        var seen: Set<String> = []
        for type in pluginTypes {
            let id = type.id
            guard PluginID.isValid(id) else { throw BootError("plugin id \"\(id)\" is invalid (expected [a-z][a-z0-9_]{0,31})") }
            guard !reservedIDs.contains(id) else { throw BootError("plugin id \"\(id)\" is reserved by the kernel") }
            guard seen.insert(id).inserted else { throw BootError("two compiled-in plugins share the id \"\(id)\"") }
        }
    }

    /// Instantiates and registers every enabled plugin, in the order of `pluginTypes`.
    func loadPlugins() throws -> [LoadedPlugin] {
        try Self.validate(pluginTypes: pluginTypes)
        var loaded: [LoadedPlugin] = []
        for type in pluginTypes {
            guard let entry = config.plugins[type.id], entry.enabled else { continue }
            let context = KernelPluginContext(pluginID: type.id, entry: entry, log: log.with(plugin: type.id), services: services,
                                              metrics: PluginMetrics(registry: metrics, prefix: "switchboard_\(type.id)_"),
                                              phones: KernelPhones(services: services, normalizer: normalizer),
                                              adminCheck: AdminTokenCheck(token: config.admin.token, crypto: services.crypto, clock: services.clock))
            let plugin = try type.init(context: context)
            let registrar = PluginRegistrar(pluginID: type.id)
            do {
                try plugin.register(registrar)
            } catch {
                throw BootError("plugin \(type.id): register failed: \(error)")
            }
            registrar.validate()
            if let problem = registrar.problems.first { throw BootError("plugin \(type.id): \(problem)") }
            loaded.append(LoadedPlugin(id: type.id, plugin: plugin, registrar: registrar))
        }
        return loaded
    }

    /// The normaliser with the configured default region.
    var normalizer: E164Normalizer { E164Normalizer(defaultRegion: config.phone.defaultRegion) }

    /// The resolution chain with the enabled plugins' strategies in the configured order.
    /// A strategy named in `phone.strategies` that no enabled plugin registers is a boot error.
    func buildPhones(plugins: [LoadedPlugin]) throws(BootError) -> PhoneService {
        var registered: [PhoneStrategyEntry] = []
        for loaded in plugins {
            registered += loaded.registrar.phoneStrategies.map {
                PhoneStrategyEntry(id: $0.id, plugin: loaded.id, kind: $0.kind, timeout: $0.timeout, handler: $0.resolve)
            }
        }
        let ordered = try PhoneStrategyOrder.order(registered: registered, configured: config.phone.strategies)
        return PhoneService(services: services, normalizer: normalizer, strategies: ordered, retrySchedule: config.phone.retrySchedule)
    }

    /// Every job kind: the plugins' own, one per webhook (processing) and one per subscription
    /// (deliveries); with periodic jobs and rate limits.
    func buildRegistry(plugins: [LoadedPlugin], inbox: Inbox) throws(BootError) -> JobRegistry {
        var kinds: [String: JobRegistry.Kind] = [:]
        var periodic: [JobRegistry.Periodic] = []
        var rateLimits: [String: RateLimit] = [:]
        var subscriptions: [String: [String]] = [:]
        var channels: [String: String] = [:]
        func add(_ kind: JobRegistry.Kind) throws(BootError) {
            guard kinds[kind.name] == nil else { throw BootError("job \(kind.name) is declared twice") }
            kinds[kind.name] = kind
        }
        // The kernel's own: one resolution round of a pending phone subject.
        try add(.init(name: PhoneService.roundJob, plugin: "kernel", queue: "kernel.phones", maxAttempts: 10,
                      timeout: config.jobs.defaultTimeout, handler: { [services] context in
            guard let id = JobPayload.id("subject_id", in: context.payload) else { throw PermanentJobError("phone round payload has no subject_id") }
            guard let phones = services.phones else { throw JobError("the phone service is not built") }
            return try await phones.runRound(subjectID: id)
        }))
        for loaded in plugins {
            let id = loaded.id
            for job in loaded.registrar.jobs {
                try add(.init(name: job.name, plugin: id, queue: job.options.queue ?? id, maxAttempts: job.options.maxAttempts,
                              timeout: job.options.timeout, handler: job.handler))
            }
            for webhook in loaded.registrar.webhooks {
                try add(.init(name: Inbox.jobName(plugin: id, path: webhook.path), plugin: id, queue: id, maxAttempts: 10,
                              timeout: config.jobs.defaultTimeout, handler: inbox.processingJob(plugin: id, webhook: webhook)))
            }
            for (n, subscription) in loaded.registrar.subscriptions.enumerated() {
                let name = "\(id).on.\(subscription.event)#\(n)"
                try add(.init(name: name, plugin: id, queue: id, maxAttempts: 10, timeout: config.jobs.defaultTimeout,
                              handler: EventDelivery.handler(store: services.store, subscription.handler)))
                subscriptions[subscription.event, default: []].append(name)
            }
            for channel in loaded.registrar.channels {
                guard channels[channel.id] == nil else { throw BootError("channel \(channel.id) is declared twice") }
                let name = "\(id).channel.\(channel.id)"
                let queue = "channel.\(channel.id)"
                try add(.init(name: name, plugin: id, queue: queue, maxAttempts: channel.maxAttempts, timeout: config.jobs.defaultTimeout,
                              handler: ChannelSendJob.handler(channel: channel.id, services: services, send: channel.send)))
                channels[channel.id] = name
                if let limit = channel.rateLimit { rateLimits[queue] = limit }
            }
            periodic += loaded.registrar.periodic.map { JobRegistry.Periodic(job: $0.job, interval: $0.interval) }
            for (queue, limit) in loaded.registrar.rateLimits {
                if let existing = rateLimits[queue], existing != limit {
                    throw BootError("queue \(queue) has two rate limits (\(existing) and \(limit))")
                }
                rateLimits[queue] = limit
            }
        }
        return JobRegistry(kinds: kinds, periodic: periodic, rateLimits: rateLimits, subscriptions: subscriptions, channels: channels)
    }

    /// The router with the kernel's routes first, then every plugin's.
    func buildRouter(plugins: [LoadedPlugin], kernelRoutes: [(HTTPMethod, String, RouteAction)], inbox: Inbox) throws(BootError) -> Router {
        let router = Router()
        do {
            // Every state-changing route refuses cross-site requests that carry the admin
            // session cookie (CSRF), whoever registered it.
            for (method, path, action) in kernelRoutes {
                try router.add(method, path, plugin: nil, maxBody: nil, action: CrossSiteGuard.wrap(method, action))
            }
            for loaded in plugins {
                for route in loaded.registrar.routes {
                    try router.add(route.method, route.pattern, plugin: loaded.id, maxBody: route.maxBody,
                                   action: CrossSiteGuard.wrap(route.method, route.action))
                }
                for webhook in loaded.registrar.webhooks {
                    try router.add(.post, webhook.path, plugin: loaded.id, maxBody: webhook.maxBody,
                                   action: .async(inbox.handler(plugin: loaded.id, webhook: webhook)))
                }
            }
        } catch {
            throw BootError(error.description)
        }
        return router
    }
}

/// A problem that stops the kernel from booting (exit 2 from the CLI: it is the config's or
/// the build's, not the environment's).
struct BootError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
