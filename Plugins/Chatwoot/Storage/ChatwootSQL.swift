/// The plugin's tables: which Chatwoot messages were processed (so reconciliation never
/// processes one twice, whichever path saw it first) and reconciliation's progress.
enum ChatwootSQL {
    static let migration1 = """
    CREATE TABLE chatwoot_seen_messages (
        message_id BIGINT NOT NULL PRIMARY KEY,
        conversation_id BIGINT,
        seen_at BIGINT NOT NULL
    );
    CREATE INDEX chatwoot_seen_messages_seen_at ON chatwoot_seen_messages (seen_at);

    CREATE TABLE chatwoot_reconcile_state (
        name TEXT NOT NULL PRIMARY KEY,
        value BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );

    CREATE TABLE chatwoot_reconcile_cursors (
        conversation_id BIGINT NOT NULL PRIMARY KEY,
        last_message_id BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    """

    /// CRM sync's per-phone leases (see `SyncLease`).
    static let migration2 = """
    CREATE TABLE chatwoot_sync_leases (
        phone TEXT NOT NULL PRIMARY KEY,
        holder TEXT NOT NULL,
        held_until BIGINT NOT NULL
    );
    """

    /// Takes the lease when it is free, expired or already ours; returns a row only then.
    static let takeLease = """
    INSERT INTO chatwoot_sync_leases (phone, holder, held_until) VALUES ($1, $2, $3)
    ON CONFLICT (phone) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until
    WHERE chatwoot_sync_leases.held_until < $4 OR chatwoot_sync_leases.holder = excluded.holder
    RETURNING phone
    """
    static let releaseLease = "DELETE FROM chatwoot_sync_leases WHERE phone = $1 AND holder = $2"

    /// Marks a message processed; changes 0 rows when it already was.
    static let markSeen = """
    INSERT INTO chatwoot_seen_messages (message_id, conversation_id, seen_at) VALUES ($1, $2, $3)
    ON CONFLICT (message_id) DO NOTHING
    """
    static let pruneSeen = "DELETE FROM chatwoot_seen_messages WHERE seen_at < $1"

    static let loadState = "SELECT value FROM chatwoot_reconcile_state WHERE name = $1"
    static let saveState = """
    INSERT INTO chatwoot_reconcile_state (name, value, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
    """
    static let loadCursor = "SELECT last_message_id FROM chatwoot_reconcile_cursors WHERE conversation_id = $1"
    /// Only moves forward (two runs overlapping never move a cursor back).
    static let saveCursor = """
    INSERT INTO chatwoot_reconcile_cursors (conversation_id, last_message_id, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (conversation_id) DO UPDATE SET last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
    WHERE chatwoot_reconcile_cursors.last_message_id < excluded.last_message_id
    """
    static let pruneCursors = "DELETE FROM chatwoot_reconcile_cursors WHERE updated_at < $1"
}
