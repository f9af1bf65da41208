import PluginAPI
import Synchronization

/// What the kernel shares with every plugin context: the late-bound store and the job
/// registry, which exists only once every plugin has registered.
final class KernelServices: Sendable {
    let store: StoreHandle
    let clock: any TimeSource
    let crypto: any CryptoProvider
    /// One outbound client shared by every plugin (one thread, one connection pool).
    let http: any HTTPClient
    private let registryCell = Mutex<JobRegistry?>(nil)
    private let engineCell = Mutex<JobEngine?>(nil)
    private let phonesCell = Mutex<PhoneService?>(nil)

    init(store: StoreHandle, clock: any TimeSource, crypto: any CryptoProvider, http: any HTTPClient) {
        self.http = http
        self.store = store
        self.clock = clock
        self.crypto = crypto
    }

    func setRegistry(_ registry: JobRegistry) { registryCell.withLock { $0 = registry } }

    var registry: JobRegistry? { registryCell.withLock { $0 } }

    func setPhones(_ phones: PhoneService) { phonesCell.withLock { $0 = phones } }

    /// The resolution chain, once every plugin has registered its strategies.
    var phones: PhoneService? { phonesCell.withLock { $0 } }

    func setEngine(_ engine: JobEngine?) { engineCell.withLock { $0 = engine } }

    /// Wakes the job engine (after a write that may have enqueued work).
    func nudge() { engineCell.withLock { $0 }?.nudge() }

    func jobQueue() throws -> KernelJobQueue {
        guard let registry else { throw JobError("jobs cannot be enqueued before every plugin has registered") }
        return KernelJobQueue(registry: registry, clock: clock)
    }
}

/// `context.jobs`: enqueues through the registry once it exists.
struct ServicesJobQueue: JobQueue {
    let services: KernelServices
    func enqueue(_ job: JobRequest, in connection: any SQLConnection) throws {
        try services.jobQueue().enqueue(job, in: connection)
    }
}

/// `context.events`: publishes through the registry once it exists.
struct ServicesEventBus: EventBus {
    let services: KernelServices
    func publish(_ name: String, payload: String, in connection: any SQLConnection) throws {
        let queue = try services.jobQueue()
        try KernelEventBus(registry: queue.registry, jobs: queue, clock: services.clock).publish(name, payload: payload, in: connection)
    }
}
