import Foundation
import PluginAPI

/// A channel plugin for kernel tests: channel `loopback` "sends" by recording the message
/// (text `fail` fails every attempt, `never` fails for good), and a subscriber logs the
/// `message.*` events it sees. `POST /loopback/send?to=…&text=…` sends through the channel;
/// `POST /loopback/inbound?from=…&text=…[&id=…][&payload=…]` records an inbound message.
public struct LoopbackChannelPlugin: Plugin {
    public static let id = "loopback"

    let context: any PluginContext

    public init(context: any PluginContext) throws {
        self.context = context
    }

    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, """
        CREATE TABLE loopback_sent (id {{id}}, message_id BIGINT NOT NULL, phone TEXT NOT NULL, text TEXT, attempt INTEGER NOT NULL);
        CREATE TABLE loopback_events (id {{id}}, name TEXT NOT NULL, payload TEXT NOT NULL);
        """)
        let store = context.store
        let channels = context.channels
        registrar.channel("loopback", rateLimit: RateLimit(count: 100, window: .seconds(1)), maxAttempts: 2) { delivery in
            if delivery.message.text == "never" { throw PermanentJobError("recipient blocked") }
            if delivery.message.text == "fail" { throw StorageError(.unavailable, "provider down") }
            try await store.write { db in
                try db.execute("INSERT INTO loopback_sent (message_id, phone, text, attempt) VALUES ($1, $2, $3, $4)",
                               delivery.messageID, delivery.to, delivery.message.text ?? "", delivery.attempt)
            }
            return ChannelReceipt(providerID: "lb-\(delivery.messageID)")
        }
        for event in ["message.sent", "message.failed", "message.received", "message.status"] {
            registrar.subscribe(event) { event in
                try await store.write { try $0.execute("INSERT INTO loopback_events (name, payload) VALUES ($1, $2)", event.name, event.payload) }
                return .done
            }
        }
        let phones = context.phones
        registrar.route(.post, "/send") { request in
            let q = request.queryItems
            let to: PhoneNumber
            do {
                to = try phones.normalize(q["to"] ?? "")
            } catch {
                return .error(status: 400, code: "bad_phone", message: "to: \(error)")
            }
            let id = try await store.write { db in
                try channels.send(channel: "loopback", to: to, message: ChannelMessage(text: q["text"]), in: db)
            }
            return .text("\(id)")
        }
        registrar.route(.post, "/inbound") { request in
            let q = request.queryItems
            let id = try await store.write { db in
                try channels.received(channel: "loopback", from: q["from"] ?? "", message: ChannelMessage(text: q["text"], payload: q["payload"]),
                                      providerID: q["id"], receivedAt: nil, in: db)
            }
            return .text("\(id)")
        }
        registrar.route(.post, "/status") { request in
            let q = request.queryItems
            let found = try await store.write { db in
                try channels.status(channel: "loopback", providerID: q["id"] ?? "", status: q["status"] ?? "", error: nil, in: db)
            }
            return .text(found ? "updated" : "unknown")
        }
    }
}
