/// A read-only view of the kernel's operations, for plugins that watch them (Integrity): the
/// inbox's rejections, dead jobs and when each plugin's webhooks last received a request.
public protocol OperationsView: Sendable {
    /// The counts as of now. Reads only.
    func summary(rejectedSince: Int64) async throws -> OperationsSummary
}

/// What `OperationsView.summary` reports.
public struct OperationsSummary: Sendable, Equatable {
    /// Webhook requests that failed verification since the asked time.
    public var rejectedSince: Int64
    /// Jobs that exhausted their attempts (`dead`), all time until retried.
    public var deadJobs: Int64
    /// Per plugin id: when its webhooks last stored a request (Unix milliseconds). Plugins
    /// that never received one are absent.
    public var lastSeen: [String: Int64]

    public init(rejectedSince: Int64, deadJobs: Int64, lastSeen: [String: Int64]) {
        self.rejectedSince = rejectedSince
        self.deadJobs = deadJobs
        self.lastSeen = lastSeen
    }
}
