import PluginAPI

/// `GET /integrity/stream`: the timeline as server-sent events. Sends the rows after the
/// client's `Last-Event-ID` (or, on a first connection, the newest `backlog` rows), then each
/// new row as it is written: at once when this instance wrote it, within `poll_interval`
/// when another instance did. Each event is
/// `id: <row id>\nevent: <kind>\ndata: {"id","at","kind","channel","direction","phone","summary"}\n\n`;
/// an idle stream gets a `: keepalive` comment every `keepalive`.
struct TimelineStream: Sendable {
    let timeline: TimelineStore
    let signal: TimelineSignal
    let keepalive: Duration
    let pollInterval: Duration

    static let batch = 200
    static let known: Set<String> = ["last_event_id", "backlog"]

    func response(_ request: Request) throws -> Response {
        let query = try IntegrityHTTP.query(request, known: Self.known)
        let header = request.headers["last-event-id"].flatMap { $0.isEmpty ? nil : $0 }
        let resume = try IntegrityHTTP.integer("last_event_id", header ?? query["last_event_id"], range: 0...Int64.max)
        let backlog = Int(try IntegrityHTTP.integer("backlog", query["backlog"], range: 0...1000) ?? 50)
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/event-stream; charset=utf-8")
        headers.set("Cache-Control", "no-store")
        // Reverse proxies (nginx) must pass events on as they come.
        headers.set("X-Accel-Buffering", "no")
        return .stream(headers: headers) { writer in
            try await produce(writer, resume: resume, backlog: backlog)
        }
    }

    private func produce(_ writer: any ResponseBodyWriter, resume: Int64?, backlog: Int) async throws {
        try await writer.write(": integrity timeline\n\n")
        var cursor: Int64
        if let resume {
            cursor = resume
        } else {
            let recent = try await timeline.newest(backlog)
            if !recent.isEmpty { try await writer.write(try Self.render(recent)) }
            cursor = recent.last?.id ?? 0
            if recent.isEmpty, let last = try await timeline.newest(1).last { cursor = last.id }
        }
        let clock = ContinuousClock()
        var lastSent = clock.now
        while !Task.isCancelled {
            let seen = await signal.current
            let rows = try await timeline.rows(after: cursor, limit: Self.batch)
            if let last = rows.last {
                try await writer.write(try Self.render(rows))
                cursor = last.id
                lastSent = clock.now
                if rows.count == Self.batch { continue }
            }
            let idle = clock.now - lastSent
            if idle >= keepalive {
                try await writer.write(": keepalive\n\n")
                lastSent = clock.now
            }
            await signal.wait(after: seen, timeout: min(pollInterval, max(.milliseconds(1), keepalive - idle)))
        }
    }

    /// The events for `rows`, in one write.
    static func render(_ rows: [TimelineEntry]) throws -> String {
        var out = ""
        for row in rows {
            out += "id: \(row.id)\nevent: \(row.kind)\ndata: \(String(decoding: try JSONText.bytes(row.json), as: UTF8.self))\n\n"
        }
        return out
    }
}
