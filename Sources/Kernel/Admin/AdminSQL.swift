/// The operator surface's SQL (CLI and admin API share it). Filters are fixed fragments with
/// a `$?` placeholder that `SQLFilter` numbers and binds; no value is ever spliced in.
enum AdminSQL {
    // MARK: inbox

    /// Inbox listing: `InboxSQL.listColumns`, filtered and ordered by the caller.
    static let inboxList = InboxSQL.listColumns
    static let inboxSince = "i.received_at >= $?"
    static let inboxStatus = "(\(InboxSQL.derivedStatus)) = $?"
    static let inboxPlugin = "i.plugin = $?"
    static let inboxAfter = "i.id > $?"
    static let inboxID = "i.id = $?"
    static let inboxNotDuplicate = "i.status <> $?"
    static let inboxOldestFirst = " ORDER BY i.id"
    static let inboxNewestFirst = " ORDER BY i.id DESC"

    /// What `inbox show` adds to the listing columns: headers, body and the current job's id.
    static let inboxDetail = "SELECT headers, body, job_id FROM switchboard_inbox WHERE id = $1"

    /// The fields a replay decides on.
    static let inboxForReplay = "SELECT id, plugin, route, status, duplicate_of FROM switchboard_inbox WHERE id = $1"

    /// Items a bulk replay may touch (non-duplicates), filtered by the caller.
    static let inboxReplayCandidates = "SELECT i.id, i.plugin, i.route FROM switchboard_inbox i"

    /// The job that holds a unique key while it waits or runs.
    static let queuedJobByUniqueKey = "SELECT id, status FROM switchboard_jobs WHERE unique_key = $1 AND status IN ('available', 'running')"
    static let queuedJobOfItem = """
    SELECT j.id, j.status FROM switchboard_inbox i JOIN switchboard_jobs j ON j.id = i.job_id
    WHERE i.id = $1 AND j.status IN ('available', 'running')
    """

    static let inboxJobID = "SELECT job_id FROM switchboard_inbox WHERE id = $1"

    // MARK: rejections

    static let rejectionList = "SELECT r.id, r.plugin, r.route, r.reason, r.size, r.remote_address, r.received_at FROM switchboard_inbox_rejections r"
    static let rejectionSince = "r.received_at >= $?"
    static let rejectionPlugin = "r.plugin = $?"
    static let rejectionAfter = "r.id > $?"
    static let rejectionOldestFirst = " ORDER BY r.id"
    static let rejectionNewestFirst = " ORDER BY r.id DESC"

    // MARK: jobs

    static let jobList = """
    SELECT j.id, j.name, j.queue, j.status, j.attempt, j.max_attempts, j.run_at, j.last_error, j.created_at, j.finished_at
    FROM switchboard_jobs j
    """
    static let jobStatus = "j.status = $?"
    static let jobName = "j.name = $?"
    static let jobAfter = "j.id > $?"
    static let jobID = "j.id = $?"
    static let jobOldestFirst = " ORDER BY j.id"
    static let jobNewestFirst = " ORDER BY j.id DESC"

    static let jobForRetry = "SELECT id, name, queue, status, unique_key, payload FROM switchboard_jobs WHERE id = $1"

    /// A dead or cancelled job waits again from now, its attempts counted afresh (the last
    /// error is kept until the next run replaces it).
    static let retryJob = """
    UPDATE switchboard_jobs SET status = 'available', attempt = 0, run_at = $2, finished_at = NULL, lease_until = NULL, locked_by = NULL
    WHERE id = $1 AND status IN ('dead', 'cancelled')
    """

    /// Wakes the workers of every PostgreSQL instance at commit.
    static let notifyPostgres = "SELECT pg_notify('switchboard_jobs', $1)"

    // MARK: shared tails

    static let limit = " LIMIT $?"
}
