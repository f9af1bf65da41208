import PluginAPI

/// `switchboard inbox list|show|replay`: the durable inbox from the command line, through the
/// same `AdminQueries` as the admin API.
enum InboxCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        switch parsed.command {
        case "inbox list": return try await list(parsed, session)
        case "inbox show": return try await show(parsed, session)
        default: return try await replay(parsed, session)
        }
    }

    /// Every match (or the newest `--limit`), oldest first: JSON lines with `--json`, a table otherwise.
    static func list(_ parsed: ParsedCommand, _ session: StorageSession) async throws -> Int32 {
        var filter = try AdminParameters.inboxFilter(parsed.options, now: session.now, limits: .unbounded)
        filter.newest = true
        let page = try await session.run { try await $0.inbox(filter) }
        Listing.print(page.items, json: parsed.flags.contains("json"), empty: "no matching inbox items",
                      headers: ["ID", "RECEIVED", "PLUGIN", "ROUTE", "STATUS", "SIZE", "DEDUPE_KEY", "ERROR"], object: \.json) { item in
            ["\(item.id)", RFC3339.format(millis: item.receivedAt), item.plugin, item.route, item.status, "\(item.size)",
             TextTable.short(item.dedupeKey, limit: 40), TextTable.short(item.error)]
        }
        return 0
    }

    /// One item: fields, job, headers and body.
    static func show(_ parsed: ParsedCommand, _ session: StorageSession) async throws -> Int32 {
        let id = try AdminParameters.id("id", parsed.arguments.first ?? "")
        let item = try await session.run { try await $0.inboxItem(id: id) }
        if parsed.flags.contains("json") {
            print(item.json.jsonText())
            return 0
        }
        print(render(item))
        return 0
    }

    /// The text `inbox show` prints.
    static func render(_ item: AdminQueries.InboxDetail) -> String {
        let s = item.summary
        func field(_ name: String, _ value: String?) -> String {
            TextTable.pad(name + ":", 15) + TextTable.safe(value ?? "-", multiline: false)
        }
        var lines = [
            field("id", "\(s.id)"), field("plugin", s.plugin), field("route", s.route), field("status", s.status),
            field("received_at", RFC3339.format(millis: s.receivedAt)), field("processed_at", s.processedAt.map { RFC3339.format(millis: $0) }),
            field("dedupe_key", s.dedupeKey), field("duplicate_of", s.duplicateOf.map { "\($0)" }), field("size", "\(s.size) bytes"),
        ]
        if let job = item.job {
            lines.append(field("job", "\(job.id) \(job.name): \(job.status) (attempt \(job.attempt) of \(job.maxAttempts))"))
            lines.append(field("last_error", job.lastError))
        } else {
            lines.append(field("job", nil))
            lines.append(field("last_error", s.error))
        }
        lines.append("headers:")
        for header in item.headers { lines.append("  " + TextTable.safe("\(header.name): \(header.value)", multiline: false)) }
        if let text = item.bodyText {
            lines.append("body (utf-8):")
            lines.append(TextTable.safe(text, multiline: true))
        } else {
            lines.append("body (base64, not valid utf-8):")
            lines.append(Base64.encode(item.body))
        }
        return lines.joined(separator: "\n")
    }

    /// `inbox replay ID` or `inbox replay --since TIME [--plugin P]`.
    static func replay(_ parsed: ParsedCommand, _ session: StorageSession) async throws -> Int32 {
        let since = parsed.options["since"]
        if let idText = parsed.arguments.first {
            guard since == nil, parsed.options["plugin"] == nil else {
                throw UsageError("inbox replay: give either an item ID or --since TIME [--plugin P], not both")
            }
            let id = try AdminParameters.id("id", idText)
            let result = try await session.run { try await $0.replay(id: id) }
            switch result.outcome {
            case .queued(let job):
                print("queued inbox item \(id) (job \(job))")
            case .alreadyQueued(let job, let status):
                print("inbox item \(id) is already queued (job \(job) is \(status)); nothing to do")
            }
            return 0
        }
        guard let since else { throw UsageError("inbox replay: expected an item ID or --since TIME (see switchboard inbox replay --help)") }
        let time = try AdminParameters.time("since", since, now: session.now)
        let plugin = try parsed.options["plugin"].map { try AdminParameters.nonEmpty("plugin", $0) }
        let result = try await session.run { try await $0.replay(since: time, plugin: plugin) }
        let scope = "received since \(RFC3339.format(millis: time))" + (plugin.map { " for plugin \($0)" } ?? "")
        if result.matched == 0 {
            print("no inbox items \(scope); nothing queued")
            return 0
        }
        print("queued \(result.queued.count) of \(result.matched) inbox items \(scope)")
        if !result.alreadyQueued.isEmpty {
            print("already queued, left alone: \(result.alreadyQueued.map(String.init).joined(separator: ", "))")
        }
        return 0
    }
}
