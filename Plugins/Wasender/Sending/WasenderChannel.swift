import PluginAPI

/// The `wasender` channel: sends a delivery through `send-message` and returns Wasender's
/// `msgId` as the provider id (the kernel stores it in the message log). The rate limit is
/// the kernel queue's (`channel.wasender`), so it holds across instances.
struct WasenderChannel: Sendable {
    static let id = "wasender"
    static let maxAttempts = 5

    let client: WasenderClient
    let log: any Logger
    let metrics: any MetricsRecorder

    func send(_ delivery: ChannelDelivery) async throws -> ChannelReceipt {
        let body = try WasenderSendBody.encode(delivery.message, to: delivery.to)
        do {
            let id = try await client.send(body)
            metrics.increment("messages_sent")
            return ChannelReceipt(providerID: id)
        } catch let error as WasenderError {
            switch error.handling {
            case .alert:
                // Every send fails until someone fixes the key (or reconnects the session).
                log.error("wasender refused the api key: check plugins.wasender.config.api_key and the session",
                          ["status": "\(error.httpStatus)", "details": error.message])
                metrics.increment("auth_errors")
            case .retry where error.httpStatus == 429:
                log.info("wasender rate limit hit: waiting", ["message_id": "\(delivery.messageID)",
                                                              "retry_after_ms": "\(error.retryAfter?.milliseconds ?? 0)"])
                metrics.increment("rate_limited")
            case .retry, .fail:
                break
            }
            throw error
        }
    }
}
