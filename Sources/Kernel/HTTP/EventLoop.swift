import CShims
import Glibc
import Synchronization

/// Something registered with an event loop's epoll set.
protocol EventLoopSource: AnyObject {
    /// Called on the loop thread with the readiness flags (`readable`, `writable`, `hangup`).
    func handleEvent(readable: Bool, writable: Bool, hangup: Bool)
}

/// One thread running epoll, plus a Swift `TaskExecutor`: handler tasks started with this
/// loop as their executor preference run on the loop's own thread, so a handler that does not
/// suspend costs no thread hop, and one that suspends (storage, outbound HTTP) resumes here.
///
/// Everything but `enqueue`/`execute` is touched only on the loop thread.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    let index: Int
    private let epfd: Int32
    private let wakeFD: Int32
    private var sources: [Int32: any EventLoopSource] = [:]
    /// Jobs enqueued from the loop thread itself: no lock needed.
    private var localJobs: [UnownedJob] = []
    /// Work enqueued from other threads, guarded by a lock, with an eventfd wake.
    private let remote = Mutex<RemoteQueue>(RemoteQueue())
    private var loopThread: pthread_t?
    private var running = true
    /// Called on the loop thread every `tickInterval` (timeouts, shutdown progress).
    var onTick: (() -> Void)?
    var tickIntervalNanos: UInt64 = 250_000_000
    /// Called after each batch of events and jobs: flush pending writes.
    var afterBatch: (() -> Void)?
    let dateCache = DateCache()

    struct RemoteQueue: ~Copyable {
        var jobs: [UnownedJob] = []
        var closures: [@Sendable () -> Void] = []
        var signalled = false
    }

    init(index: Int) throws {
        self.index = index
        epfd = cshims_epoll_create()
        wakeFD = cshims_eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw ServerError.system("cannot create event loop", errno: cshims_errno()) }
        _ = cshims_epoll_add(epfd, wakeFD, UInt64(UInt32(bitPattern: wakeFD)), 1, 0, 0)
    }

    deinit {
        _ = cshims_close(wakeFD)
        _ = cshims_close(epfd)
    }

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool {
        guard let loopThread else { return false }
        return pthread_equal(pthread_self(), loopThread) != 0
    }

    // MARK: - TaskExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if inLoop {
            localJobs.append(unowned)
            return
        }
        let wake = remote.withLock { q -> Bool in
            q.jobs.append(unowned)
            defer { q.signalled = true }
            return !q.signalled
        }
        if wake { _ = cshims_eventfd_signal(wakeFD) }
    }

    /// Runs `work` on the loop thread (soon, never inline).
    func execute(_ work: @escaping @Sendable () -> Void) {
        let wake = remote.withLock { q -> Bool in
            q.closures.append(work)
            defer { q.signalled = true }
            return !q.signalled
        }
        if wake { _ = cshims_eventfd_signal(wakeFD) }
    }

    /// Runs `work` on the loop thread and returns its result.
    func submit<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            execute { c.resume(returning: work()) }
        }
    }

    // MARK: - registration (loop thread)

    func register(fd: Int32, _ source: any EventLoopSource, read: Bool = true, write: Bool = false) -> Bool {
        sources[fd] = source
        return cshims_epoll_add(epfd, fd, UInt64(UInt32(bitPattern: fd)), read ? 1 : 0, write ? 1 : 0, 0) == 0
    }

    func modify(fd: Int32, read: Bool, write: Bool) {
        _ = cshims_epoll_mod(epfd, fd, UInt64(UInt32(bitPattern: fd)), read ? 1 : 0, write ? 1 : 0, 0)
    }

    func deregister(fd: Int32) {
        sources[fd] = nil
        _ = cshims_epoll_del(epfd, fd)
    }

    /// Ends `run()` after the current batch.
    func stop() { execute { [unowned self] in self.running = false } }

    // MARK: - the loop

    /// Runs the loop on the calling thread until `stop()`.
    func run() {
        loopThread = pthread_self()
        var tokens = [UInt64](repeating: 0, count: 256)
        var flags = [UInt32](repeating: 0, count: 256)
        var nextTick = cshims_monotonic_ns() + tickIntervalNanos
        while running {
            let now = cshims_monotonic_ns()
            let timeout = localJobs.isEmpty ? Int32(max(0, min(Int64(nextTick) - Int64(now), 1_000_000_000)) / 1_000_000) : 0
            let n = tokens.withUnsafeMutableBufferPointer { t in
                flags.withUnsafeMutableBufferPointer { f in
                    cshims_epoll_wait(epfd, t.baseAddress, f.baseAddress, 256, timeout)
                }
            }
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = Int32(truncatingIfNeeded: tokens[i])
                    if fd == wakeFD {
                        _ = cshims_eventfd_drain(wakeFD)
                        continue
                    }
                    guard let source = sources[fd] else { continue }
                    let f = flags[i]
                    source.handleEvent(readable: f & 1 != 0, writable: f & 2 != 0, hangup: f & 4 != 0)
                }
            }
            runJobs()
            afterBatch?()
            let after = cshims_monotonic_ns()
            if after >= nextTick {
                nextTick = after + tickIntervalNanos
                onTick?()
                runJobs()
                afterBatch?()
            }
        }
        // Let queued work finish so no continuation is leaked.
        runJobs()
        loopThread = nil
    }

    /// Runs queued jobs and closures until none are left (bounded, so I/O is not starved).
    private func runJobs() {
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            var (jobs, closures) = remote.withLock { q -> ([UnownedJob], [@Sendable () -> Void]) in
                q.signalled = false
                defer { q.jobs.removeAll(keepingCapacity: true); q.closures.removeAll(keepingCapacity: true) }
                return (q.jobs, q.closures)
            }
            if !localJobs.isEmpty {
                jobs.append(contentsOf: localJobs)
                localJobs.removeAll(keepingCapacity: true)
            }
            if jobs.isEmpty && closures.isEmpty { return }
            let executor = asUnownedTaskExecutor()
            for job in jobs { job.runSynchronously(on: executor) }
            for work in closures { work() }
        }
    }
}

/// Errors starting or running the server, with the system error where there is one.
struct ServerError: Error, CustomStringConvertible {
    var message: String
    static func system(_ what: String, errno code: Int32) -> ServerError {
        ServerError(message: "\(what): \(String(cString: strerror(code)))")
    }
    var description: String { message }
}
