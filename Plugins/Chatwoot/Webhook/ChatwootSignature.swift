import PluginAPI

/// Chatwoot's webhook signature (v4.11.2+): `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
/// "<X-Chatwoot-Timestamp>.<raw body>")>`, checked in constant time, with the timestamp at most
/// five minutes off our clock (a captured delivery cannot be replayed later).
enum ChatwootSignature {
    static let maxSkewSeconds: Int64 = 300

    enum Failure: String {
        case missing = "missing X-Chatwoot-Signature or X-Chatwoot-Timestamp (webhook_secret is configured)"
        case malformed = "malformed X-Chatwoot-Signature (expected sha256=<64 hex digits>)"
        case stale = "X-Chatwoot-Timestamp is more than 5 minutes off"
        case mismatch = "X-Chatwoot-Signature does not match the body"
    }

    /// Nil when the request is signed with `secret` and recent, else why not.
    static func check(signature: String?, timestamp: String?, body: [UInt8], secret: [UInt8], nowSeconds: Int64,
                      crypto: any CryptoProvider) -> Failure? {
        guard let signature, let timestamp else { return .missing }
        let prefix = "sha256="
        guard signature.hasPrefix(prefix), let given = HexText.bytes(signature.dropFirst(prefix.count)), given.count == 32 else { return .malformed }
        guard let seconds = Int64(timestamp), abs(nowSeconds - seconds) <= maxSkewSeconds else { return .stale }
        let signed = Array(timestamp.utf8) + [UInt8(ascii: ".")] + body
        return crypto.constantTimeEquals(crypto.hmacSHA256(key: secret, data: signed), given) ? nil : .mismatch
    }
}
