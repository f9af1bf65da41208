/// The message log's SQL.
enum ChannelSQL {
    static let insertOutbound = """
    INSERT INTO switchboard_messages (direction, channel, phone, text, media_url, payload, status, created_at, updated_at)
    VALUES ('out', $1, $2, $3, $4, $5, 'queued', $6, $6) RETURNING id
    """
    static let insertInbound = """
    INSERT INTO switchboard_messages (direction, channel, phone, text, media_url, payload, provider_id, status, created_at, updated_at)
    VALUES ('in', $1, $2, $3, $4, $5, $6, 'received', $7, $7) RETURNING id
    """
    static let load = "SELECT id, channel, phone, text, media_url, payload, status, provider_id FROM switchboard_messages WHERE id = $1"
    static let markSent = "UPDATE switchboard_messages SET status = 'sent', provider_id = $2, sent_at = $3, updated_at = $3, error = NULL WHERE id = $1"
    static let markFailed = "UPDATE switchboard_messages SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1"
    static let findByProvider = "SELECT id FROM switchboard_messages WHERE channel = $1 AND provider_id = $2 AND direction = 'out' ORDER BY id LIMIT 1"
    static let findInbound = "SELECT id FROM switchboard_messages WHERE channel = $1 AND provider_id = $2 AND direction = 'in' ORDER BY id LIMIT 1"
    static let setStatus = "UPDATE switchboard_messages SET status = $2, error = $3, updated_at = $4 WHERE id = $1"
}
