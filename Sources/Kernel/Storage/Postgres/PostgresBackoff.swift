import CShims
import PluginAPI
import Synchronization

/// When the next connection attempt may be made after failed ones: 100 ms, doubling, at
/// most 5 s. Shared by the threads of a pool, so while the server is down one attempt is
/// made per interval and every other call fails fast with `.unavailable` instead of waiting
/// on `connect_timeout`. A connection that merely broke (no failed attempt yet) is
/// replaced at once.
final class PostgresBackoff: Sendable {
    static let initialDelayMilliseconds: UInt64 = 100
    static let maximumDelayMilliseconds: UInt64 = 5_000

    private struct State {
        var failures = 0
        var retryAt: UInt64 = 0
        var lastError: StorageError?
    }

    private let state = Mutex(State())

    /// The delay after `failures` consecutive failed attempts.
    static func delayMilliseconds(afterFailures failures: Int) -> UInt64 {
        guard failures > 0 else { return 0 }
        let doublings = min(failures - 1, 16)
        return min(maximumDelayMilliseconds, initialDelayMilliseconds << UInt64(doublings))
    }

    /// How long an allowed retry holds off the others: longer than `connect_timeout`, so
    /// while the server is down one thread at a time makes the attempt and the rest fail
    /// fast instead of each waiting on a host that does not answer.
    static let attemptClaimMilliseconds: UInt64 = 3_000

    /// Throws `.unavailable` (the last failure, and when the next attempt is due) while an
    /// attempt is not allowed yet. After failures, an allowed attempt is claimed: the caller
    /// must report `succeeded` or `failed`.
    func checkAttempt(now: UInt64 = cshims_monotonic_ns()) throws(StorageError) {
        let refusal: StorageError? = state.withLock { s in
            guard s.failures > 0 else { return nil }
            guard now < s.retryAt else {
                s.retryAt = now + Self.attemptClaimMilliseconds * 1_000_000
                return nil
            }
            let waitMilliseconds = (s.retryAt - now + 999_999) / 1_000_000
            let last = s.lastError?.message ?? "connection failed"
            return StorageError(.unavailable, "\(last) (next attempt within \(waitMilliseconds) ms)")
        }
        if let refusal { throw refusal }
    }

    /// Nanoseconds until the next attempt is allowed; 0 when it is allowed now.
    func remainingWait(now: UInt64 = cshims_monotonic_ns()) -> UInt64 {
        state.withLock { s in s.failures > 0 && now < s.retryAt ? s.retryAt - now : 0 }
    }

    func succeeded() {
        state.withLock { s in
            s.failures = 0
            s.lastError = nil
        }
    }

    func failed(_ error: StorageError, now: UInt64 = cshims_monotonic_ns()) {
        state.withLock { s in
            s.failures += 1
            s.retryAt = now + Self.delayMilliseconds(afterFailures: s.failures) * 1_000_000
            s.lastError = error
        }
    }
}
