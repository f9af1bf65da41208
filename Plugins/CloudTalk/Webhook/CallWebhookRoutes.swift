import PluginAPI

/// `POST /cloudtalk/webhook` through the kernel's durable inbox: the shared token checked
/// first (`X-Switchboard-Token`, else `?token=`; CloudTalk's workflow can send only static
/// headers or a URL, and signs nothing), stored, answered 200, then processed as a job.
struct CallWebhookRoutes {
    let token: String
    let crypto: any CryptoProvider
    let processor: CallWebhookProcessor

    static let header = "x-switchboard-token"

    func register(_ registrar: any Registrar) {
        let tokenDigest = crypto.sha256(Array(token.utf8))
        let crypto = self.crypto
        let processor = self.processor
        registrar.webhook("/webhook", maxBody: 256 * 1024, verify: { request in
            // Compared as digests so neither the token's contents nor its length show in the timing.
            guard let presented = Self.presentedToken(request) else { return .reject(reason: "missing_token") }
            guard crypto.constantTimeEquals(crypto.sha256(Array(presented.utf8)), tokenDigest) else { return .reject(reason: "bad_token") }
            return .accept
        }, dedupeKey: { request in
            (try? CallPayload(body: request.body))?.dedupeKey
        }, process: { item in
            try await processor.process(item)
        })
    }

    /// The header when present, else the `token` query parameter; nil when neither is given.
    static func presentedToken(_ request: Request) -> String? {
        if let value = request.headers[header], !value.isEmpty { return value }
        if let value = request.queryItems["token"], !value.isEmpty { return value }
        return nil
    }
}
