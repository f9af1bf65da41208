/// A unit of durable work: stored, claimed by one worker at a time, retried with backoff.
/// Delivery is at-least-once, so handlers must be idempotent.
public struct JobRequest: Sendable {
    /// The registered job name (`chatwoot.sync_contact`); must be registered by some plugin.
    public var name: String
    /// JSON (or any text) the handler reads.
    public var payload: String
    /// Earliest start, Unix milliseconds; nil means now.
    public var runAt: Int64?
    /// While a job with this key is waiting or running, enqueueing another with it does nothing.
    public var uniqueKey: String?

    public init(name: String, payload: String = "{}", runAt: Int64? = nil, uniqueKey: String? = nil) {
        self.name = name
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
    }
}

/// What a running job sees.
public struct JobContext: Sendable {
    public let id: Int64
    public let name: String
    public let payload: String
    /// 1 for the first run.
    public let attempt: Int
    public let maxAttempts: Int
    /// Marks the job done in a transaction of the handler's (given by the engine).
    private let completion: (@Sendable (any SQLConnection) throws -> Void)?

    public init(id: Int64, name: String, payload: String, attempt: Int, maxAttempts: Int,
                completion: (@Sendable (any SQLConnection) throws -> Void)? = nil) {
        self.id = id
        self.name = name
        self.payload = payload
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.completion = completion
    }

    /// Marks this job done inside the handler's own write transaction, so the job's last
    /// write and its completion commit together: a crash between them can no longer leave the
    /// work done and the job to run again, and the engine saves the transaction it would
    /// spend recording `.done`. Return `.done` afterwards. If the transaction rolls back, the
    /// job is still running and the handler's error decides as usual. Without an engine (a
    /// context made by hand) it does nothing.
    public func complete(in db: any SQLConnection) throws {
        try completion?(db)
    }
}

/// How a job ended. Throwing from a handler means `.retry` with the error recorded.
public enum JobOutcome: Sendable, Equatable {
    /// Finished.
    case done
    /// Run again after `seconds` without counting an attempt (waiting on something).
    case snooze(seconds: Double)
    /// Stop for good, recording why (not an error: nothing to retry).
    case cancel(reason: String)
}

/// Runs a job. Runs on a worker, may suspend; must be idempotent.
public typealias JobHandler = @Sendable (JobContext) async throws -> JobOutcome

/// How a job kind is retried and where it queues.
public struct JobOptions: Sendable {
    /// The queue (rate limits apply per queue); defaults to the job's plugin id.
    public var queue: String?
    /// Attempts before the job is `dead`.
    public var maxAttempts: Int
    /// A run longer than this loses its lease and is returned to the queue.
    public var timeout: ConfigDuration

    public init(queue: String? = nil, maxAttempts: Int = 10, timeout: ConfigDuration = .seconds(60)) {
        self.queue = queue
        self.maxAttempts = maxAttempts
        self.timeout = timeout
    }
}

/// A rate written `N/duration` (`1/60s`, `256/60s`, `80/1s`): at most N starts in any
/// window of that length.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible, Decodable {
    public var count: Int
    public var window: ConfigDuration

    public init(count: Int, window: ConfigDuration) {
        self.count = count
        self.window = window
    }

    /// Parses `N/duration`; nil when malformed or N < 1.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let n = Int(parts[0]), n >= 1, parts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let window = ConfigDuration(parsing: String(parts[1])), window.milliseconds > 0 else { return nil }
        count = n
        self.window = window
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = RateLimit(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a rate like 1/60s or 80/1s, got \"\(text)\""))
        }
        self = value
    }

    public var description: String { "\(count)/\(window)" }
}
