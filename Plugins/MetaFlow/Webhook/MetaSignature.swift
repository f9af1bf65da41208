import PluginAPI

/// Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, checked in
/// constant time on the bytes as received (never re-serialised).
enum MetaSignature {
    enum Failure: String {
        case missing = "missing X-Hub-Signature-256"
        case malformed = "malformed X-Hub-Signature-256 (expected sha256=<64 hex digits>)"
        case mismatch = "X-Hub-Signature-256 does not match the body"
    }

    /// Nil when the header signs the body with `secret`, else why not.
    static func check(_ header: String?, body: [UInt8], secret: [UInt8], crypto: any CryptoProvider) -> Failure? {
        guard let header else { return .missing }
        let prefix = "sha256="
        guard header.hasPrefix(prefix), let given = HexText.bytes(header.dropFirst(prefix.count)), given.count == 32 else { return .malformed }
        return crypto.constantTimeEquals(crypto.hmacSHA256(key: secret, data: body), given) ? nil : .mismatch
    }
}
