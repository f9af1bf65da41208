import PluginAPI

/// The operator's view of storage, shared by the CLI (`switchboard inbox …`, `jobs …`) and
/// the admin API (`/api/admin/…`) so both list, replay and retry the same way. Written
/// against `Store` only: SQLite and PostgreSQL alike.
struct AdminQueries: Sendable {
    /// The database: the CLI's own open store, or the server's `StoreHandle`.
    let store: any Store
    /// The job kinds of this configuration (a replay needs its webhook's processing job).
    let registry: JobRegistry
    let clock: any TimeSource
    /// Plugins this configuration enables; items of others are not replayed.
    let enabledPlugins: Set<String>

    /// How many items one transaction of a bulk replay enqueues.
    static let replayBatch = 200

    // MARK: - filters

    /// An inbox listing. With `limit`, `newest` keeps the newest matches (still returned oldest
    /// first, without a cursor); otherwise a page starts after `after` and the result carries
    /// the next cursor.
    struct InboxFilter: Sendable, Equatable {
        var since: Int64?
        var status: String?
        var plugin: String?
        var after: Int64?
        var limit: Int?
        var newest = false
    }

    struct JobFilter: Sendable, Equatable {
        var status: String?
        var name: String?
        var after: Int64?
        var limit: Int?
        var newest = false
    }

    struct RejectionFilter: Sendable, Equatable {
        var since: Int64?
        var plugin: String?
        var after: Int64?
        var limit: Int?
        var newest = false
    }

    // MARK: - inbox

    /// Inbox items matching `filter`, ordered by id (newest last).
    func inbox(_ filter: InboxFilter) async throws -> Page<InboxSummary> {
        var sql = SQLFilter()
        if let since = filter.since { sql.add(AdminSQL.inboxSince, .integer(since)) }
        if let status = filter.status { sql.add(AdminSQL.inboxStatus, .text(status)) }
        if let plugin = filter.plugin { sql.add(AdminSQL.inboxPlugin, .text(plugin)) }
        if let after = filter.after { sql.add(AdminSQL.inboxAfter, .integer(after)) }
        return try await page(base: AdminSQL.inboxList, sql, limit: filter.limit, newest: filter.newest,
                              ascending: AdminSQL.inboxOldestFirst, descending: AdminSQL.inboxNewestFirst,
                              read: InboxSummary.init(row:), id: \.id)
    }

    /// One item with its headers, body and current job; `notFound` when there is none.
    func inboxItem(id: Int64) async throws -> InboxDetail {
        var sql = SQLFilter()
        sql.add(AdminSQL.inboxID, .integer(id))
        let query = AdminSQL.inboxList + sql.whereClause
        let parameters = sql.parameters
        let found = try await store.read { db -> (Row, Row, Row?)? in
            guard let summary = try db.query(query, parameters).first,
                  let detail = try db.query(AdminSQL.inboxDetail, [.integer(id)]).first else { return nil }
            var job: Row?
            if let jobID = try detail.optionalInt("job_id") {
                var jobSQL = SQLFilter()
                jobSQL.add(AdminSQL.jobID, .integer(jobID))
                job = try db.query(AdminSQL.jobList + jobSQL.whereClause, jobSQL.parameters).first
            }
            return (summary, detail, job)
        }
        guard let (summary, detail, job) = found else { throw AdminError.notFound("inbox item \(id) not found") }
        return InboxDetail(summary: try InboxSummary(row: summary), headers: Inbox.decodeHeaders(try detail.string("headers")),
                           body: try detail.bytes("body"), job: try job.map(JobSummary.init(row:)))
    }

    /// Enqueues item `id`'s processing again. Refuses duplicates (their original is the one
    /// to replay) and items of plugins this configuration does not enable. An item whose job
    /// still waits or runs is left as it is and reported `alreadyQueued`.
    func replay(id: Int64) async throws -> ReplayResult {
        let context = ReplayContext(registry: registry, clock: clock, enabledPlugins: enabledPlugins)
        return try await store.write { db in
            guard let result = try context.replay(id: id, db: db) else { throw AdminError.notFound("inbox item \(id) not found") }
            return result
        }
    }

    /// Replays every non-duplicate item received since `since` (of `plugin` when given). Refuses
    /// as a whole, queuing nothing, when a matching item's plugin is not enabled or no longer
    /// declares its webhook. Enqueues in batches of `replayBatch` per transaction.
    func replay(since: Int64, plugin: String?) async throws -> BulkReplayResult {
        if let plugin, !enabledPlugins.contains(plugin) {
            throw AdminError.refused("plugin_disabled", "plugin \(plugin) is not enabled in this configuration; its items cannot be processed")
        }
        var sql = SQLFilter()
        sql.add(AdminSQL.inboxNotDuplicate, .text("duplicate"))
        sql.add(AdminSQL.inboxSince, .integer(since))
        if let plugin { sql.add(AdminSQL.inboxPlugin, .text(plugin)) }
        let query = AdminSQL.inboxReplayCandidates + sql.whereClause + AdminSQL.inboxOldestFirst
        let parameters = sql.parameters
        let candidates = try await store.read { db in
            try db.query(query, parameters).map { row in (id: try row.int("id"), plugin: try row.string("plugin"), route: try row.string("route")) }
        }
        let context = ReplayContext(registry: registry, clock: clock, enabledPlugins: enabledPlugins)
        var blocked: [String: Int] = [:]
        var code = ""
        for item in candidates {
            if let blocker = context.blocker(plugin: item.plugin, route: item.route) {
                blocked[blocker.detail, default: 0] += 1
                if case .refused(let c) = blocker.kind { code = c }
            }
        }
        if !blocked.isEmpty {
            let reasons = blocked.keys.sorted().map { "\($0) (\(blocked[$0] ?? 0) item\(blocked[$0] == 1 ? "" : "s"))" }
            throw AdminError.refused(code, "nothing replayed: \(reasons.joined(separator: "; ")); replay the items of enabled plugins one plugin at a time")
        }
        var result = BulkReplayResult(matched: candidates.count, queued: [], alreadyQueued: [])
        var start = 0
        while start < candidates.count {
            let ids = candidates[start..<min(start + Self.replayBatch, candidates.count)].map(\.id)
            let results = try await store.write { db in try ids.compactMap { try context.replay(id: $0, db: db) } }
            for item in results {
                switch item.outcome {
                case .queued: result.queued.append(item.id)
                case .alreadyQueued: result.alreadyQueued.append(item.id)
                }
            }
            start += Self.replayBatch
        }
        return result
    }

    /// Webhook requests that failed verification, ordered by id.
    func rejections(_ filter: RejectionFilter) async throws -> Page<RejectionSummary> {
        var sql = SQLFilter()
        if let since = filter.since { sql.add(AdminSQL.rejectionSince, .integer(since)) }
        if let plugin = filter.plugin { sql.add(AdminSQL.rejectionPlugin, .text(plugin)) }
        if let after = filter.after { sql.add(AdminSQL.rejectionAfter, .integer(after)) }
        return try await page(base: AdminSQL.rejectionList, sql, limit: filter.limit, newest: filter.newest,
                              ascending: AdminSQL.rejectionOldestFirst, descending: AdminSQL.rejectionNewestFirst,
                              read: RejectionSummary.init(row:), id: \.id)
    }

    // MARK: - jobs

    /// Jobs matching `filter`, ordered by id.
    func jobs(_ filter: JobFilter) async throws -> Page<JobSummary> {
        var sql = SQLFilter()
        if let status = filter.status { sql.add(AdminSQL.jobStatus, .text(status)) }
        if let name = filter.name { sql.add(AdminSQL.jobName, .text(name)) }
        if let after = filter.after { sql.add(AdminSQL.jobAfter, .integer(after)) }
        return try await page(base: AdminSQL.jobList, sql, limit: filter.limit, newest: filter.newest,
                              ascending: AdminSQL.jobOldestFirst, descending: AdminSQL.jobNewestFirst,
                              read: JobSummary.init(row:), id: \.id)
    }

    /// One job; `notFound` when there is none.
    func job(id: Int64) async throws -> JobSummary {
        var sql = SQLFilter()
        sql.add(AdminSQL.jobID, .integer(id))
        let query = AdminSQL.jobList + sql.whereClause
        let parameters = sql.parameters
        guard let row = try await store.read({ try $0.query(query, parameters).first }) else { throw AdminError.notFound("job \(id) not found") }
        return try JobSummary(row: row)
    }

    /// Makes a dead or cancelled job available again now, with its attempts counted afresh.
    /// Refuses other states, kinds this configuration has no handler for, and a job whose
    /// unique key another waiting or running job holds.
    func retryJob(id: Int64) async throws -> JobSummary {
        let registry = self.registry
        let now = clock.nowMillis
        try await store.write { db in
            guard let row = try db.query(AdminSQL.jobForRetry, [.integer(id)]).first else { throw AdminError.notFound("job \(id) not found") }
            let status = try row.string("status")
            let name = try row.string("name")
            guard status == "dead" || status == "cancelled" else {
                throw AdminError.refused("not_retryable", "job \(id) is \(status); only dead or cancelled jobs can be retried")
            }
            guard registry.kinds[name] != nil else {
                throw AdminError.refused("unknown_job", "job \(id) (\(name)) has no handler in this configuration; is its plugin enabled?")
            }
            if let key = try row.optionalString("unique_key"), let other = try db.query(AdminSQL.queuedJobByUniqueKey, [.text(key)]).first {
                throw AdminError.refused("already_queued", "job \(try other.int("id")) with the same unique key (\(key)) is \(try other.string("status")); nothing to retry")
            }
            // A webhook item's first job has no unique key: a replay's job may be queued for its item.
            if Inbox.isProcessingJob(name), let item = Inbox.inboxID(try row.string("payload")),
               let other = try Inbox.queuedJob(item: item, in: db) {
                throw AdminError.refused("already_queued", "job \(try other.int("id")) for the same inbox item \(item) is \(try other.string("status")); nothing to retry")
            }
            try db.execute(AdminSQL.retryJob, [.integer(id), .integer(now)])
            if db.dialect == .postgres { try db.execute(AdminSQL.notifyPostgres, [.text(try row.string("queue"))]) }
        }
        return try await job(id: id)
    }

    // MARK: - paging

    /// Runs a listing: all matches without a limit; with one, either the newest `limit`
    /// (`newest`) or a page of `limit` in id order, reading one row more to know whether a
    /// next page exists.
    private func page<Item: Sendable>(base: String, _ filter: SQLFilter, limit: Int?, newest: Bool,
                                      ascending: String, descending: String,
                                      read: @escaping @Sendable (Row) throws -> Item, id: (Item) -> Int64) async throws -> Page<Item> {
        var sql = filter
        var query = base + sql.whereClause
        if let limit {
            query += newest ? descending : ascending
            query += sql.placeholder(AdminSQL.limit, .integer(Int64(newest ? limit : limit + 1)))
        } else {
            query += ascending
        }
        let statement = query
        let parameters = sql.parameters
        let rows = try await store.read { db in try db.query(statement, parameters).map(read) }
        if newest && limit != nil { return Page(items: rows.reversed(), next: nil) }
        guard let limit, rows.count > limit else { return Page(items: rows, next: nil) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, next: items.last.map(id))
    }
}
