import Dispatch
import PluginAPI
import Synchronization

/// Checkpoints the WAL on a thread and connection of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that pushes the WAL past 1,000 pages:
/// that commit (and every write in its batch) waits for the copy and the database file's
/// fsync. Measured on the phone-resolution benchmark, those commits were the whole p99. Here
/// the writer's commit hook asks for a checkpoint when the WAL is past `threshold` pages, and
/// this thread runs a `PASSIVE` one, which never blocks the writer; requests that pile up
/// while one runs are served by one checkpoint.
///
/// Under sustained writes a passive checkpoint never quite catches up with the writer, and
/// SQLite reuses the WAL from its start only once every frame has been copied: the file would
/// grow without end. Past `restartThreshold` pages the checkpointer therefore runs a
/// `RESTART` checkpoint, which waits for the writer to finish its transaction and holds
/// the next one back while it copies the few frames the passive ones left.
final class SQLiteCheckpointer: Sendable {
    /// The WAL size (pages) from which each commit asks for a checkpoint: SQLite's default.
    static let threshold: Int32 = 1000
    /// The WAL size (pages, 4 KiB each) from which the WAL is restarted: 16 MiB.
    static let restartThreshold: Int32 = 4000

    private let requests = BlockingQueue<Void>()
    /// The WAL size the last commit reported.
    private let walPages = Atomic<Int32>(0)

    /// Opens a read-write connection on a new thread. `exits` is left when it has closed it
    /// (the writer closes its own connection only after that, so the last close removes the WAL).
    init(path: String, exits: DispatchGroup) throws(StorageError) {
        try SQLiteThread.start(
            name: "sqlite-checkpoint",
            exits: exits,
            open: { () throws(StorageError) in try SQLiteConnection(path: path, readOnly: false) },
            loop: { [self] connection in
                while requests.take(upTo: Int.max) != nil {
                    // A failure (the disk, a lock) is retried by the next commit's request.
                    _ = try? connection.checkpoint(restart: false)
                    if walPages.load(ordering: .relaxed) >= Self.restartThreshold {
                        _ = try? connection.checkpoint(restart: true)
                        walPages.store(0, ordering: .relaxed)
                    }
                }
            }
        )
    }

    /// Called by the writer after each commit with the WAL's size.
    func committed(walPages pages: Int32) {
        walPages.store(pages, ordering: .relaxed)
        if pages >= Self.threshold { _ = requests.submit(()) }
    }

    /// Stops taking requests; the thread closes its connection and exits.
    func close() { requests.close() }
}
