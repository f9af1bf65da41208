import PluginAPI

/// `plugins.integrity.config`. Every key is optional (`{}` is valid); durations are written
/// `30s`, `1h`, `7d`.
struct IntegrityConfig: Sendable {
    /// How often the alert rules are evaluated (one instance per slot).
    var alertEvery = ConfigDuration.seconds(60)
    /// The window the capture-rate alert looks at (subjects created within it).
    var window = ConfigDuration.seconds(3600)
    /// A capture rate under this is critical, and alerts.
    var alertThreshold = 0.9
    /// A capture rate under this (but not under `alert_threshold`) is a warning.
    var warningThreshold = 0.95
    /// The capture-rate alert needs at least this many subjects in the window.
    var minSubjects = 10
    /// More unresolved or conflicting subjects (not dismissed) than this alerts.
    var maxUnresolved = 10
    /// More dead jobs than this alerts.
    var maxDeadJobs = 0
    /// A webhook source that received nothing for this long, having received before, alerts.
    var silenceAfter = ConfigDuration.seconds(3600)
    /// Slack-compatible incoming webhook (`{"text": …}`); without it alerts are only logged and counted.
    var alertWebhookURL: String?
    /// Timeline rows older than this are pruned.
    var timelineRetention = ConfigDuration.seconds(7 * 86_400)
    /// A `: keepalive` comment is sent on an idle stream this often.
    var keepalive = ConfigDuration.seconds(15)
    /// How often a stream looks for rows other instances wrote (this instance's wake it at once).
    var pollInterval = ConfigDuration(milliseconds: 500)

    static let path = "plugins.integrity.config"

    /// What the file may hold; every member optional.
    struct File: Decodable {
        var alertEvery: ConfigDuration?
        var window: ConfigDuration?
        var alertThreshold: Double?
        var warningThreshold: Double?
        var minSubjects: Int?
        var maxUnresolved: Int?
        var maxDeadJobs: Int?
        var silenceAfter: ConfigDuration?
        var alertWebhookURL: String?
        var timelineRetention: ConfigDuration?
        var keepalive: ConfigDuration?
        var pollInterval: ConfigDuration?

        enum CodingKeys: String, CodingKey {
            case alertEvery = "alert_every"
            case window
            case alertThreshold = "alert_threshold"
            case warningThreshold = "warning_threshold"
            case minSubjects = "min_subjects"
            case maxUnresolved = "max_unresolved"
            case maxDeadJobs = "max_dead_jobs"
            case silenceAfter = "silence_after"
            case alertWebhookURL = "alert_webhook_url"
            case timelineRetention = "timeline_retention"
            case keepalive
            case pollInterval = "poll_interval"
        }
    }

    init() {}

    /// The defaults with what `file` sets, validated; a bad value is a `ConfigError` naming its key.
    init(_ file: File) throws {
        func positive(_ value: ConfigDuration?, _ key: String, minimum: Int64 = 1) throws -> ConfigDuration? {
            guard let value else { return nil }
            guard value.milliseconds >= minimum else { throw ConfigError(path: "\(Self.path).\(key)", "expected a duration of at least \(ConfigDuration(milliseconds: minimum))") }
            return value
        }
        func count(_ value: Int?, _ key: String) throws -> Int? {
            guard let value else { return nil }
            guard value >= 0 else { throw ConfigError(path: "\(Self.path).\(key)", "expected a count of 0 or more") }
            return value
        }
        func fraction(_ value: Double?, _ key: String) throws -> Double? {
            guard let value else { return nil }
            guard value >= 0, value <= 1 else { throw ConfigError(path: "\(Self.path).\(key)", "expected a fraction between 0 and 1 (0.9 for 90%)") }
            return value
        }
        alertEvery = try positive(file.alertEvery, "alert_every", minimum: 1000) ?? alertEvery
        window = try positive(file.window, "window", minimum: 1000) ?? window
        alertThreshold = try fraction(file.alertThreshold, "alert_threshold") ?? alertThreshold
        warningThreshold = try fraction(file.warningThreshold, "warning_threshold") ?? max(warningThreshold, alertThreshold)
        guard warningThreshold >= alertThreshold else {
            throw ConfigError(path: "\(Self.path).warning_threshold", "must not be under alert_threshold")
        }
        minSubjects = try count(file.minSubjects, "min_subjects") ?? minSubjects
        maxUnresolved = try count(file.maxUnresolved, "max_unresolved") ?? maxUnresolved
        maxDeadJobs = try count(file.maxDeadJobs, "max_dead_jobs") ?? maxDeadJobs
        silenceAfter = try positive(file.silenceAfter, "silence_after", minimum: 1000) ?? silenceAfter
        timelineRetention = try positive(file.timelineRetention, "timeline_retention", minimum: 60_000) ?? timelineRetention
        keepalive = try positive(file.keepalive, "keepalive", minimum: 1000) ?? keepalive
        pollInterval = try positive(file.pollInterval, "poll_interval", minimum: 10) ?? pollInterval
        guard pollInterval.milliseconds <= 500 else { throw ConfigError(path: "\(Self.path).poll_interval", "expected at most 500ms") }
        if let url = file.alertWebhookURL {
            let rest = url.hasPrefix("https://") ? url.dropFirst(8) : url.hasPrefix("http://") ? url.dropFirst(7) : ""
            guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
                  !url.contains(where: { $0.isWhitespace }) else {
                throw ConfigError(path: "\(Self.path).alert_webhook_url", "expected an absolute http or https url")
            }
            alertWebhookURL = url
        }
    }
}
