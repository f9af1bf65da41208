import PluginAPI

/// Replays inbox items inside a write transaction, for `AdminQueries`: decides whether an
/// item can be replayed in this configuration and enqueues its processing job.
struct ReplayContext: Sendable {
    let registry: JobRegistry
    let clock: any TimeSource
    let enabledPlugins: Set<String>

    /// Why items of `plugin` received at `route` cannot be processed in this configuration
    /// (the plugin is not enabled, or no longer declares that webhook), or nil.
    func blocker(plugin: String, route: String) -> AdminError? {
        guard enabledPlugins.contains(plugin) else {
            return .refused("plugin_disabled", "plugin \(plugin) is not enabled in this configuration")
        }
        guard registry.kinds[Inbox.jobName(plugin: plugin, path: route)] != nil else {
            return .refused("webhook_not_declared", "plugin \(plugin) no longer declares the webhook \(route)")
        }
        return nil
    }

    /// Re-enqueues item `id`'s processing job; nil when the item does not exist. Throws
    /// `AdminError.refused` for a duplicate or an item `blocker` refuses.
    func replay(id: Int64, db: any SQLConnection) throws -> AdminQueries.ReplayResult? {
        guard let row = try db.query(AdminSQL.inboxForReplay, [.integer(id)]).first else { return nil }
        let plugin = try row.string("plugin")
        let route = try row.string("route")
        if try row.string("status") == "duplicate" {
            let original = try row.optionalInt("duplicate_of").map { "item \($0)" } ?? "an earlier item"
            throw AdminError.refused("duplicate_item", "inbox item \(id) is a duplicate of \(original); replay that one instead")
        }
        if let blocked = blocker(plugin: plugin, route: route) {
            throw AdminError(kind: blocked.kind, detail: "inbox item \(id) cannot be replayed: \(blocked.detail)")
        }
        if let queued = try Inbox.queuedJob(item: id, in: db) {
            return .init(id: id, outcome: .alreadyQueued(jobID: try queued.int("id"), status: try queued.string("status")))
        }
        try Inbox.enqueueProcessing(id: id, jobName: Inbox.jobName(plugin: plugin, path: route),
                                    queue: KernelJobQueue(registry: registry, clock: clock), db: db)
        guard let job = try db.query(AdminSQL.inboxJobID, [.integer(id)]).first?.optionalInt("job_id") else {
            throw StorageError(.other, "inbox item \(id): the replay enqueued no job")
        }
        return .init(id: id, outcome: .queued(jobID: job))
    }
}
