import PluginAPI

/// Every job kind the enabled plugins declared, plus the kernel's own kinds for webhook
/// processing and event deliveries, built once at boot and read-only after.
final class JobRegistry: Sendable {
    struct Kind: Sendable {
        let name: String
        let plugin: String
        let queue: String
        let maxAttempts: Int
        let timeout: ConfigDuration
        let handler: JobHandler
    }

    struct Periodic: Sendable {
        let job: String
        let interval: ConfigDuration
    }

    let kinds: [String: Kind]
    let periodic: [Periodic]
    let rateLimits: [String: RateLimit]
    /// Event name → delivery job names, one per subscription.
    let subscriptions: [String: [String]]
    /// Channel id → the job that sends through it.
    let channels: [String: String]

    init(kinds: [String: Kind], periodic: [Periodic], rateLimits: [String: RateLimit], subscriptions: [String: [String]],
         channels: [String: String] = [:]) {
        self.kinds = kinds
        self.periodic = periodic
        self.rateLimits = rateLimits
        self.subscriptions = subscriptions
        self.channels = channels
    }

    /// Queues that have jobs, in a stable order.
    var queues: [String] { Array(Set(kinds.values.map(\.queue))).sorted() }
}

/// A job kind or registration the engine cannot accept.
struct JobError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
