import PluginAPI

/// The operator's browser session: a stateless, expiring value MACed with a key derived from
/// `admin.token`, kept in the `sb_admin_session` cookie. It is never the token itself, needs no
/// table (any instance sharing the token accepts it), and every session dies when the token
/// changes. Format: `v1.<expires, Unix seconds>.<32 hex random>.<64 hex HMAC-SHA256>`, the MAC
/// over everything before its dot.
struct AdminSession: Sendable {
    static let cookieName = "sb_admin_session"
    static let version = "v1"
    /// Domain separation: the session key is not the token's digest used elsewhere.
    static let keyLabel = Array("switchboard admin session key v1".utf8)

    private let key: [UInt8]
    private let crypto: any CryptoProvider

    /// Nil without a configured token: no session can be made or accepted.
    init?(token: String?, crypto: any CryptoProvider) {
        guard let token else { return nil }
        key = crypto.hmacSHA256(key: crypto.sha256(Array(token.utf8)), data: Self.keyLabel)
        self.crypto = crypto
    }

    /// A new session value valid until `expiresAt` (Unix seconds).
    func mint(expiresAt: Int64) throws -> String {
        let nonce = Hex.encode(try crypto.randomBytes(16))
        let body = "\(Self.version).\(expiresAt).\(nonce)"
        return body + "." + Hex.encode(crypto.hmacSHA256(key: key, data: Array(body.utf8)))
    }

    /// Whether `value` is a session this key made that has not expired at `now` (Unix seconds).
    /// The MAC is compared in constant time before the expiry is believed.
    func isValid(_ value: String, now: Int64) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.version, parts[2].utf8.count == 32, parts[3].utf8.count == 64,
              let presented = HexText.bytes(parts[3]) else { return false }
        let body = "\(parts[0]).\(parts[1]).\(parts[2])"
        guard crypto.constantTimeEquals(crypto.hmacSHA256(key: key, data: Array(body.utf8)), presented) else { return false }
        guard let expiresAt = Int64(parts[1]) else { return false }
        return now < expiresAt
    }

    /// The value of cookie `name` in a request's `Cookie` headers, or nil.
    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for header in headers.values("cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingASCIIWhitespace()
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }
}

/// Lower-case hex of bytes (decoding is PluginAPI's `HexText`).
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
