import PluginAPI

/// The `whatsapp_cloud` channel: sends a delivery through the Graph API and classifies what
/// Meta answers (`GraphError`). On 131047 (the 24-hour window is closed) it sends the
/// message's template fallback instead, when the message has one. After a send it records
/// the wamid on the Flow's token and links the two keys for phone resolution.
struct CloudChannel: Sendable {
    static let id = "whatsapp_cloud"
    /// Meta's default throughput per business number.
    static let rateLimit = RateLimit(count: 80, window: .seconds(1))
    static let maxAttempts = 5

    let graph: GraphClient
    let store: any Store
    let phones: any Phones
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource

    func send(_ delivery: ChannelDelivery) async throws -> ChannelReceipt {
        let message = try CloudMessage(delivery.message)
        let wamid: String
        do {
            wamid = try await post(message, delivery: delivery)
        } catch {
            await recordFailure(error, delivery: delivery)
            throw error
        }
        await recordSent(wamid: wamid, flowToken: message.flowToken, delivery: delivery)
        return ChannelReceipt(providerID: wamid)
    }

    /// The message, or on 131047 its template fallback (a Flow with a configured template).
    private func post(_ message: CloudMessage, delivery: ChannelDelivery) async throws -> String {
        do {
            return try await graph.send(try CloudMessage.body(message.fields, to: delivery.to))
        } catch let error as GraphError where error.handling == .outsideWindow {
            guard let fallback = message.fallback else {
                throw GraphError(code: error.code, details: error.details, httpStatus: error.httpStatus, handling: .fail, retryAfter: nil)
            }
            log.info("outside the 24-hour window: sending the template instead", ["message_id": "\(delivery.messageID)"])
            metrics.increment("template_fallbacks")
            return try await graph.send(try CloudMessage.body(fallback, to: delivery.to))
        }
    }

    /// Alerts on token and permission errors; marks the token row failed when this was the
    /// last try (a permanent error, or the last attempt). A storage failure here is logged,
    /// not thrown: it must not turn a permanent refusal into a retry that sends again.
    private func recordFailure(_ error: any Error, delivery: ChannelDelivery) async {
        let graphError = error as? GraphError
        if graphError?.handling == .alert {
            // Every send fails until someone renews the token or grants the permission.
            log.error("graph refused the access token or its permissions: renew access_token or fix the app's permissions",
                      ["code": graphError?.code.map(String.init) ?? "", "details": graphError?.details ?? ""])
            metrics.increment("graph_auth_errors")
        }
        let retryable = (error as? any RetryAdvising)?.isRetryable ?? true
        guard !retryable || delivery.attempt >= Self.maxAttempts else { return }
        let reason = String("\(error)".prefix(500))
        let id = delivery.messageID
        do {
            try await store.write { try $0.execute(SendSQL.markFailed, [.integer(id), .text(reason)]) }
        } catch {
            log.error("recording a failed send failed", ["message_id": "\(id)", "error": "\(error)"])
        }
    }

    /// Meta has the message: a failure to record it must not make the job resend it, so it is logged, not thrown.
    private func recordSent(wamid: String, flowToken: String?, delivery: ChannelDelivery) async {
        let id = delivery.messageID
        let at = clock.nowMillis
        let phones = self.phones
        do {
            try await store.write { db in
                try db.execute(SendSQL.markSent, [.integer(id), .text(wamid), .integer(at)])
                // Replies refer to the wamid; the flow_token already knows the phone.
                if let flowToken { try phones.link(.waMessageID(wamid), .flowToken(flowToken), in: db) }
            }
        } catch {
            log.error("sent, but recording the wamid failed", ["message_id": "\(id)", "error": "\(error)"])
        }
    }
}
