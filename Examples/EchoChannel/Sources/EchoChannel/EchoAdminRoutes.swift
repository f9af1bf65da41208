import PluginAPI

/// The operator's view: recent messages (`GET /echo/messages`) and a reply to one
/// (`POST /echo/messages/:id/ack`), drawn in the admin UI as the "Echo messages" panel.
/// Both need the admin token (`context.adminAuthorized`); the plugin never sees the token.
struct EchoAdminRoutes: Sendable {
    let context: any PluginContext

    /// The text an acknowledgement sends.
    static let ackText = "Thanks, we got your message."

    struct MessageRow: Encodable {
        var id: Int64
        var conversation: String
        var phone: String
        var text: String
        var received_at: Int64
        var acked: Bool
    }

    struct Page: Encodable {
        var messages: [MessageRow]
        var next: String?
    }

    func register(_ registrar: any Registrar) {
        registrar.route(.get, "/messages") { [context] request in
            guard context.adminAuthorized(request) else { return Self.unauthorized }
            let limit = try Self.limit(request.queryItems["limit"])
            let after = try request.queryItems["after"].map(Self.id) ?? Int64.max
            let rows = try await context.store.query("""
                SELECT id, conversation, phone, text, received_at, acked_at FROM echo_messages
                WHERE id < $1 ORDER BY id DESC LIMIT $2
                """, [.integer(after), .integer(Int64(limit + 1))])
            let messages = try rows.prefix(limit).map { row in
                MessageRow(id: try row.int("id"), conversation: try row.string("conversation"), phone: try row.string("phone"),
                           text: try row.string("text"), received_at: try row.int("received_at"),
                           acked: try row.optionalInt("acked_at") != nil)
            }
            let next = rows.count > limit ? messages.last.map { String($0.id) } : nil
            return try .json(Page(messages: messages, next: next))
        }

        registrar.route(.post, "/messages/:id/ack") { [context] request in
            guard context.adminAuthorized(request) else { return Self.unauthorized }
            let id = try Self.id(request.parameters["id"] ?? "")
            let now = context.clock.nowMillis
            // Look up, send and mark in one transaction: the send is a durable job that exists
            // exactly when the mark does, and a second ack of the same message sends nothing.
            let sent = try await context.store.write { [context] connection -> Int64? in
                guard let row = try connection.queryOne("SELECT phone, acked_at FROM echo_messages WHERE id = $1", id) else {
                    throw HTTPError(404, "not_found", "no echo message \(id)")
                }
                guard try row.optionalInt("acked_at") == nil else { return nil }
                let phone = try context.phones.normalize(try row.string("phone"))
                let messageID = try context.channels.send(channel: EchoAPI.channel, to: phone,
                                                          message: ChannelMessage(text: Self.ackText), in: connection)
                _ = try connection.execute("UPDATE echo_messages SET acked_at = $1 WHERE id = $2", now, id)
                return messageID
            }
            return try .json(["id": String(id), "result": sent == nil ? "already_acked" : "queued"])
        }

        registrar.describe(.get, "/messages", EchoRouteDocs.list)
        registrar.describe(.post, "/messages/:id/ack", EchoRouteDocs.ack)

        registrar.adminPanel(AdminPanel(
            id: "messages", title: "Echo messages", source: "/messages", rowsKey: "messages",
            columns: [.init("received_at", title: "Received", format: .time), .init("phone", title: "From", format: .phone),
                      .init("conversation", title: "Conversation"), .init("text", title: "Text"),
                      .init("acked", title: "Acked", format: .flag)],
            actions: [.init("Acknowledge", path: "/messages/:id/ack", confirm: "Send the acknowledgement?")]))
    }

    static let unauthorized = Response.error(status: 401, code: "unauthorized", message: "admin token required")

    static func id(_ text: String) throws -> Int64 {
        guard let value = Int64(text), value > 0 else { throw HTTPError(400, "bad_id", "expected a positive integer id, got \"\(text)\"") }
        return value
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let value = Int(text), (1...500).contains(value) else { throw HTTPError(400, "bad_limit", "limit must be 1…500") }
        return value
    }
}
