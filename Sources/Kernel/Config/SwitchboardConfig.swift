import PluginAPI

/// The whole of `plugins.json`, validated. Defaults live here and nowhere else.
/// Loaded by `ConfigLoader`; every key is snake_case in the file.
public struct SwitchboardConfig: Sendable, Equatable {
    public var server = ServerSettings()
    public var storage = StorageSettings()
    public var admin = AdminSettings()
    public var log = LogSettings()
    public var phone = PhoneSettings()
    public var jobs = JobsSettings()
    /// Entries by plugin id, as written (only ids of built-in plugins are accepted).
    public var plugins: [String: PluginEntry] = [:]
    /// Values substituted from `${VAR}` references: never written to a log line.
    public var secrets: [String] = []

    public init() {}

    /// Ids of the plugins enabled in this config.
    public var enabledPluginIDs: Set<String> { Set(plugins.filter { $0.value.enabled }.map(\.key)) }
}

/// `server`: where and how the HTTP server listens.
public struct ServerSettings: Sendable, Equatable {
    /// `server.host`: an IPv4 or IPv6 literal.
    public var host = "127.0.0.1"
    /// `server.port`: 0 picks a free port (tests).
    public var port = 8080
    /// `server.event_loops`: one per core when absent.
    public var eventLoops: Int? = nil
    /// `server.max_connections`: beyond it new connections are closed at once.
    public var maxConnections = 10_000
    /// `server.header_timeout`: time allowed to receive a request's head.
    public var headerTimeout: ConfigDuration = .seconds(10)
    /// `server.body_timeout`: longest pause while receiving a body.
    public var bodyTimeout: ConfigDuration = .seconds(30)
    /// `server.keep_alive_timeout`: idle time between requests on a kept-alive connection.
    public var keepAliveTimeout: ConfigDuration = .seconds(75)
    /// `server.shutdown_grace`: how long in-flight requests may finish on SIGTERM/SIGINT.
    public var shutdownGrace: ConfigDuration = .seconds(10)
    /// `server.max_body`: default body limit for routes that set none (bytes).
    public var maxBody = 1 << 20

    public init() {}
}

/// `storage`: `sqlite:PATH` (default) or `postgres://…`.
public struct StorageSettings: Sendable, Equatable {
    public var url = "sqlite:switchboard.db"
    public init() {}
}

/// `admin`: the token guarding `/admin` and `/api/admin/…`. Absent: those routes refuse everyone.
public struct AdminSettings: Sendable, Equatable {
    public var token: String? = nil
    /// How long an admin UI login lasts.
    public var sessionTTL: ConfigDuration = .seconds(12 * 3600)
    /// The session cookie's `Secure` flag: true always, false never, nil when the request came
    /// through TLS (`X-Forwarded-Proto: https` from a proxy on the loopback interface).
    public var secureCookie: Bool? = nil
    public init() {}
}

/// `log`: the level of JSON log lines on stderr (`debug`, `info`, `warning`, `error`).
public struct LogSettings: Sendable, Equatable {
    public var level: LogLevel = .info
    public init() {}
}

/// `phone`: the phone-number resolution settings (used from Kernel III on).
public struct PhoneSettings: Sendable, Equatable {
    /// ISO 3166 region for national numbers (`MA`), or nil.
    public var defaultRegion: String? = nil
    /// Strategy ids in order; nil means every registered strategy.
    public var strategies: [String]? = nil
    public var retrySchedule: [ConfigDuration] = [.seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(3600)]
    public init() {}
}

/// `jobs`: the durable job engine.
public struct JobsSettings: Sendable, Equatable {
    /// `jobs.workers`: jobs run at once by this instance.
    public var workers = 8
    /// `jobs.poll_interval`: how often an idle engine looks for due jobs (a nudge or NOTIFY wakes it sooner).
    public var pollInterval = ConfigDuration(milliseconds: 500)
    /// `jobs.default_timeout`: the lease of the kernel's own jobs (webhook processing, event
    /// deliveries); a job running longer is returned to the queue.
    public var defaultTimeout: ConfigDuration = .seconds(60)
    /// `jobs.job_retention`: finished jobs are deleted after this.
    public var jobRetention: ConfigDuration = .seconds(7 * 86_400)
    /// `jobs.inbox_retention`: processed inbox items are deleted after this (keep ≥ 7 days:
    /// Meta redelivers for up to a week, and dedupe needs the keys).
    public var inboxRetention: ConfigDuration = .seconds(30 * 86_400)
    public init() {}
}

/// `plugins.<id>`: whether it runs, and its own config (decoded strictly by the plugin).
public struct PluginEntry: Sendable, Equatable {
    public var enabled: Bool
    /// The plugin's `config` object with `${VAR}` already resolved (only for enabled plugins).
    public var config: JSONValue
    public init(enabled: Bool, config: JSONValue) {
        self.enabled = enabled
        self.config = config
    }
}
