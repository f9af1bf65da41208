import Synchronization
import Dispatch
import PluginAPI

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
/// grow without end. Past `limits.restart` pages the checkpointer therefore runs passive
/// checkpoints back to back until few frames are left uncopied (each round copies what the
/// writer added during the last), then has the writer copy those few itself, between two
/// batches (`finishOnWriter`): with nothing left to copy, the writer's next transaction starts
/// the WAL from its beginning. The writer holds back writes only for that short copy.
///
/// It used a `RESTART` checkpoint on its own connection before. That waits for the write
/// lock by polling, and a writer that commits back to back rarely leaves it free: on the
/// ingest benchmark it waited 0.3–4.6 s while the WAL grew past 160,000 pages, then held
/// every write while it copied them all (wrk's p99 130–530 ms; 7 ms without restarts).
final class SQLiteCheckpointer: Sendable {
    /// When to checkpoint, in WAL pages (4 KiB each).
    struct Limits: Sendable {
        /// The WAL size from which commits ask for checkpoints (every `step`). 4,000 pages (16 MiB),
        /// not SQLite's 1,000: a checkpoint copies each page once however often it changed
        /// since the last, and the hot pages of a write-heavy table (index leaves, the row
        /// tail) change in most commits. On the phone benchmark (about 15 pages a resolve)
        /// 1,000 meant a checkpoint every ~70 resolves competing for the disk with their
        /// commits: `resolve` p99 1.5–2.3 ms, against 1.1–1.4 ms at 4,000.
        var checkpoint: Int32 = 4000
        /// The WAL size from which the WAL is restarted: 64 MiB.
        var restart: Int32 = 16000
        /// How many uncopied frames the writer is asked to copy itself (2 MiB: a few milliseconds).
        var restartBacklog: Int32 = 512
        /// How much the WAL grows between two checkpoint requests (1 MiB). Asked after every
        /// commit, the checkpointer copied (and synced) each commit's hot pages, the same index
        /// leaves every time; one copy per 250 pages dedupes them. Signed webhooks acknowledged
        /// (wrk -c64, three interleaved pairs): 11,755–13,256/s → 12,091–14,141/s, p99 alike.
        /// 1,000 pages gave 13,659–14,400/s, but p99 16–20 ms against 11–12 ms: each checkpoint
        /// then copied and synced enough to hold commits up.
        var step: Int32 = 250

        static let standard = Limits()
    }

    let limits: Limits
    private let requests = BlockingQueue<Void>()
    /// Runs a checkpoint on the writer's connection between two batches and returns when it
    /// has run (or could not be queued).
    private let finishOnWriter: @Sendable () -> Void

    /// Opens a read-write connection on a new thread. `exits` is left when it has closed it
    /// (the writer closes its own connection only after that, so the last close removes the WAL).
    init(path: String, limits: Limits = .standard, exits: DispatchGroup,
         finishOnWriter: @escaping @Sendable () -> Void) throws(StorageError) {
        self.limits = limits
        self.finishOnWriter = finishOnWriter
        try SQLiteThread.start(
            name: "sqlite-checkpoint",
            exits: exits,
            open: { () throws(StorageError) in try SQLiteConnection(path: path, readOnly: false) },
            loop: { [self] connection in
                while requests.take(upTo: Int.max) != nil { checkpoint(connection) }
            }
        )
    }

    /// A passive checkpoint; past the restart size, more until little is left, which the
    /// writer then copies (see the type's notes). A failure (the disk, a lock) is retried by
    /// the next commit's request.
    private func checkpoint(_ connection: SQLiteConnection) {
        guard var result = try? connection.passiveCheckpoint() else { return }
        while result.walFrames >= limits.restart {
            if result.walFrames - result.copied <= limits.restartBacklog {
                finishOnWriter()
                return
            }
            guard let next = try? connection.passiveCheckpoint(), next.copied > result.copied else {
                // No progress: a reader still reads the frames in the way. The next commit asks again.
                return
            }
            result = next
        }
    }

    /// The WAL's size at the last request (the writer's thread only calls `committed`).
    private let requestedAt = Atomic<Int32>(0)

    /// Called by the writer after each commit with the WAL's size: a checkpoint is requested
    /// from `checkpoint` pages on, each time the WAL has grown by `step` since the last request
    /// (or was restarted since).
    func committed(walPages pages: Int32) {
        guard Self.requests(at: pages, lastRequestAt: requestedAt.load(ordering: .relaxed), limits: limits) else { return }
        requestedAt.store(pages, ordering: .relaxed)
        _ = requests.submit(())
    }

    /// Whether a commit that left the WAL at `pages` asks for a checkpoint.
    static func requests(at pages: Int32, lastRequestAt last: Int32, limits: Limits) -> Bool {
        guard pages >= limits.checkpoint else { return false }
        return pages < last || pages - last >= limits.step || pages >= limits.restart
    }

    /// Stops taking requests; the thread closes its connection and exits.
    func close() { requests.close() }
}
