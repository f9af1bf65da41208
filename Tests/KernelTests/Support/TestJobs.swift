import Foundation
import PluginAPI
import Synchronization
@testable import Kernel

/// A store opened for one test, with the kernel schema applied, and a registry of job kinds.
struct StorageFixture {
    let store: any KernelStore
    let url: String

    /// Opens a fresh database of `backend` (`sqlite` or `postgres`) with the kernel schema.
    static func open(_ backend: String) async throws -> StorageFixture {
        let url = try await TestStorage.freshURL(for: backend)
        let store = try await StoreFactory.open(url: url)
        _ = try await MigrationRunner(store: store, crypto: OpenSSLCrypto())
            .apply(owners: [("kernel", KernelSchema.migrations)], now: 0)
        return StorageFixture(store: store, url: url)
    }

    func close() async { await store.close() }
}

/// A clock tests move by hand (milliseconds).
final class TestClock: TimeSource, @unchecked Sendable {
    private let value = Mutex<Int64>(1_790_000_000_000)
    var now: Date { Date(timeIntervalSince1970: Double(value.withLock { $0 }) / 1000) }
    var millis: Int64 { value.withLock { $0 } }
    func advance(ms: Int64) { value.withLock { $0 += ms } }
}

/// Records which job payloads ran, thread-safely.
final class RunLog: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

extension JobRegistry {
    /// A registry of simple kinds for engine tests.
    static func testing(_ kinds: [(String, String, Int, JobHandler)], periodic: [JobRegistry.Periodic] = [],
                        rateLimits: [String: RateLimit] = [:], timeout: ConfigDuration = .seconds(30),
                        subscriptions: [String: [String]] = [:]) -> JobRegistry {
        var map: [String: Kind] = [:]
        for (name, queue, attempts, handler) in kinds {
            map[name] = Kind(name: name, plugin: "test", queue: queue, maxAttempts: attempts, timeout: timeout, handler: handler)
        }
        return JobRegistry(kinds: map, periodic: periodic, rateLimits: rateLimits, subscriptions: subscriptions)
    }
}

/// A store that counts the write transactions run through it (the job engine's, and whatever
/// a test's handlers run through it).
final class WriteCountingStore: Store {
    private let base: any Store
    private let count = Mutex(0)
    init(_ base: any Store) { self.base = base }
    var writes: Int { count.withLock { $0 } }
    var dialect: SQLDialect { base.dialect }
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await base.read(body)
    }
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        count.withLock { $0 += 1 }
        return try await base.write(body)
    }
}
