/// The plugin's tables and the SQL over them (shared SQLite/PostgreSQL subset; times are
/// Unix milliseconds, JSON is text).
///
/// - `metaflow_responses`: one row per flow_token, the answers of every screen merged
///   (`answers`, a JSON object), `in_progress` until the last screen, then `completed`;
///   `phone`/`phone_source` filled when phone resolution finds the number.
/// - `metaflow_tokens`: flow_tokens this server issued (written when it sends a Flow); what
///   `strict_tokens` accepts and where `token_ttl` counts from.
enum ResponseSQL {
    static let migration1 = """
    CREATE TABLE metaflow_responses (
        id {{id}},
        flow TEXT NOT NULL,
        flow_token TEXT NOT NULL UNIQUE,
        phone TEXT,
        phone_source TEXT,
        answers TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        completed_at BIGINT
    );
    CREATE INDEX metaflow_responses_flow ON metaflow_responses (flow, created_at);
    CREATE INDEX metaflow_responses_status ON metaflow_responses (status, updated_at);

    CREATE TABLE metaflow_tokens (
        flow_token TEXT NOT NULL PRIMARY KEY,
        flow TEXT NOT NULL,
        phone TEXT,
        created_at BIGINT NOT NULL
    );
    """

    static let issuedAt = "SELECT created_at FROM metaflow_tokens WHERE flow_token = $1"
    static let firstSeenAt = "SELECT created_at FROM metaflow_responses WHERE flow_token = $1"

    /// Creates the record; returns its id only when this call created it.
    static let insert = """
    INSERT INTO metaflow_responses (flow, flow_token, answers, status, created_at, updated_at)
    VALUES ($1, $2, '{}', 'in_progress', $3, $3)
    ON CONFLICT (flow_token) DO NOTHING RETURNING id
    """

    /// Touches an existing record and reads it. On PostgreSQL the UPDATE also locks the row
    /// until commit, so two screens of one token merge one after the other, never over each other.
    static let touch = "UPDATE metaflow_responses SET updated_at = $2 WHERE flow_token = $1 RETURNING id, answers, status"

    /// Saves merged answers; `$5` is the completion time, kept from the first completion.
    static let save = """
    UPDATE metaflow_responses SET answers = $2, status = $3, updated_at = $4, completed_at = COALESCE(completed_at, $5)
    WHERE id = $1
    """

    static let phoneOf = "SELECT phone, phone_source FROM metaflow_responses WHERE id = $1"
    static let setPhone = "UPDATE metaflow_responses SET phone = $2, phone_source = $3, updated_at = $4 WHERE id = $1"
}
