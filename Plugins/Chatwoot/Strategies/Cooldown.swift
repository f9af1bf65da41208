import PluginAPI

/// After Chatwoot answers 429, the strategy stops calling it for a while (its Retry-After, or
/// `fallback`): rack-attack counts every request, so calling on while throttled only prolongs
/// the throttling. Resolutions in the meantime fail fast and are retried on the phone schedule.
actor Cooldown {
    let fallback: ConfigDuration
    private var until: ContinuousClock.Instant?

    init(fallback: ConfigDuration = .seconds(30)) { self.fallback = fallback }

    /// Whether calls are paused now.
    var isActive: Bool {
        guard let until else { return false }
        return until > ContinuousClock.now
    }

    func trip(_ retryAfter: ConfigDuration?) {
        let wait = retryAfter ?? fallback
        until = ContinuousClock.now + .milliseconds(min(wait.milliseconds, 10 * 60 * 1000))
    }
}
