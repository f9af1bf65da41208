import PluginAPI

/// Chatwoot sends each webhook once and never retries, so a periodic job (`reconcile_every`,
/// default 2m) reads what happened since the last run and feeds it through the webhook's own
/// processing (`ChatwootWebhook.process(_:origin:)`), which skips messages already seen.
///
/// One run: page through conversations by last activity, newest first, down to the watermark
/// (the newest activity the previous run saw, less an overlap for clock skew and late commits);
/// for each, read its messages after the conversation's cursor (Chatwoot's `after=` cursor, 100 a
/// page) or, for a conversation not seen before, walk back with `before=` to the watermark; turn
/// each message into the `message_created` body Chatwoot would have sent and process it. The
/// watermark moves only when every conversation went through, so a failed run is redone.
struct Reconciler: Sendable {
    /// The first run looks this far back.
    static let firstLookbackSeconds: Int64 = 3600
    /// Activity this close below the watermark is read again (processing is idempotent).
    static let overlapSeconds: Int64 = 120
    /// Upper bounds per run, so one run stays bounded on a busy account; the rest is the next run's.
    static let maxConversationPages = 40
    static let maxMessagePages = 10
    /// Seen-message marks and cursors older than this are pruned.
    static let retentionMillis: Int64 = 14 * 86_400_000
    static let watermarkKey = "conversations_watermark"

    let client: ChatwootClient
    let webhook: ChatwootWebhook
    let store: any Store
    let clock: any TimeSource
    let log: any Logger
    let metrics: any MetricsRecorder

    struct Summary: Sendable, Equatable {
        var conversations = 0
        var messages = 0
        var processed = 0
        var alreadySeen = 0
        var calls = 0
    }

    func register(_ registrar: any Registrar, every interval: ConfigDuration) {
        let reconciler = self
        registrar.job("reconcile", options: JobOptions(maxAttempts: 3, timeout: .seconds(600))) { _ in
            let summary = try await reconciler.run()
            reconciler.metrics.increment("reconciled_messages", labels: ["outcome": "processed"], by: Double(summary.processed))
            reconciler.metrics.increment("reconciled_messages", labels: ["outcome": "already_seen"], by: Double(summary.alreadySeen))
            if summary.processed > 0 {
                reconciler.log.info("chatwoot reconciliation processed messages the webhook missed",
                                    ["processed": "\(summary.processed)", "conversations": "\(summary.conversations)"])
            }
            return .done
        }
        registrar.every(interval, job: "reconcile")
    }

    func run() async throws -> Summary {
        let now = clock.nowMillis
        let stored = try await store.read { db in try db.queryOne(ChatwootSQL.loadState, Self.watermarkKey)?.int("value") }
        let watermark = stored ?? (now / 1000 - Self.firstLookbackSeconds)
        let since = watermark - Self.overlapSeconds
        var summary = Summary()

        // Conversations active since `since`, newest first.
        var conversations: [(object: [String: JSONValue], id: Int, activity: Int64)] = []
        // Whether more conversations than one run reads were active since the watermark.
        var capped = true
        pages: for page in 1...Self.maxConversationPages {
            let batch = try await client.recentConversations(page: page)
            summary.calls += 1
            for item in batch {
                guard let object = item.objectValue, let id = object["id"]?.intValue else { continue }
                let activity = object["last_activity_at"]?.intValue64 ?? object["timestamp"]?.intValue64 ?? 0
                if activity < since {
                    capped = false
                    break pages
                }
                conversations.append((object, id, activity))
            }
            if batch.count < ChatwootClient.conversationPageSize {
                capped = false
                break
            }
        }
        if capped {
            // The older ones were not read: keep the watermark so the next run reaches them (the
            // newer ones cost little again: their cursors and the seen marks skip what was done).
            log.warning("chatwoot reconciliation read its maximum of conversations this run; the rest waits for the next run",
                        ["max_conversations": "\(Self.maxConversationPages * ChatwootClient.conversationPageSize)"])
        }

        for conversation in conversations {
            summary.conversations += 1
            let cursor = try await store.read { db in try db.queryOne(ChatwootSQL.loadCursor, conversation.id)?.int("last_message_id") }
            let messages = try await newMessages(conversation: conversation.id, after: cursor, since: since, summary: &summary)
            var last = cursor ?? 0
            for message in messages {
                summary.messages += 1
                let event = try ChatwootEvent(body: try JSONText.bytes(Self.webhookBody(message: message, conversation: conversation.object)))
                switch try await webhook.process(event, origin: .reconciliation) {
                case .processed: summary.processed += 1
                case .alreadySeen: summary.alreadySeen += 1
                }
                last = max(last, message["id"]?.intValue64 ?? 0)
            }
            if last > (cursor ?? 0) {
                let at = now
                let id = conversation.id
                let newest = last
                try await store.write { db in try db.execute(ChatwootSQL.saveCursor, id, newest, at) }
            }
        }

        let newWatermark = capped ? watermark : max(watermark, conversations.map(\.activity).max() ?? watermark)
        let done = summary
        try await store.write { db in
            try db.execute(ChatwootSQL.saveState, Self.watermarkKey, newWatermark, now)
            // What the last run did, for the operator (and tests): rows of chatwoot_reconcile_state.
            for (name, value) in [("last_run_at", now), ("last_run_conversations", Int64(done.conversations)),
                                  ("last_run_processed", Int64(done.processed)), ("last_run_already_seen", Int64(done.alreadySeen)),
                                  ("last_run_calls", Int64(done.calls))] {
                try db.execute(ChatwootSQL.saveState, name, value, now)
            }
            try db.execute(ChatwootSQL.pruneSeen, now - Self.retentionMillis)
            try db.execute(ChatwootSQL.pruneCursors, now - Self.retentionMillis)
        }
        return summary
    }

    /// The conversation's messages after `cursor` (ascending), or, without a cursor, the ones
    /// created since `since`, walking back from the latest.
    private func newMessages(conversation id: Int, after cursor: Int64?, since: Int64, summary: inout Summary) async throws -> [[String: JSONValue]] {
        var found: [[String: JSONValue]] = []
        if let cursor {
            var after = cursor
            for _ in 0..<Self.maxMessagePages {
                let batch = try await client.rawMessages(conversation: id, after: after).compactMap(\.objectValue)
                summary.calls += 1
                let ids = batch.compactMap { $0["id"]?.intValue64 }
                found += batch.filter { ($0["id"]?.intValue64 ?? 0) > after }
                // Chatwoot answers at most 100 after a cursor: fewer means this is the end.
                guard batch.count >= 100, let newest = ids.max(), newest > after else { break }
                after = newest
            }
            return found
        }
        var before: Int64?
        for _ in 0..<Self.maxMessagePages {
            let batch = try await client.rawMessages(conversation: id, before: before).compactMap(\.objectValue)
            summary.calls += 1
            found = batch.filter { ($0["created_at"]?.intValue64 ?? 0) >= since } + found
            let oldestTime = batch.compactMap { $0["created_at"]?.intValue64 }.min() ?? 0
            guard batch.count >= 20, oldestTime >= since, let oldest = batch.compactMap({ $0["id"]?.intValue64 }).min(), oldest != before else { break }
            before = oldest
        }
        return found
    }

    /// The `message_created` body Chatwoot would have sent for `message` (from the messages
    /// list) in `conversation` (from the conversation list): `message_type` as text, the
    /// conversation with its contact (`meta.sender`) and channel.
    static func webhookBody(message: [String: JSONValue], conversation: [String: JSONValue]) -> JSONValue {
        var body = message
        body["event"] = .string("message_created")
        if case .integer(let type)? = message["message_type"] {
            body["message_type"] = .string(["incoming", "outgoing", "activity", "template"][safe: Int(type)] ?? "unknown")
        }
        var summary: [String: JSONValue] = ["id": conversation["id"] ?? .null, "inbox_id": conversation["inbox_id"] ?? .null,
                                            "meta": conversation["meta"] ?? .null]
        if let channel = conversation["meta"]?.objectValue?["channel"] { summary["channel"] = channel }
        if let contactInbox = conversation["contact_inbox"] { summary["contact_inbox"] = contactInbox }
        body["conversation"] = .object(summary)
        return .object(body)
    }
}

extension JSONValue {
    /// The integer, also from a whole double or digits in a string (Chatwoot writes ids both ways).
    var intValue64: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int64(value)
        case .string(let text): Int64(text)
        default: nil
        }
    }

    var intValue: Int? { intValue64.map { Int($0) } }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
