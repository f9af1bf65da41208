/// An error that knows whether and when a retry can succeed (a provider's `Retry-After`, a
/// 400 that no retry will fix). The job engine goes to `dead` at once when `isRetryable` is
/// false, and otherwise waits at least `retryAfter` before the next attempt.
public protocol RetryAdvising: Error {
    var retryAfter: ConfigDuration? { get }
    var isRetryable: Bool { get }
}

extension PermanentJobError: RetryAdvising {
    public var retryAfter: ConfigDuration? { nil }
    public var isRetryable: Bool { false }
}

extension OutboundHTTPError: RetryAdvising {
    public var isRetryable: Bool { retryable }
}
