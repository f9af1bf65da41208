import PluginAPI

/// Turns the kernel's events into timeline rows: messages in and out on every channel, their
/// statuses, calls, Flow responses and resolved phones. The summary says what happened, never
/// what was said (no message text: the monitor is watched over shoulders).
struct TimelineRecorder: Sendable {
    /// The events the monitor shows.
    static let events = ["message.received", "message.sent", "message.status", "call.ended", "flow.response.saved", "phone.resolved"]

    let timeline: TimelineStore
    let signal: TimelineSignal
    let clock: any TimeSource

    func record(_ event: Event) async throws -> JobOutcome {
        let payload = (try? JSONText.decode(JSONDocument.self, from: Array(event.payload.utf8)))?.objectValue ?? [:]
        let row = Self.describe(event.name, payload)
        let at = Self.integer(payload["at"]) ?? event.publishedAt
        let added = try await timeline.add(at: at, kind: event.name, channel: row.channel, direction: row.direction,
                                           phone: row.phone.map(Mask.phone), summary: row.summary, eventID: event.id)
        if added { await signal.notify() }
        return .done
    }

    struct Described: Equatable {
        var channel: String?
        var direction: String?
        var phone: String?
        var summary: String
    }

    /// The row for one event, from the members its publishers send (missing ones are left out).
    static func describe(_ name: String, _ p: [String: JSONDocument]) -> Described {
        let channel = p["channel"]?.stringValue
        let phone = p["phone"]?.stringValue
        switch name {
        case "message.received":
            return Described(channel: channel, direction: "in", phone: phone, summary: content(p, verb: "received"))
        case "message.sent":
            return Described(channel: channel, direction: "out", phone: phone, summary: content(p, verb: "sent"))
        case "message.status":
            let status = p["status"]?.stringValue ?? "unknown"
            let error = p["error"]?.stringValue.map { ": " + String($0.prefix(80)) } ?? ""
            return Described(channel: channel, direction: "out", phone: phone, summary: "status \(status)\(error)")
        case "call.ended":
            var parts = ["call ended"]
            if let outcome = p["status"]?.stringValue ?? p["outcome"]?.stringValue { parts.append(outcome) }
            if let seconds = integer(p["duration"]) ?? integer(p["talking_time"]) { parts.append("\(seconds)s") }
            // CloudTalk's payload: `external_number`, `direction` incoming/outgoing, `talking_time`.
            let direction: String? = switch p["direction"]?.stringValue {
            case "incoming"?, "inbound"?, "in"?: "in"
            case "outgoing"?, "outbound"?, "out"?: "out"
            case let other: other
            }
            return Described(channel: channel ?? "cloudtalk", direction: direction, phone: phone ?? p["external_number"]?.stringValue,
                             summary: parts.joined(separator: ", "))
        case "flow.response.saved":
            let flow = p["flow"]?.stringValue.map { " \($0)" } ?? ""
            let status = p["status"]?.stringValue.map { " (\($0))" } ?? ""
            return Described(channel: channel ?? "whatsapp", direction: "in", phone: phone, summary: "flow response\(flow)\(status)")
        case "phone.resolved":
            let source = p["source"]?.stringValue.map { " via \($0)" } ?? ""
            let subject = p["subject"]?.stringValue ?? "a subject"
            return Described(channel: nil, direction: nil, phone: phone, summary: "phone found for \(String(subject.prefix(80)))\(source)")
        default:
            return Described(channel: channel, direction: nil, phone: phone, summary: name)
        }
    }

    /// `text received (42 chars)`, `image sent`, … — the kind of content, not the content.
    static func content(_ p: [String: JSONDocument], verb: String) -> String {
        if p["media_url"]?.stringValue != nil { return "media \(verb)" }
        if let text = p["text"]?.stringValue { return "text \(verb) (\(text.count) chars)" }
        return "message \(verb)"
    }

    static func integer(_ value: JSONDocument?) -> Int64? {
        switch value {
        case .integer(let n)?: n
        case .double(let d)?: Int64(exactly: d.rounded()) 
        default: nil
        }
    }
}
