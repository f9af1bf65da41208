/// The plugin's tables, prefixed with its id. Migrations are append-only: an applied one is
/// never edited (the kernel checks its checksum); a change is a new version.
enum EchoSchema {
    static let v1 = """
        CREATE TABLE echo_messages (
            id {{id}},
            provider_id TEXT NOT NULL UNIQUE,
            conversation TEXT NOT NULL,
            phone TEXT NOT NULL,
            text TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            acked_at BIGINT
        );
        CREATE INDEX echo_messages_received ON echo_messages (received_at);
        """
}
