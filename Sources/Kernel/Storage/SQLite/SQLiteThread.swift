import Dispatch
import PluginAPI
import Synchronization

/// Starts the store's storage threads. Each thread opens its own connection, so the
/// connection (not `Sendable`) is created, used and closed on one thread and never crosses.
enum SQLiteThread {
    /// Starts a thread named `name` that opens a connection with `open`, runs `loop` with it
    /// until `loop` returns, closes it, and leaves `exits`. Blocks until the open has succeeded
    /// or failed, and rethrows its failure (the thread has then already ended).
    static func start(
        name: String,
        exits: DispatchGroup,
        open: @escaping @Sendable () throws(StorageError) -> SQLiteConnection,
        loop: @escaping @Sendable (SQLiteConnection) -> Void
    ) throws(StorageError) {
        let startup = Startup()
        exits.enter()
        do throws(KernelThread.StartError) {
            try KernelThread.spawn(name: name) {
                defer { exits.leave() }
                let connection: SQLiteConnection
                do throws(StorageError) {
                    connection = try open()
                } catch {
                    startup.finish(error)
                    return
                }
                startup.finish(nil)
                loop(connection)
                connection.close()
            }
        } catch {
            exits.leave()
            throw StorageError(.other, "\(error)")
        }
        if let error = startup.wait() { throw error }
    }

    /// The outcome of a thread's open, handed back to the thread that started it.
    private final class Startup: Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let error = Mutex<StorageError?>(nil)

        func finish(_ failure: StorageError?) {
            error.withLock { $0 = failure }
            done.signal()
        }

        func wait() -> StorageError? {
            done.wait()
            return error.withLock { $0 }
        }
    }
}
