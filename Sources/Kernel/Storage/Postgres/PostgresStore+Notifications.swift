import PluginAPI

extension PostgresStore {
    /// Calls `onNotify` with the payload of every NOTIFY on `channel` (`[a-z_][a-z0-9_]*`)
    /// from now on, on the store's listener thread (keep it short). Returns once the server
    /// has run the LISTEN; throws `.unavailable` (registering nothing) when it cannot be
    /// reached. The subscription survives reconnects; notifications sent while the listener
    /// was disconnected are lost, so treat them as wake-ups, not as the data itself.
    public func listen(channel: String, onNotify: @escaping @Sendable (String) -> Void) async throws {
        try await listener().listen(channel: channel, handler: onNotify)
    }

    /// Sends `payload` on `channel` in a transaction of its own.
    public func notify(channel: String, payload: String) async throws {
        try await write { connection in try Self.notify(channel: channel, payload: payload, on: connection) }
    }

    /// Sends `payload` on `channel` from inside a `write` body: `SELECT pg_notify($1, $2)`.
    /// PostgreSQL delivers a NOTIFY made inside a transaction when it commits, and drops it
    /// when it rolls back, so listeners never see a change before it is visible. Payloads
    /// are limited to 8000 bytes by the server.
    public static func notify(channel: String, payload: String, on connection: any SQLConnection) throws {
        try PostgresListener.validate(channel: channel)
        _ = try connection.query("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }
}
