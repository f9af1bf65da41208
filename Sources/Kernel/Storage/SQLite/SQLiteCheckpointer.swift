import Dispatch
import PluginAPI
import Synchronization

/// Checkpoints the WAL on a thread and connection of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that pushes the WAL past its limit:
/// that commit (and every write in its batch) waits for the copy and the database file's
/// fsync. Measured on the phone-resolution benchmark, those commits were the whole p99. Here
/// the writer's commit hook asks for a checkpoint when the WAL is past `limits.checkpoint` pages, and
/// this thread runs a `PASSIVE` one, which never blocks the writer; requests that pile up
/// while one runs are served by one checkpoint.
///
/// Under sustained writes a passive checkpoint never quite catches up with the writer, and
/// SQLite reuses the WAL from its start only once every frame has been copied: the file would
/// grow without end. Past `limits.restart` pages the checkpointer therefore runs a
/// `RESTART` checkpoint, which waits for the writer to finish its transaction and holds
/// the next one back while it copies the few frames the passive ones left.
final class SQLiteCheckpointer: Sendable {
    /// When to checkpoint, in WAL pages (4 KiB each).
    struct Limits: Sendable {
        /// The WAL size from which each commit asks for a checkpoint. 4,000 pages (16 MiB),
        /// not SQLite's 1,000: a checkpoint copies each page once however often it changed
        /// since the last, and the hot pages of a write-heavy table (index leaves, the row
        /// tail) change in most commits. On the phone benchmark (about 15 pages a resolve)
        /// 1,000 meant a checkpoint every ~70 resolves competing for the disk with their
        /// commits: `resolve` p99 1.5–2.3 ms, against 1.1–1.4 ms at 4,000.
        var checkpoint: Int32 = 4000
        /// The WAL size from which the WAL is restarted: 64 MiB.
        var restart: Int32 = 16000

        static let standard = Limits()
    }

    let limits: Limits
    private let requests = BlockingQueue<Void>()
    /// The WAL size the last commit reported.
    private let walPages = Atomic<Int32>(0)

    /// Opens a read-write connection on a new thread. `exits` is left when it has closed it
    /// (the writer closes its own connection only after that, so the last close removes the WAL).
    init(path: String, limits: Limits = .standard, exits: DispatchGroup) throws(StorageError) {
        self.limits = limits
        try SQLiteThread.start(
            name: "sqlite-checkpoint",
            exits: exits,
            open: { () throws(StorageError) in try SQLiteConnection(path: path, readOnly: false) },
            loop: { [self] connection in
                while requests.take(upTo: Int.max) != nil {
                    // A failure (the disk, a lock) is retried by the next commit's request.
                    _ = try? connection.checkpoint(restart: false)
                    if walPages.load(ordering: .relaxed) >= limits.restart {
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
        if pages >= limits.checkpoint { _ = requests.submit(()) }
    }

    /// Stops taking requests; the thread closes its connection and exits.
    func close() { requests.close() }
}
