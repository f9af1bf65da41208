import PluginAPI

/// `POST /wasender/webhook` through the kernel's durable inbox: the signature checked first,
/// stored, answered 200, then processed as a job.
struct WasenderWebhookRoutes {
    let secret: String
    let crypto: any CryptoProvider
    let processor: WasenderWebhookProcessor

    func register(_ registrar: any Registrar) {
        let secretDigest = crypto.sha256(Array(secret.utf8))
        let crypto = self.crypto
        let processor = self.processor
        registrar.webhook("/webhook", maxBody: 3 * 1024 * 1024, verify: { request in
            // `X-Webhook-Signature` is the secret itself (Wasender signs nothing). Compared as
            // digests so neither its contents nor its length show in the timing.
            guard let presented = request.headers["x-webhook-signature"], !presented.isEmpty else {
                return .reject(reason: "missing_signature")
            }
            guard crypto.constantTimeEquals(crypto.sha256(Array(presented.utf8)), secretDigest) else {
                return .reject(reason: "bad_signature")
            }
            return .accept
        }, dedupeKey: { request in
            WasenderWebhookDedupe.key(body: request.body, crypto: crypto)
        }, process: { item in
            try await processor.process(item)
        })
    }
}

/// The dedupe key of a delivery. Messages key on `key.id` alone, not on the event, because
/// `messages.received`, `messages.upsert` and `messages-personal.received` carry the same
/// message; statuses on (id, status). Nothing to dedupe on (a session event) means nil.
enum WasenderWebhookDedupe {
    static func key(body: [UInt8], crypto: any CryptoProvider) -> String? {
        guard let event = try? WasenderEvent(body: body) else { return nil }
        var parts: [String] = []
        switch event.kind {
        case .message:
            parts = event.messages.compactMap { $0.id.map { "m:\($0)" } }
        case .status:
            parts = event.statuses.map { "s:\($0.id):\($0.status)" }
        case .session, .other:
            return nil
        }
        guard !parts.isEmpty else { return nil }
        if parts.count == 1, parts[0].utf8.count <= 200 { return parts[0] }
        return "batch:" + crypto.sha256(Array(parts.sorted().joined(separator: "\n").utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
