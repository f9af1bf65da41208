/// Handles a request routed to a plugin. Runs on the event loop that read the request; it
/// may suspend (storage, outbound HTTP) but must never block the thread.
public typealias RouteHandler = @Sendable (Request) async throws -> Response

/// Answers a request from the request alone (no storage, no network, nothing to wait for),
/// inline on the event loop: no task is created, which matters for probes and handshakes
/// answered thousands of times a second.
public typealias ImmediateRouteHandler = @Sendable (Request) throws -> Response

/// What a route runs.
public enum RouteAction: Sendable {
    case async(RouteHandler)
    case immediate(ImmediateRouteHandler)
}

/// Where a plugin declares what it contributes. Every method only records the declaration:
/// nothing is started and no I/O happens. Clashes (two registrations of one method and path)
/// are boot errors naming both registrations.
public protocol Registrar: AnyObject {
    /// The id of the plugin registering; routes are mounted under `/<id>/`.
    var pluginID: String { get }

    /// Declares a route. `path` is relative to the plugin's mount point and may
    /// use `:param` segments (`/endpoint/:flow`); an empty path or `/` is the mount point itself.
    /// `maxBody` raises or lowers the 1 MiB default limit on the request body.
    func route(_ method: HTTPMethod, _ path: String, maxBody: Int?, action: RouteAction)

    /// Declares schema migration `version` (1, 2, 3… in order) for the plugin's own tables,
    /// which must be prefixed with its id (`metaflow_responses`). `sql` is in the subset both
    /// databases speak; `postgres` overrides it for PostgreSQL where the subset cannot say it.
    /// Type tokens: `{{id}}` (an auto-increment BIGINT primary key) and `{{blob}}` (bytes).
    /// An applied migration must never change: its checksum is recorded and checked.
    func migration(_ version: Int, _ sql: String, postgres: String?)

    /// Declares a webhook at `path` under the plugin's mount point (POST), taken through the
    /// durable inbox: (1) `verify` on the raw body → 401 and nothing stored on rejection;
    /// (2) the request is stored and its processing job enqueued in one transaction; (3) 200
    /// only after that commit. A repeated dedupe key is answered 200, stored as `duplicate`
    /// and not processed again.
    func webhook(_ path: String, maxBody: Int?, verify: @escaping WebhookVerifier,
                 dedupeKey: @escaping DedupeKeyExtractor, process: @escaping WebhookProcessor)

    /// Declares a job kind `name` (prefixed by the kernel with the plugin id: `sync_contact`
    /// becomes `chatwoot.sync_contact`).
    func job(_ name: String, options: JobOptions, _ handler: @escaping JobHandler)

    /// Runs job `name` (declared with `job`) once per `interval` slot across all instances.
    func every(_ interval: ConfigDuration, job name: String)

    /// Limits how often jobs of `queue` start, across all instances.
    func rateLimit(queue: String, _ limit: RateLimit)

    /// Subscribes to an event (`message.received`); each delivery is a job of its own.
    func subscribe(_ event: String, _ handler: @escaping EventHandler)

    /// Declares a channel (`wasender`) that `channels.send` can send through. Its sends run on
    /// queue `channel.<id>`, limited by `rateLimit` across instances, with `maxAttempts` tries.
    func channel(_ id: String, rateLimit: RateLimit?, maxAttempts: Int, send: @escaping ChannelSender)
    /// Declares a phone-resolution strategy `name` (prefixed with the plugin id:
    /// `token_map` becomes `metaflow.token_map`, the id `phone.strategies` lists). `kind` ranks
    /// its answers: `.pattern` for numbers derived from a key's shape, `.observed` for numbers a
    /// system saw. Each run is cut off after `timeout` (default 3 s) and counted as a miss.
    func phoneStrategy(_ name: String, kind: PhoneSourceKind, timeout: ConfigDuration?, resolve: @escaping PhoneStrategyHandler)

    /// Adds a panel to the admin web UI, filled from one of this plugin's routes; see `AdminPanel`.
    /// A panel of a disabled plugin does not exist (a disabled plugin registers nothing).
    func adminPanel(_ panel: AdminPanel)

    /// Describes one of this plugin's routes (or webhooks) for `GET /openapi.json`: `method`
    /// and `path` as given to `route` (relative to the mount point). Describing a route that
    /// is not declared, or one route twice, is a boot error. Every admin route of a plugin
    /// should be described (`security: .admin`); third-party plugins' routes appear in the
    /// document like the built-in ones. Records only; see `RouteDoc`.
    func describe(_ method: HTTPMethod, _ path: String, _ doc: RouteDoc)
}

extension Registrar {
    /// Declares a route whose handler may suspend (the usual kind).
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, _ handler: @escaping RouteHandler) {
        route(method, path, maxBody: maxBody, action: .async(handler))
    }

    /// Declares a migration in the shared SQL subset.
    public func migration(_ version: Int, _ sql: String) { migration(version, sql, postgres: nil) }

    /// Declares a webhook with the default 1 MiB body limit.
    public func webhook(_ path: String, verify: @escaping WebhookVerifier, dedupeKey: @escaping DedupeKeyExtractor,
                        process: @escaping WebhookProcessor) {
        webhook(path, maxBody: nil, verify: verify, dedupeKey: dedupeKey, process: process)
    }

    /// Declares a channel with 5 attempts per message.
    public func channel(_ id: String, rateLimit: RateLimit? = nil, send: @escaping ChannelSender) {
        channel(id, rateLimit: rateLimit, maxAttempts: 5, send: send)
    }

    /// Declares an observed-source phone strategy with the default timeout.
    public func phoneStrategy(_ name: String, kind: PhoneSourceKind = .observed, resolve: @escaping PhoneStrategyHandler) {
        phoneStrategy(name, kind: kind, timeout: nil, resolve: resolve)
    }
    /// Declares a job kind with default options.
    public func job(_ name: String, _ handler: @escaping JobHandler) { job(name, options: JobOptions(), handler) }

    /// Declares a route answered inline from the request alone; see `ImmediateRouteHandler`.
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, immediate handler: @escaping ImmediateRouteHandler) {
        route(method, path, maxBody: maxBody, action: .immediate(handler))
    }

    /// Declares a route and its description for `/openapi.json` in one call.
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, doc: RouteDoc, _ handler: @escaping RouteHandler) {
        route(method, path, maxBody: maxBody, action: .async(handler))
        describe(method, path, doc)
    }

    /// Declares an inline route and its description for `/openapi.json` in one call.
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, doc: RouteDoc,
                      immediate handler: @escaping ImmediateRouteHandler) {
        route(method, path, maxBody: maxBody, action: .immediate(handler))
        describe(method, path, doc)
    }
}
