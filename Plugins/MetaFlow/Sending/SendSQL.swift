/// Migration 2: what sending records. `metaflow_tokens` (migration 1) gains the customer's
/// name, the kernel message that sends the Flow, the outcome (`queued` → `sent` with Meta's
/// wamid, or `failed` with the reason) and the bulk batch it belongs to; a phone appears once
/// per batch, which is what makes re-running a batch send nothing twice.
/// `metaflow_batches` is one bulk send: its key (given, or the digest of its input), what was
/// skipped and why.
enum SendSQL {
    static let migration2 = """
    ALTER TABLE metaflow_tokens ADD COLUMN customer_name TEXT;
    ALTER TABLE metaflow_tokens ADD COLUMN message_id BIGINT;
    ALTER TABLE metaflow_tokens ADD COLUMN send_status TEXT;
    ALTER TABLE metaflow_tokens ADD COLUMN wamid TEXT;
    ALTER TABLE metaflow_tokens ADD COLUMN send_error TEXT;
    ALTER TABLE metaflow_tokens ADD COLUMN sent_at BIGINT;
    ALTER TABLE metaflow_tokens ADD COLUMN batch_id BIGINT;
    CREATE INDEX metaflow_tokens_message ON metaflow_tokens (message_id);
    CREATE UNIQUE INDEX metaflow_tokens_batch_phone ON metaflow_tokens (batch_id, phone);

    CREATE TABLE metaflow_batches (
        id {{id}},
        batch_key TEXT NOT NULL UNIQUE,
        flow TEXT NOT NULL,
        mode TEXT NOT NULL,
        rows_total BIGINT NOT NULL,
        skipped TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    """

    static let insertToken = """
    INSERT INTO metaflow_tokens (flow_token, flow, phone, created_at, customer_name, message_id, send_status, batch_id)
    VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7)
    """

    static let markSent = "UPDATE metaflow_tokens SET send_status = 'sent', wamid = $2, sent_at = $3, send_error = NULL WHERE message_id = $1"
    static let markFailed = "UPDATE metaflow_tokens SET send_status = 'failed', send_error = $2 WHERE message_id = $1"
    static let loadByToken = "SELECT send_status, wamid, send_error FROM metaflow_tokens WHERE flow_token = $1"

    static let findBatch = "SELECT id FROM metaflow_batches WHERE batch_key = $1"
    static let insertBatch = """
    INSERT INTO metaflow_batches (batch_key, flow, mode, rows_total, skipped, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id
    """
    static let updateBatch = "UPDATE metaflow_batches SET rows_total = $2, skipped = $3, updated_at = $4 WHERE id = $1"
    static let batchPhones = "SELECT phone FROM metaflow_tokens WHERE batch_id = $1"
    static let loadBatch = "SELECT id, batch_key, flow, mode, rows_total, skipped, created_at FROM metaflow_batches WHERE id = $1"
    static let batchCounts = "SELECT send_status, COUNT(*) AS n FROM metaflow_tokens WHERE batch_id = $1 GROUP BY send_status"
}
