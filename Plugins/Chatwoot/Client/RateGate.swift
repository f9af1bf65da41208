import FoundationEssentials
import PluginAPI

/// A sliding-window limit on our own calls (Chatwoot's rack-attack limits are per account, so
/// exceeding them only earns 429s). `acquire` answers false instead of waiting: a phone
/// strategy must stay fast, and its caller retries later anyway.
actor RateGate {
    let limit: Int
    let window: ConfigDuration
    private var stamps: [ContinuousClock.Instant] = []

    init(limit: Int, window: ConfigDuration) {
        self.limit = limit
        self.window = window
    }

    func acquire() -> Bool {
        let now = ContinuousClock.now
        let horizon = now - .milliseconds(window.milliseconds)
        stamps.removeAll { $0 < horizon }
        guard stamps.count < limit else { return false }
        stamps.append(now)
        return true
    }
}
