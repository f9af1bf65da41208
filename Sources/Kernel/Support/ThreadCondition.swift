import Glibc

/// A mutex with a condition variable, for queues that OS threads block on (the SQLite job
/// queue, the PostgreSQL work queue, the libcurl loop). It has the shape of Foundation's
/// `NSCondition`, which only full Foundation provides (see `KernelThread`).
///
/// Use as a monitor: `lock()`, test the predicate in a loop around `wait()`, `unlock()`.
/// Waits may wake spuriously, so the loop is required. Not recursive.
final class ThreadCondition: @unchecked Sendable {
    // Heap-allocated: a pthread mutex or condition must never move once initialised.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }

    func unlock() { pthread_mutex_unlock(mutex) }

    /// Releases the lock, sleeps until signalled (or spuriously), and takes the lock again.
    /// Call with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes one waiting thread.
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiting thread.
    func broadcast() { pthread_cond_broadcast(condition) }
}
