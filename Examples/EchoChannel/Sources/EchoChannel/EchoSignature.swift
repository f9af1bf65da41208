import PluginAPI

/// `X-Echo-Signature: sha256=<hex HMAC-SHA256(webhook_secret, raw body)>`, checked on the raw
/// bytes before anything is stored, in constant time.
struct EchoSignature: Sendable {
    let secret: [UInt8]
    let crypto: any CryptoProvider

    static let header = "X-Echo-Signature"

    func verify(_ request: Request) -> WebhookVerdict {
        guard let value = request.headers[Self.header] else { return .reject(reason: "missing \(Self.header)") }
        guard value.hasPrefix("sha256="), let given = HexText.bytes(value.dropFirst(7)) else {
            return .reject(reason: "malformed \(Self.header)")
        }
        let expected = crypto.hmacSHA256(key: secret, data: request.body)
        return crypto.constantTimeEquals(given, expected) ? .accept : .reject(reason: "wrong \(Self.header)")
    }
}
