import Foundation
import PluginAPI

/// `GET /metaflow/webhook` (Meta's verification handshake) and `POST /metaflow/webhook`
/// (events, through the kernel's durable inbox: signature checked first, stored, answered,
/// then processed as a job).
struct CloudWebhookRoutes {
    let appSecret: String
    let verifyToken: String
    let crypto: any CryptoProvider
    let processor: CloudWebhookProcessor

    func register(_ registrar: any Registrar) {
        let verifyToken = Array(self.verifyToken.utf8)
        let crypto = self.crypto
        registrar.route(.get, "/webhook", immediate: { request in
            let query = request.queryItems
            let presented = Array((query["hub.verify_token"] ?? "").utf8)
            // Compared as digests so neither the token's contents nor its length show in the timing.
            let matches = crypto.constantTimeEquals(crypto.sha256(presented), crypto.sha256(verifyToken))
            guard query["hub.mode"] == "subscribe", matches, let challenge = query["hub.challenge"] else {
                return .error(status: 403, code: "forbidden", message: "verification failed: wrong hub.mode or hub.verify_token")
            }
            return .text(challenge)
        })
        let secret = Array(appSecret.utf8)
        let processor = self.processor
        registrar.webhook("/webhook", maxBody: 3 * 1024 * 1024, verify: { request in
            if let failure = MetaSignature.check(request.headers["x-hub-signature-256"], body: request.body, secret: secret, crypto: crypto) {
                return .reject(reason: failure.rawValue)
            }
            return .accept
        }, dedupeKey: { request in
            CloudWebhookDedupe.key(body: request.body, crypto: crypto)
        }, process: { item in
            try await processor.process(item)
        })
    }
}

/// The dedupe key of a delivery: its message ids and (status id, status) pairs. Meta
/// redelivers the same batch for up to 7 days, so the same ids mean the same delivery.
enum CloudWebhookDedupe {
    static func key(body: [UInt8], crypto: any CryptoProvider) -> String? {
        guard let payload = try? JSONDecoder().decode(CloudWebhookPayload.self, from: Data(body)) else { return nil }
        var parts: [String] = []
        for change in (payload.entry ?? []).flatMap({ $0.changes ?? [] }) {
            for message in change.value?.messages ?? [] { if let id = message.id { parts.append("m:\(id)") } }
            for status in change.value?.statuses ?? [] {
                if let id = status.id { parts.append("s:\(id):\(status.status ?? "")") }
            }
        }
        guard !parts.isEmpty else { return nil }
        if parts.count == 1, parts[0].utf8.count <= 200 { return parts[0] }
        let digest = crypto.sha256(Array(parts.sorted().joined(separator: "\n").utf8))
        return "batch:" + digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
