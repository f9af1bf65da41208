/// The durable inbox's SQL.
enum InboxSQL {
    /// Stores a request unless its dedupe key was seen (then nothing is inserted).
    static let insert = """
    INSERT INTO switchboard_inbox (plugin, route, headers, body, received_at, dedupe_key, status)
    VALUES ($1, $2, $3, $4, $5, $6, 'received')
    ON CONFLICT (plugin, route, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'duplicate' DO NOTHING
    RETURNING id
    """

    /// PostgreSQL only: stores `count` requests and their processing jobs in one statement (see
    /// `InboxGroupCommit`). Ten parameters per request: `ord, plugin, route, headers, body,
    /// received_at, dedupe_key, job_name, job_queue, max_attempts`. The ids of both rows are
    /// drawn first (from the identity columns' sequences, named as PostgreSQL names them:
    /// `pg_get_serial_sequence` per row cost 2.5 µs each), so the item is inserted already
    /// linked to its job (no update after), and
    /// each request's outcome is found by its `ord`: `inserted` is false for one whose dedupe key
    /// was taken, by an earlier item or by another request of the batch. Rows go in in key order,
    /// so two batches that wait on each other's keys wait in one direction and cannot deadlock.
    static func insertBatch(count: Int) -> String {
        let rows = (0..<count).map { row in
            let p = (1...10).map { "$\(row * 10 + $0)" }
            return "(\(p[0])::bigint, \(p[1])::text, \(p[2])::text, \(p[3])::text, \(p[4])::bytea, \(p[5])::bigint, \(p[6])::text, \(p[7])::text, \(p[8])::text, \(p[9])::integer)"
        }
        return """
        WITH v AS MATERIALIZED (
            SELECT nextval('switchboard_inbox_id_seq') AS id, nextval('switchboard_jobs_id_seq') AS job_id, t.*
            FROM (VALUES \(rows.joined(separator: ", ")))
                AS t(ord, plugin, route, headers, body, received_at, dedupe_key, job_name, job_queue, max_attempts)
        ), items AS (
            INSERT INTO switchboard_inbox (id, plugin, route, headers, body, received_at, dedupe_key, status, job_id)
            SELECT id, plugin, route, headers, body, received_at, dedupe_key, 'received', job_id FROM v
            ORDER BY plugin, route, dedupe_key, ord
            ON CONFLICT (plugin, route, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'duplicate' DO NOTHING
            RETURNING id, job_id
        ), jobs AS (
            INSERT INTO switchboard_jobs (id, name, queue, payload, status, attempt, max_attempts, run_at, unique_key, created_at)
            SELECT items.job_id, v.job_name, v.job_queue, '{"inbox_id":' || items.id || '}', 'available', 0, v.max_attempts,
                   v.received_at, NULL, v.received_at
            FROM items JOIN v ON v.id = items.id
        )
        SELECT v.ord, v.id, items.id IS NOT NULL AS inserted FROM v LEFT JOIN items ON items.id = v.id ORDER BY v.ord
        """
    }

    /// SQLite: stores a request unless its dedupe key was seen, linked to the id its processing
    /// job is about to get: the next of the jobs table's AUTOINCREMENT sequence, read under the
    /// write lock the transaction holds, so nothing can take it in between. The job is then
    /// inserted with that id (`insertFirstJob`), which saves updating the item after.
    static let insertLinkedSQLite = """
    INSERT INTO switchboard_inbox (plugin, route, headers, body, received_at, dedupe_key, status, job_id)
    VALUES ($1, $2, $3, $4, $5, $6, 'received',
            (SELECT COALESCE(MAX(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'switchboard_jobs'))
    ON CONFLICT (plugin, route, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'duplicate' DO NOTHING
    RETURNING id, job_id
    """

    /// A new item's processing job, with the id its item already names.
    static let insertFirstJob = """
    INSERT INTO switchboard_jobs (id, name, queue, payload, status, attempt, max_attempts, run_at, unique_key, created_at)
    VALUES ($1, $2, $3, $4, 'available', 0, $5, $6, NULL, $6)
    """

    static let findOriginal = "SELECT id FROM switchboard_inbox WHERE plugin = $1 AND route = $2 AND dedupe_key = $3 AND status <> 'duplicate'"

    static let insertDuplicate = """
    INSERT INTO switchboard_inbox (plugin, route, headers, body, received_at, dedupe_key, status, duplicate_of)
    VALUES ($1, $2, $3, $4, $5, $6, 'duplicate', $7)
    RETURNING id
    """

    static let setJob = "UPDATE switchboard_inbox SET job_id = $2, status = 'received', error = NULL WHERE id = $1"

    /// A new item's first job: no indexed column changes.
    static let linkFirstJob = "UPDATE switchboard_inbox SET job_id = $2 WHERE id = $1"

    static let markProcessed = "UPDATE switchboard_inbox SET status = 'processed', processed_at = $2, error = NULL WHERE id = $1"

    static let load = "SELECT id, plugin, route, headers, body, received_at, dedupe_key, status FROM switchboard_inbox WHERE id = $1"

    static let insertRejection = """
    INSERT INTO switchboard_inbox_rejections (plugin, route, reason, size, remote_address, received_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    """

    /// An item's status as operators see it: a received item whose job died is `dead`
    /// (`i` is the inbox, `j` its current job).
    static let derivedStatus = "CASE WHEN i.status = 'received' AND j.status = 'dead' THEN 'dead' ELSE i.status END"

    /// The columns of an inbox listing, with the derived status.
    static let listColumns = """
    SELECT i.id, i.plugin, i.route, i.dedupe_key, i.received_at, i.processed_at, i.duplicate_of, i.job_id,
           \(derivedStatus) AS status,
           COALESCE(j.last_error, i.error) AS error, length(i.body) AS size
    FROM switchboard_inbox i LEFT JOIN switchboard_jobs j ON j.id = i.job_id
    """
}
