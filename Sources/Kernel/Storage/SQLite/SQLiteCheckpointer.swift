import Dispatch
import PluginAPI

/// Checkpoints the WAL on a thread and connection of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that pushes the WAL past 1,000 pages:
/// that commit (and every write in its batch) waits for the copy and the database file's
/// fsync. Measured on the phone-resolution benchmark, those commits were the whole p99. Here
/// the writer's commit hook asks for a checkpoint when the WAL is past `threshold` pages, and
/// this thread runs a `PASSIVE` one, which never blocks the writer; requests that pile up
/// while one runs are served by one checkpoint.
final class SQLiteCheckpointer: Sendable {
    /// The WAL size (pages) from which each commit asks for a checkpoint: SQLite's default.
    static let threshold: Int32 = 1000

    private let requests = BlockingQueue<Void>()

    /// Opens a read-write connection on a new thread. `exits` is left when it has closed it
    /// (the writer closes its own connection only after that, so the last close removes the WAL).
    init(path: String, exits: DispatchGroup) throws(StorageError) {
        try SQLiteThread.start(
            name: "sqlite-checkpoint",
            exits: exits,
            open: { () throws(StorageError) in try SQLiteConnection(path: path, readOnly: false) },
            loop: { [requests] connection in
                while requests.take(upTo: Int.max) != nil {
                    // A failure (the disk, a lock) is retried by the next commit's request.
                    _ = try? connection.checkpointPassive()
                }
            }
        )
    }

    /// Called by the writer after each commit with the WAL's size.
    func committed(walPages: Int32) {
        if walPages >= Self.threshold { _ = requests.submit(()) }
    }

    /// Stops taking requests; the thread closes its connection and exits.
    func close() { requests.close() }
}
