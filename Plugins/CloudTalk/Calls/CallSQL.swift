/// The calls table and the per-phone cooldown, in the SQL both databases speak. Times are Unix
/// milliseconds; durations whole seconds; booleans 0/1.
enum CallSQL {
    static let migration1 = """
    CREATE TABLE cloudtalk_calls (
        id {{id}},
        call_key TEXT NOT NULL UNIQUE,
        call_id TEXT,
        call_uuid TEXT,
        direction TEXT,
        external_number TEXT,
        internal_number TEXT,
        agent_id TEXT,
        agent_name TEXT,
        status TEXT,
        talking_time BIGINT,
        waiting_time BIGINT,
        wrapup_time BIGINT,
        recording_url TEXT,
        tags TEXT NOT NULL DEFAULT '',
        fields TEXT NOT NULL DEFAULT '{}',
        raw_payload TEXT NOT NULL,
        enrichment TEXT NOT NULL DEFAULT 'none',
        should_send INTEGER NOT NULL DEFAULT 0,
        decision TEXT,
        follow_up_status TEXT NOT NULL DEFAULT 'none',
        follow_up_due_at BIGINT,
        follow_up_message_id BIGINT,
        follow_up_error TEXT,
        follow_up_sent_at BIGINT,
        replied_at BIGINT,
        reply_message_id BIGINT,
        document_received INTEGER NOT NULL DEFAULT 0,
        received_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE INDEX cloudtalk_calls_phone ON cloudtalk_calls (external_number, follow_up_sent_at);
    CREATE INDEX cloudtalk_calls_message ON cloudtalk_calls (follow_up_message_id);
    CREATE TABLE cloudtalk_follow_up_cooldowns (
        phone TEXT PRIMARY KEY,
        call_row BIGINT NOT NULL,
        last_at BIGINT NOT NULL
    );
    """

    static let columns = """
    id, call_key, call_id, call_uuid, direction, external_number, internal_number, agent_id, agent_name, status, talking_time,
    waiting_time, wrapup_time, recording_url, tags, fields, enrichment, should_send, decision, follow_up_status, follow_up_due_at,
    follow_up_message_id, follow_up_error, follow_up_sent_at, replied_at, document_received, received_at, created_at
    """

    /// A replayed delivery finds its call and inserts nothing. `created_at` is when the webhook
    /// arrived (the call's end, give or take CloudTalk's wrap-up), not when it was processed.
    static let insert = """
    INSERT INTO cloudtalk_calls (call_key, call_id, call_uuid, direction, external_number, internal_number, agent_id, status,
        talking_time, waiting_time, wrapup_time, recording_url, tags, fields, raw_payload, enrichment, received_at, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)
    ON CONFLICT (call_key) DO NOTHING
    RETURNING id
    """

    static let load = "SELECT \(columns) FROM cloudtalk_calls WHERE id = $1"

    static let findByUUID = "SELECT id FROM cloudtalk_calls WHERE call_uuid = $1 ORDER BY id LIMIT 1"
    static let findByCallID = "SELECT id, call_uuid FROM cloudtalk_calls WHERE call_id = $1 ORDER BY id LIMIT 1"

    /// A later delivery about a known call (a recording uploaded) fills what the call lacks.
    static let fillLater = """
    UPDATE cloudtalk_calls SET recording_url = COALESCE(recording_url, $2), call_uuid = COALESCE(call_uuid, $3),
        call_id = COALESCE(call_id, $4), updated_at = $5
    WHERE id = $1
    """

    static let findByCallRef = "SELECT \(columns) FROM cloudtalk_calls WHERE call_uuid = $1 OR call_id = $1 ORDER BY id DESC LIMIT 1"

    /// What the API told us: authoritative for status, direction, durations and tags.
    static let enrich = """
    UPDATE cloudtalk_calls SET direction = COALESCE($2, direction), external_number = COALESCE($3, external_number),
        internal_number = COALESCE($4, internal_number), agent_id = COALESCE($5, agent_id), agent_name = COALESCE($6, agent_name),
        status = COALESCE($7, status), talking_time = COALESCE($8, talking_time), waiting_time = COALESCE($9, waiting_time),
        wrapup_time = COALESCE($10, wrapup_time), tags = $11, fields = $12, enrichment = $13, updated_at = $14
    WHERE id = $1
    """

    static let setEnrichment = "UPDATE cloudtalk_calls SET enrichment = $2, updated_at = $3 WHERE id = $1"

    /// The rule's verdict; only for a call not decided yet (a replayed decision changes nothing).
    static let decide = """
    UPDATE cloudtalk_calls SET should_send = $2, decision = $3, follow_up_status = $4, follow_up_due_at = $5, updated_at = $6
    WHERE id = $1 AND decision IS NULL
    """

    /// Takes the row for one send: false when another run already sent it or it is no longer scheduled.
    static let claimSend = """
    UPDATE cloudtalk_calls SET updated_at = $2 WHERE id = $1 AND follow_up_status = 'scheduled' AND follow_up_message_id IS NULL
    """

    static let setMessage = "UPDATE cloudtalk_calls SET follow_up_message_id = $2, updated_at = $3 WHERE id = $1"

    static let setOutcome = """
    UPDATE cloudtalk_calls SET follow_up_status = $2, follow_up_error = $3, updated_at = $4 WHERE id = $1 AND follow_up_status = 'scheduled'
    """

    /// The per-phone cooldown, taken atomically on both databases: a row comes back only when
    /// the phone had no follow-up since `$4` (or never), and then the slot is ours.
    static let takeCooldown = """
    INSERT INTO cloudtalk_follow_up_cooldowns (phone, call_row, last_at) VALUES ($1, $2, $3)
    ON CONFLICT (phone) DO UPDATE SET call_row = excluded.call_row, last_at = excluded.last_at
    WHERE cloudtalk_follow_up_cooldowns.last_at <= $4
    RETURNING phone
    """

    /// A follow-up that failed does not hold the phone's cooldown.
    static let releaseCooldown = "DELETE FROM cloudtalk_follow_up_cooldowns WHERE phone = $1 AND call_row = $2"

    static let markSent = """
    UPDATE cloudtalk_calls SET follow_up_status = 'sent', follow_up_sent_at = $2, updated_at = $3
    WHERE follow_up_message_id = $1 AND follow_up_status = 'scheduled'
    """

    static let findByMessage = "SELECT id, external_number FROM cloudtalk_calls WHERE follow_up_message_id = $1 AND follow_up_status = 'scheduled'"

    static let markFailed = """
    UPDATE cloudtalk_calls SET follow_up_status = 'failed', follow_up_error = $2, updated_at = $3 WHERE id = $1
    """

    /// The call a reply answers: the latest follow-up sent to the phone within the window.
    static let replyTarget = """
    SELECT id FROM cloudtalk_calls
    WHERE external_number = $1 AND follow_up_status = 'sent' AND follow_up_sent_at <= $2 AND follow_up_sent_at >= $3
    ORDER BY follow_up_sent_at DESC, id DESC LIMIT 1
    """

    /// A follow-up to the phone handed to its channel whose outcome is not known yet.
    static let pendingFollowUp = """
    SELECT id FROM cloudtalk_calls WHERE external_number = $1 AND follow_up_status = 'scheduled' AND follow_up_message_id IS NOT NULL
    LIMIT 1
    """

    /// The first reply's time stays; a document or image in any reply sets the flag.
    static let markReplied = """
    UPDATE cloudtalk_calls SET replied_at = COALESCE(replied_at, $2), reply_message_id = COALESCE(reply_message_id, $3),
        document_received = CASE WHEN document_received = 1 THEN 1 ELSE $4 END, updated_at = $5
    WHERE id = $1
    """

    /// An operator's retry: back to scheduled, decision kept.
    static let reschedule = """
    UPDATE cloudtalk_calls SET follow_up_status = 'scheduled', follow_up_message_id = NULL, follow_up_error = NULL,
        follow_up_due_at = $2, updated_at = $2
    WHERE id = $1 AND follow_up_status IN ('failed', 'skipped')
    """
}
