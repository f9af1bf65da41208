import PluginAPI

/// Where the answers of a completed Flow go: the responses table, keyed by `flow_token`.
/// The webhook's `nfm_reply` delivers them for Flows without a data endpoint, and completes
/// responses the endpoint started.
protocol FlowAnswersSink: Sendable {
    /// Merges `answers` (a JSON object's text) into the response for `token`, creating it when
    /// new, marks it completed, and returns its phone-resolution subject. In the caller's transaction.
    func complete(token: String, answersJSON: String, in db: any SQLConnection) throws -> String
}
