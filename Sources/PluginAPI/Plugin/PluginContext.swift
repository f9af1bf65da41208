import FoundationEssentials

/// What the kernel gives a plugin. Everything a plugin needs comes from here, so a plugin
/// never links a C library and every plugin can be tested with `PluginTesting`.
public protocol PluginContext: Sendable {
    /// The plugin's id, as registered.
    var pluginID: String { get }

    /// Decodes `plugins.<id>.config` strictly: unknown keys and wrong types throw a
    /// `ConfigError` whose path names the key (`plugins.chatwoot.config.account_id`).
    /// `${VAR}` references have already been resolved. Performs no I/O.
    func config<C: Decodable>(_ type: C.Type) throws -> C

    /// The kernel's database (SQLite or PostgreSQL). Plugin tables are prefixed with its id.
    var store: any Store { get }

    /// Enqueues durable jobs (inside a write transaction).
    var jobs: any JobQueue { get }

    /// Publishes events (inside a write transaction).
    var events: any EventBus { get }

    /// The phone normaliser (`phones.normalize`) and the resolution chain (`resolve`, `track`,
    /// `learn`, `link`).
    var phones: any Phones { get }

    /// Read-only counts of the kernel's operations: inbox rejections, dead jobs, webhooks'
    /// last-seen times.
    var operations: any OperationsView { get }

    /// Sending and receiving messages through channels, with the message log.
    var channels: any Channels { get }

    /// Structured logging, tagged with the plugin id.
    var log: any Logger { get }

    /// Wall-clock time; a manual clock under `PluginTesting`.
    var clock: any TimeSource { get }

    /// HMAC, hashes, constant-time compare, random bytes, RSA-OAEP and AES-GCM.
    var crypto: any CryptoProvider { get }

    /// Counters and gauges exported on `/metrics`, prefixed with the plugin id.
    var metrics: any MetricsRecorder { get }

    /// Outbound HTTP to other services: non-blocking, pooled connections, timeouts and a
    /// response size cap; error statuses are returned, transport failures thrown as
    /// `OutboundHTTPError`. Shared by all plugins; closed when the kernel stops.
    var http: any HTTPClient { get }

    /// Whether `request` carries the kernel's admin token (`Authorization: Bearer <admin.token>`),
    /// compared in constant time; false when no token is configured. For plugin routes that
    /// are admin operations (sending Flows), so plugins never see the token itself.
    func adminAuthorized(_ request: Request) -> Bool
}

extension PluginContext {
    /// Contexts that know no admin token authorize nothing.
    public func adminAuthorized(_ request: Request) -> Bool { false }
}

/// A source of wall-clock time.
public protocol TimeSource: Sendable {
    /// The current time.
    var now: Date { get }
}

extension TimeSource {
    /// The current time in Unix milliseconds, the unit storage uses.
    public var nowMillis: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// Counters and gauges a plugin exports. Names are lower-case snake case; the kernel
/// prefixes them with `switchboard_<plugin id>_`.
public protocol MetricsRecorder: Sendable {
    /// Adds `by` to a counter.
    func increment(_ name: String, labels: [String: String], by: Double)
    /// Sets a gauge.
    func gauge(_ name: String, labels: [String: String], value: Double)
}

extension MetricsRecorder {
    public func increment(_ name: String, labels: [String: String] = [:]) {
        increment(name, labels: labels, by: 1)
    }
}
