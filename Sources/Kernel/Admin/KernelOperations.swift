import PluginAPI

/// `context.operations`: the inbox's and the job table's counts, for plugins that watch them.
struct KernelOperations: OperationsView {
    let store: any Store

    static let rejectionsSince = "SELECT COUNT(*) AS n FROM switchboard_inbox_rejections WHERE received_at >= $1"
    static let deadJobs = "SELECT COUNT(*) AS n FROM switchboard_jobs WHERE status = 'dead'"
    static let lastSeen = "SELECT plugin, MAX(received_at) AS at FROM switchboard_inbox GROUP BY plugin"

    func summary(rejectedSince: Int64) async throws -> OperationsSummary {
        try await store.read { db in
            let rejected = try db.query(Self.rejectionsSince, [.integer(rejectedSince)]).first?.int("n") ?? 0
            let dead = try db.query(Self.deadJobs, []).first?.int("n") ?? 0
            var lastSeen: [String: Int64] = [:]
            for row in try db.query(Self.lastSeen, []) {
                if let at = try row.optionalInt("at") { lastSeen[try row.string("plugin")] = at }
            }
            return OperationsSummary(rejectedSince: rejected, deadJobs: dead, lastSeen: lastSeen)
        }
    }
}
