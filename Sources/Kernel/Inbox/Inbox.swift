import FoundationEssentials
import PluginAPI

/// The durable inbox: every webhook that passes verification is stored whole before it is
/// acknowledged, and processed as a job. Numbered steps, as in Convoy's ingest.
struct Inbox: Sendable {
    let services: KernelServices
    let log: any PluginAPI.Logger
    let metrics: MetricsRegistry
    /// On PostgreSQL, concurrent webhooks are stored in batches; nil on SQLite, whose writer
    /// already commits them together.
    let groupCommit: InboxGroupCommit?

    init(services: KernelServices, log: any PluginAPI.Logger, metrics: MetricsRegistry) {
        self.services = services
        self.log = log
        self.metrics = metrics
        if services.store.dialect == .postgres {
            let store = services.store
            groupCommit = InboxGroupCommit { items in try await Self.storeBatch(items, in: store) }
        } else {
            groupCommit = nil
        }
    }

    /// Headers that carry credentials are not stored (Wasender's signature header is the
    /// secret itself; CloudTalk's token header is one).
    static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "x-webhook-signature", "x-switchboard-token",
        "api_access_token", "x-api-key", "x-auth-token",
    ]

    /// The job that processes a webhook's items.
    static func jobName(plugin: String, path: String) -> String { "\(plugin).webhook\(path.dropFirst(plugin.count + 1))" }

    /// Whether `name` is a webhook's processing job (`<plugin>.webhook/<path>`).
    static func isProcessingJob(_ name: String) -> Bool { name.contains(".webhook/") }

    /// The route handler of a webhook.
    func handler(plugin: String, webhook: PluginRegistrar.WebhookRecord) -> RouteHandler {
        let jobName = Self.jobName(plugin: plugin, path: webhook.path)
        return { request in
            // 1. verify on the raw body; a rejection stores nothing of the request
            if case .reject(let reason) = webhook.verify(request) {
                await recordRejection(plugin: plugin, route: webhook.path, reason: reason, request: request)
                throw HTTPError(401, "invalid_signature", "webhook verification failed")
            }
            // 2. store and enqueue its processing in one transaction
            let key = webhook.dedupeKey(request)
            let stored = try await store(request, plugin: plugin, route: webhook.path, dedupeKey: key, jobName: jobName)
            services.nudge()
            // 3. answer only after the commit
            // Written by hand: a JSON encoder per acknowledgement was measurable at full load.
            switch stored {
            case .accepted(let id):
                return .json(bytes: Array("{\"id\":\"\(id)\",\"status\":\"accepted\"}".utf8))
            case .duplicate(let id):
                metrics.increment("switchboard_inbox_duplicates_total", labels: ["plugin": plugin, "route": webhook.path], by: 1)
                return .json(bytes: Array("{\"id\":\"\(id)\",\"status\":\"duplicate\"}".utf8))
            }
        }
    }

    enum Stored {
        case accepted(Int64)
        case duplicate(Int64)
    }

    func store(_ request: Request, plugin: String, route: String, dedupeKey: String?, jobName: String) async throws -> Stored {
        let headers = Self.encodeHeaders(request.headers)
        let now = services.clock.nowMillis
        let queue = try services.jobQueue()
        do {
            if let groupCommit, let kind = queue.registry.kinds[jobName] {
                let item = InboxGroupCommit.Item(plugin: plugin, route: route, headers: headers, body: request.body, receivedAt: now,
                                                 dedupeKey: dedupeKey, jobName: jobName, jobQueue: kind.queue, maxAttempts: kind.maxAttempts)
                if case .stored(let id) = try await groupCommit.store(item) { return .accepted(id) }
                // A taken dedupe key (or a batch that failed): decided on its own, below.
            }
            let kind = queue.registry.kinds[jobName]
            return try await services.store.write { db in
                let params: [SQLValue] = [.text(plugin), .text(route), .text(headers), .blob(request.body), .integer(now),
                                          dedupeKey.map(SQLValue.text) ?? .null]
                if db.dialect == .sqlite, let kind {
                    // One statement fewer: the item is inserted already linked to the job id the
                    // jobs table will give next (see `InboxSQL.insertLinkedSQLite`).
                    if let row = try db.query(InboxSQL.insertLinkedSQLite, params).first {
                        let id = try row.int("id")
                        try db.execute(InboxSQL.insertFirstJob, [.integer(try row.int("job_id")), .text(jobName), .text(kind.queue),
                                                                  .text("{\"inbox_id\":\(id)}"), .integer(Int64(kind.maxAttempts)), .integer(now)])
                        return .accepted(id)
                    }
                } else if let row = try db.query(InboxSQL.insert, params).first {
                    let id = try row.int("id")
                    try Self.enqueueFirstProcessing(id: id, jobName: jobName, queue: queue, db: db)
                    return .accepted(id)
                }
                let original = try db.query(InboxSQL.findOriginal, [.text(plugin), .text(route), dedupeKey.map(SQLValue.text) ?? .null]).first?.int("id")
                let row = try db.query(InboxSQL.insertDuplicate, params + [original.map(SQLValue.integer) ?? .null]).first
                return .duplicate(try row?.int("id") ?? 0)
            }
        } catch let error as StorageError where error.kind == .unavailable || error.kind == .conflict {
            // Not stored, so not acknowledged: the provider will redeliver.
            log.warning("webhook not stored: storage unavailable", ["plugin": plugin, "route": route, "error": "\(error)"])
            throw HTTPError(503, "storage_unavailable", "storage is unavailable; retry later")
        }
    }

    /// Stores a batch of webhooks and their processing jobs in one statement (PostgreSQL), and
    /// wakes the workers of every instance once per queue.
    static func storeBatch(_ items: [InboxGroupCommit.Item], in store: StoreHandle) async throws -> [InboxGroupCommit.Outcome] {
        var values: [SQLValue] = []
        values.reserveCapacity(items.count * 10)
        for (ord, item) in items.enumerated() {
            values += [.integer(Int64(ord)), .text(item.plugin), .text(item.route), .text(item.headers), .blob(item.body),
                       .integer(item.receivedAt), item.dedupeKey.map(SQLValue.text) ?? .null, .text(item.jobName),
                       .text(item.jobQueue), .integer(Int64(item.maxAttempts))]
        }
        let sql = InboxSQL.insertBatch(count: items.count)
        let queues = Set(items.map(\.jobQueue))
        let params = values
        return try await store.urgentWrite { db in
            let rows = try db.query(sql, params)
            var outcomes = [InboxGroupCommit.Outcome](repeating: .storeAlone, count: items.count)
            for row in rows {
                let ord = Int(try row.int("ord"))
                guard outcomes.indices.contains(ord) else { continue }
                if try row.bool("inserted") { outcomes[ord] = .stored(try row.int("id")) }
            }
            for queue in queues.sorted() { try db.execute("SELECT pg_notify('switchboard_jobs', $1)", [.text(queue)]) }
            return outcomes
        }
    }

    /// The unique key of a replay's processing job: one waits or runs at a time.
    static func uniqueKey(id: Int64) -> String { "inbox:\(id)" }

    /// The job waiting or running for item `id`, if any: the one its `job_id` names (its
    /// first job has no unique key), else a replay's, by its unique key.
    static func queuedJob(item id: Int64, in db: any SQLConnection) throws -> Row? {
        try db.query(AdminSQL.queuedJobOfItem, [.integer(id)]).first
            ?? db.query(AdminSQL.queuedJobByUniqueKey, [.text(uniqueKey(id: id))]).first
    }

    /// Enqueues the processing job of item `id`, just stored. No other job can exist for a new
    /// item, so this one needs no unique key (whose index entry every webhook would pay for,
    /// in and out), and only `job_id` is set: the row's status and indexed columns stay as
    /// inserted. A replay finds this job through `job_id` (see `ReplayContext`).
    static func enqueueFirstProcessing(id: Int64, jobName: String, queue: KernelJobQueue, db: any SQLConnection) throws {
        guard let job = try queue.enqueueReturningID(JobRequest(name: jobName, payload: "{\"inbox_id\":\(id)}"), in: db) else {
            throw StorageError(.other, "inbox item \(id): its processing job was not enqueued")
        }
        try db.execute(InboxSQL.linkFirstJob, [.integer(id), .integer(job)])
    }

    /// Re-enqueues, for a replay, the processing job of item `id`.
    static func enqueueProcessing(id: Int64, jobName: String, queue: KernelJobQueue, db: any SQLConnection) throws {
        var job = try queue.enqueueReturningID(JobRequest(name: jobName, payload: "{\"inbox_id\":\(id)}", uniqueKey: uniqueKey(id: id)), in: db)
        if job == nil {
            // A replay while the item's job still waits or runs: link that one.
            job = try db.query("SELECT id FROM switchboard_jobs WHERE unique_key = $1 AND status IN ('available', 'running')",
                               [.text(uniqueKey(id: id))]).first?.int("id")
        }
        try db.execute(InboxSQL.setJob, [.integer(id), job.map(SQLValue.integer) ?? .null])
    }

    private func recordRejection(plugin: String, route: String, reason: String, request: Request) async {
        metrics.increment("switchboard_inbox_rejected_total", labels: ["plugin": plugin, "route": route], by: 1)
        log.warning("webhook rejected", ["plugin": plugin, "route": route, "reason": reason, "remote": request.remoteAddress, "size": "\(request.body.count)"])
        let now = services.clock.nowMillis
        do {
            try await services.store.write { db in
                try db.execute(InboxSQL.insertRejection, [.text(plugin), .text(route), .text(String(reason.prefix(500))),
                                                          .integer(Int64(request.body.count)), .text(request.remoteAddress), .integer(now)])
            }
        } catch {
            log.warning("could not record a webhook rejection", ["plugin": plugin, "error": "\(error)"])
        }
    }

    /// The job that runs a webhook's processor on a stored item; idempotent on replays.
    func processingJob(plugin: String, webhook: PluginRegistrar.WebhookRecord) -> JobHandler {
        let store = services.store
        let clock = services.clock
        return { context in
            guard let id = Self.inboxID(context.payload) else { throw PermanentJobError("job payload has no inbox_id") }
            guard let row = try await store.read({ try $0.query(InboxSQL.load, [.integer(id)]).first }) else {
                return .cancel(reason: "inbox item \(id) no longer exists (pruned)")
            }
            let completed = CompletedFlag()
            let complete: @Sendable (any SQLConnection) throws -> Void = { db in
                try db.execute(InboxSQL.markProcessed, [.integer(id), .integer(clock.nowMillis)])
                try context.complete(in: db)
                completed.set()
            }
            let item = InboxItem(id: id, plugin: try row.string("plugin"), route: try row.string("route"),
                                 headers: Self.decodeHeaders(try row.string("headers")), body: try row.bytes("body"),
                                 receivedAt: try row.int("received_at"), dedupeKey: try row.optionalString("dedupe_key"),
                                 completion: complete)
            let outcome = try await webhook.process(item)
            if outcome == .done && !completed.isSet {
                // One transaction marks the item processed and completes its job, unless the
                // processor did both in its own (`InboxItem.complete(in:)`).
                try await store.write(complete)
            }
            return outcome
        }
    }

    static func inboxID(_ payload: String) -> Int64? {
        JobPayload.id("inbox_id", in: payload)
    }

    /// Headers as a JSON array of `[name, value]` pairs, credentials left out. Written by
    /// hand: on the ingest path a general JSON encoder cost 17 % of the CPU.
    static func encodeHeaders(_ headers: HTTPHeaders) -> String {
        var out = "["
        var first = true
        for field in headers where !secretHeaders.contains(field.name.lowercased()) {
            if !first { out += "," }
            first = false
            out += "[\"" + ErrorBody.escape(field.name) + "\",\"" + ErrorBody.escape(field.value) + "\"]"
        }
        return out + "]"
    }

    /// The headers `encodeHeaders` stored; none when the text is not an array of string arrays.
    static func decodeHeaders(_ text: String) -> HTTPHeaders {
        guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)) else { return HTTPHeaders() }
        return HTTPHeaders(pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil })
    }
}
