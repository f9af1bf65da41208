import PluginAPI

/// Records what one plugin registers, mounted under `/<id>` and prefixed with its id; the
/// kernel then wires the records into the router, the migration runner, the inbox and the
/// job engine (where clashes are found), and lists them in `switchboard plugins`.
final class PluginRegistrar: Registrar {
    struct RouteRecord {
        var method: HTTPMethod
        /// The full mounted pattern (`/metaflow/endpoint/:flow`).
        var pattern: String
        var maxBody: Int?
        var action: RouteAction
    }

    struct MigrationRecord {
        var version: Int
        var sql: String
        var postgres: String?
    }

    struct WebhookRecord {
        /// The full mounted path (`/wasender/webhook`).
        var path: String
        var maxBody: Int?
        var verify: WebhookVerifier
        var dedupeKey: DedupeKeyExtractor
        var process: WebhookProcessor
    }

    struct JobRecord {
        /// Prefixed: `chatwoot.sync_contact`.
        var name: String
        var options: JobOptions
        var handler: JobHandler
    }

    struct PeriodicRecord {
        var interval: ConfigDuration
        /// Prefixed job name.
        var job: String
    }

    struct SubscriptionRecord {
        var event: String
        var handler: EventHandler
    }

    struct ChannelRecord {
        var id: String
        var rateLimit: RateLimit?
        var maxAttempts: Int
        var send: ChannelSender
    }

    struct PhoneStrategyRecord {
        /// Prefixed: `metaflow.token_map`.
        var id: String
        var kind: PhoneSourceKind
        var timeout: ConfigDuration
        var resolve: PhoneStrategyHandler
    }

    /// A route's description for `/openapi.json`.
    struct DocRecord {
        var method: HTTPMethod
        /// The full mounted pattern as described (`/metaflow/send/bulk/:id`).
        var pattern: String
        var doc: RouteDoc
    }

    /// A strategy's cut-off when the plugin names none.
    static let defaultStrategyTimeout = ConfigDuration.seconds(3)

    let pluginID: String
    private(set) var phoneStrategies: [PhoneStrategyRecord] = []
    private(set) var channels: [ChannelRecord] = []
    private(set) var routes: [RouteRecord] = []
    private(set) var migrations: [MigrationRecord] = []
    private(set) var webhooks: [WebhookRecord] = []
    private(set) var jobs: [JobRecord] = []
    private(set) var periodic: [PeriodicRecord] = []
    private(set) var rateLimits: [String: RateLimit] = [:]
    private(set) var subscriptions: [SubscriptionRecord] = []
    private(set) var adminPanels: [AdminPanel] = []
    private(set) var docs: [DocRecord] = []
    private(set) var problems: [String] = []

    init(pluginID: String) { self.pluginID = pluginID }

    private func mount(_ path: String) -> String? {
        if path.isEmpty || path == "/" { return "/\(pluginID)" }
        guard path.hasPrefix("/") else {
            problems.append("path must start with / (got \(path))")
            return nil
        }
        return "/\(pluginID)\(path)"
    }

    /// `sync_contact` → `chatwoot.sync_contact`; an already-prefixed name is kept.
    func qualified(_ name: String) -> String {
        name.hasPrefix("\(pluginID).") ? name : "\(pluginID).\(name)"
    }

    func route(_ method: HTTPMethod, _ path: String, maxBody: Int?, action: RouteAction) {
        guard let mounted = mount(path) else { return }
        if let maxBody, maxBody < 0 { problems.append("route \(method) \(mounted): maxBody must not be negative") }
        routes.append(RouteRecord(method: method, pattern: mounted, maxBody: maxBody, action: action))
    }

    func migration(_ version: Int, _ sql: String, postgres: String?) {
        let expected = (migrations.last?.version ?? 0) + 1
        guard version == expected else {
            problems.append("migration \(version) declared out of order (expected \(expected))")
            return
        }
        migrations.append(MigrationRecord(version: version, sql: sql, postgres: postgres))
    }

    func webhook(_ path: String, maxBody: Int?, verify: @escaping WebhookVerifier, dedupeKey: @escaping DedupeKeyExtractor,
                 process: @escaping WebhookProcessor) {
        guard let mounted = mount(path) else { return }
        webhooks.append(WebhookRecord(path: mounted, maxBody: maxBody, verify: verify, dedupeKey: dedupeKey, process: process))
    }

    func job(_ name: String, options: JobOptions, _ handler: @escaping JobHandler) {
        let full = qualified(name)
        if jobs.contains(where: { $0.name == full }) { problems.append("job \(full) declared twice") }
        if options.maxAttempts < 1 { problems.append("job \(full): maxAttempts must be at least 1") }
        jobs.append(JobRecord(name: full, options: options, handler: handler))
    }

    func every(_ interval: ConfigDuration, job name: String) {
        guard interval.milliseconds >= 1000 else {
            problems.append("every \(interval) for \(qualified(name)): the interval must be at least 1s")
            return
        }
        periodic.append(PeriodicRecord(interval: interval, job: qualified(name)))
    }

    func rateLimit(queue: String, _ limit: RateLimit) {
        rateLimits[queue] = limit
    }

    func subscribe(_ event: String, _ handler: @escaping EventHandler) {
        subscriptions.append(SubscriptionRecord(event: event, handler: handler))
    }

    func channel(_ id: String, rateLimit: RateLimit?, maxAttempts: Int, send: @escaping ChannelSender) {
        guard PluginID.isValid(id) else {
            problems.append("channel id \"\(id)\" is invalid (expected [a-z][a-z0-9_]{0,31})")
            return
        }
        if maxAttempts < 1 { problems.append("channel \(id): maxAttempts must be at least 1") }
        channels.append(ChannelRecord(id: id, rateLimit: rateLimit, maxAttempts: maxAttempts, send: send))
    }

    func phoneStrategy(_ name: String, kind: PhoneSourceKind, timeout: ConfigDuration?, resolve: @escaping PhoneStrategyHandler) {
        guard PluginID.isValid(name) else {
            problems.append("phone strategy name \"\(name)\" is invalid (expected [a-z][a-z0-9_]{0,31})")
            return
        }
        let id = "\(pluginID).\(name)"
        if phoneStrategies.contains(where: { $0.id == id }) { problems.append("phone strategy \(id) declared twice") }
        let timeout = timeout ?? Self.defaultStrategyTimeout
        if timeout.milliseconds < 1 { problems.append("phone strategy \(id): the timeout must be positive") }
        phoneStrategies.append(PhoneStrategyRecord(id: id, kind: kind, timeout: timeout, resolve: resolve))
    }

    func adminPanel(_ panel: AdminPanel) {
        let name = "admin panel \(pluginID).\(panel.id)"
        guard PluginID.isValid(panel.id) else {
            problems.append("admin panel id \"\(panel.id)\" is invalid (expected [a-z][a-z0-9_]{0,31})")
            return
        }
        if adminPanels.contains(where: { $0.id == panel.id }) { problems.append("\(name) declared twice") }
        if panel.title.isEmpty { problems.append("\(name): the title is empty") }
        if !panel.source.hasPrefix("/") { problems.append("\(name): source must start with / (got \(panel.source))") }
        if panel.rowsKey.isEmpty { problems.append("\(name): rowsKey is empty") }
        if panel.columns.isEmpty { problems.append("\(name): it has no columns") }
        for action in panel.actions where !action.path.hasPrefix("/") {
            problems.append("\(name): action \"\(action.title)\" path must start with / (got \(action.path))")
        }
        adminPanels.append(panel)
    }

    func describe(_ method: HTTPMethod, _ path: String, _ doc: RouteDoc) {
        guard let mounted = mount(path) else { return }
        if docs.contains(where: { $0.method == method && $0.pattern == mounted }) {
            problems.append("route \(method) \(mounted) described twice")
        }
        docs.append(DocRecord(method: method, pattern: mounted, doc: doc))
    }

    /// Checks references between registrations (a periodic job must be declared; a panel's
    /// source must be one of the plugin's GET routes and its actions POST routes; a
    /// description must name a declared route and only its path parameters).
    func validate() {
        for record in docs {
            let problem = RouteDocCheck.problem(method: record.method, pattern: record.pattern, doc: record.doc,
                                                declared: routes.map { ($0.method, $0.pattern) } + webhooks.map { (.post, $0.path) })
            if let problem { problems.append(problem) }
        }
        for panel in adminPanels {
            if !hasRoute(.get, relative: panel.source) {
                problems.append("admin panel \(pluginID).\(panel.id): source GET \(panel.source) is not a route of the plugin")
            }
            for action in panel.actions where !hasRoute(.post, relative: action.path) {
                problems.append("admin panel \(pluginID).\(panel.id): action POST \(action.path) is not a route of the plugin")
            }
        }
        for p in periodic where !jobs.contains(where: { $0.name == p.job }) {
            problems.append("every \(p.interval) names job \(p.job), which is not declared")
        }
    }

    /// Whether a route of `method` matches the plugin-relative `path` pattern segment by
    /// segment (`:name` segments match each other).
    private func hasRoute(_ method: HTTPMethod, relative path: String) -> Bool {
        guard let mounted = mount(path) else { return false }
        func shape(_ p: String) -> [String] { p.split(separator: "/").map { $0.hasPrefix(":") ? ":" : String($0) } }
        let wanted = shape(mounted)
        return routes.contains { $0.method == method && shape($0.pattern) == wanted }
            || (method == .post && webhooks.contains { shape($0.path) == wanted })
    }

    /// One line per registration, for `switchboard plugins`.
    var summaryLines: [String] {
        routes.map { "route \($0.method) \($0.pattern)" }
            + webhooks.map { "webhook POST \($0.path)" }
            + migrations.map { "migration \($0.version)" }
            + jobs.map { "job \($0.name) (queue \($0.options.queue ?? pluginID), \($0.options.maxAttempts) attempts)" }
            + periodic.map { "every \($0.interval): \($0.job)" }
            + rateLimits.sorted { $0.key < $1.key }.map { "rate limit \($0.key): \($0.value)" }
            + subscriptions.map { "subscribe \($0.event)" }
            + channels.map { "channel \($0.id)" + ($0.rateLimit.map { " (rate limit \($0))" } ?? "") }
            + phoneStrategies.map { "phone strategy \($0.id) (\($0.kind), timeout \($0.timeout))" }
            + adminPanels.map { "admin panel \(pluginID).\($0.id) (\($0.title))" }
    }
}
