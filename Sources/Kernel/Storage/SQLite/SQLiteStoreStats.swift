/// Counters of a `SQLiteStore`'s writer, for tests and benchmarks: `committedBodies` over
/// `commits` is how many writes shared each COMMIT (and its WAL sync) on average.
public struct SQLiteStoreStats: Sendable, Equatable {
    /// COMMITs that made at least one write body durable.
    public var commits: Int
    /// Write bodies made durable, over all commits.
    public var committedBodies: Int
    /// Write bodies that ended with an error (their own, or a failed COMMIT).
    public var failedBodies: Int
    /// Most bodies made durable by one COMMIT.
    public var largestBatch: Int
    /// Writes queued and not yet taken by the writer thread.
    public var pendingWrites: Int
    /// WAL frames (one changed page each, 4 KiB) the commits appended: over `commits`, the
    /// pages a commit writes, which its WAL sync has to push to disk.
    public var walFrames: Int

    public init(commits: Int, committedBodies: Int, failedBodies: Int, largestBatch: Int, pendingWrites: Int, walFrames: Int = 0) {
        self.commits = commits
        self.committedBodies = committedBodies
        self.failedBodies = failedBodies
        self.largestBatch = largestBatch
        self.pendingWrites = pendingWrites
        self.walFrames = walFrames
    }
}
