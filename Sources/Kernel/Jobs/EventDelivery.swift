import PluginAPI

/// The job that delivers one stored event to one subscriber.
enum EventDelivery {
    static func handler(store: any Store, _ handler: @escaping EventHandler) -> JobHandler {
        { context in
            guard let id = JobPayload.id("event_id", in: context.payload) else {
                throw PermanentJobError("delivery payload has no event_id")
            }
            guard let row = try await store.read({ try $0.query("SELECT id, name, payload, published_at FROM switchboard_events WHERE id = $1", [.integer(id)]).first }) else {
                return .cancel(reason: "event \(id) no longer exists (pruned)")
            }
            let event = Event(id: id, name: try row.string("name"), payload: try row.string("payload"), publishedAt: try row.int("published_at"),
                              completion: context.complete(in:))
            return try await handler(event)
        }
    }
}
