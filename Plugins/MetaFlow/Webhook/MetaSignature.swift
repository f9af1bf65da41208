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
        guard header.hasPrefix(prefix), let given = hexBytes(header.dropFirst(prefix.count)), given.count == 32 else { return .malformed }
        return crypto.constantTimeEquals(crypto.hmacSHA256(key: secret, data: body), given) ? nil : .mismatch
    }

    /// Lower- or upper-case hex to bytes; nil for anything else.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
