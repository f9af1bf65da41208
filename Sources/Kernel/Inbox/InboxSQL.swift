/// The durable inbox's SQL.
enum InboxSQL {
    /// Stores a request unless its dedupe key was seen (then nothing is inserted).
    static let insert = """
    INSERT INTO switchboard_inbox (plugin, route, headers, body, received_at, dedupe_key, status)
    VALUES ($1, $2, $3, $4, $5, $6, 'received')
    ON CONFLICT (plugin, route, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'duplicate' DO NOTHING
    RETURNING id
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
