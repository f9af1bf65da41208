/// The job engine's SQL, in the subset both databases speak; claims differ per dialect.
enum JobSQL {
    /// SQLite: one writer at a time, so a plain `UPDATE … WHERE id IN (SELECT … LIMIT n)`
    /// cannot hand a job to two workers.
    static let claimSQLite = """
    UPDATE switchboard_jobs SET status = 'running', attempt = attempt + 1, lease_until = $1 + $4, locked_by = $2
    WHERE id IN (\(dueSQLite))
    RETURNING id, name, queue, payload, attempt, max_attempts
    """
    /// The jobs a SQLite claim takes: read in the claim index's order, so only those are read.
    static let dueSQLite = "SELECT id FROM switchboard_jobs WHERE status = 'available' AND run_at <= $1 ORDER BY run_at, id LIMIT $3"

    /// PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several instances claim concurrently.
    static let claimPostgres = """
    UPDATE switchboard_jobs SET status = 'running', attempt = attempt + 1, lease_until = $1::bigint + $4::bigint, locked_by = $2
    WHERE id IN (SELECT id FROM switchboard_jobs WHERE status = 'available' AND run_at <= $1::bigint ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
    RETURNING id, name, queue, payload, attempt, max_attempts
    """

    static let complete = "UPDATE switchboard_jobs SET status = 'done', finished_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1 AND status = 'running'"

    static let retry = "UPDATE switchboard_jobs SET status = 'available', run_at = $2, lease_until = NULL, locked_by = NULL, last_error = $3 WHERE id = $1 AND status = 'running'"

    static let dead = "UPDATE switchboard_jobs SET status = 'dead', finished_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND status = 'running'"

    /// A snooze gives the attempt back: waiting is not failing.
    static let snooze = "UPDATE switchboard_jobs SET status = 'available', run_at = $2, attempt = attempt - 1, lease_until = NULL, locked_by = NULL WHERE id = $1 AND status = 'running'"

    static let cancel = "UPDATE switchboard_jobs SET status = 'cancelled', finished_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND status = 'running'"

    /// Rescue: jobs whose lease expired (their process crashed) go back to the queue, or to
    /// `dead` when they used their last attempt.
    static let rescueDead = """
    UPDATE switchboard_jobs SET status = 'dead', finished_at = $1, lease_until = NULL, last_error = 'lease expired on the last attempt (worker crashed or timed out)'
    WHERE status = 'running' AND lease_until < $1 AND attempt >= max_attempts
    RETURNING id, name, queue, payload, attempt, last_error
    """
    static let rescue = """
    UPDATE switchboard_jobs SET status = 'available', lease_until = NULL, locked_by = NULL, last_error = 'lease expired (worker crashed or timed out)'
    WHERE status = 'running' AND lease_until < $1
    """

    /// Tests only (`KernelServer.crashJobsOnTheirLastAttempt`): waiting jobs as a worker that
    /// crashed on their last attempt leaves them.
    static let crashForTesting = """
    UPDATE switchboard_jobs SET status = 'running', attempt = max_attempts, lease_until = $2, locked_by = 'crashed-test-worker'
    WHERE name = $1 AND status = 'available'
    """

    /// Claims a periodic slot: only the instance whose update lands enqueues the job.
    static let claimSlot = """
    INSERT INTO switchboard_periodic (name, last_slot) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot WHERE switchboard_periodic.last_slot < excluded.last_slot
    RETURNING name
    """

    // Rate limits: a sliding-window log of starts per queue; the queue's row is locked first so
    // two instances serialise on it (SQLite has one writer anyway).
    static let lockQueueSQLite = "INSERT INTO switchboard_rate_limits (queue, updated_at) VALUES ($1, $2) ON CONFLICT (queue) DO UPDATE SET updated_at = excluded.updated_at"
    static let lockQueuePostgres = "INSERT INTO switchboard_rate_limits (queue, updated_at) VALUES ($1, $2::bigint) ON CONFLICT (queue) DO UPDATE SET updated_at = excluded.updated_at"
    static let startsInWindow = "SELECT started_at FROM switchboard_rate_starts WHERE queue = $1 AND started_at > $2 ORDER BY started_at"
    static let recordStart = "INSERT INTO switchboard_rate_starts (queue, started_at) VALUES ($1, $2)"
    static let pruneStarts = "DELETE FROM switchboard_rate_starts WHERE queue = $1 AND started_at <= $2"

    static let pruneJobs = "DELETE FROM switchboard_jobs WHERE status IN ('done', 'cancelled') AND finished_at < $1"
    static let pruneInbox = "DELETE FROM switchboard_inbox WHERE received_at < $1 AND status IN ('processed', 'duplicate')"
    static let pruneRejections = "DELETE FROM switchboard_inbox_rejections WHERE received_at < $1"
    static let pruneEvents = "DELETE FROM switchboard_events WHERE published_at < $1"
}
