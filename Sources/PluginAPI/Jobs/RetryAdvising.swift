/// An error that knows when a retry can succeed (a provider's `Retry-After`). The job engine
/// waits at least that long before the next attempt.
public protocol RetryAdvising: Error {
    var retryAfter: ConfigDuration? { get }
}
