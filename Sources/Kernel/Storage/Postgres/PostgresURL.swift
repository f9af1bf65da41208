import PluginAPI

/// A `postgres://` (or `postgresql://`) URL as given in `storage.url`: the raw text for
/// libpq, a masked form for messages, and the secrets to scrub from anything libpq echoes.
///
/// libpq parses the URL itself (`postgres://user:pass@host:port/db?sslmode=…`); this type
/// only finds the password — in the user-info part or as a `password=` query parameter — so
/// that no message, log line or error ever shows it.
struct PostgresURL: Sendable, CustomStringConvertible {
    /// The URL exactly as configured; handed to libpq and never printed.
    let raw: String
    /// `postgres://user:***@host:port/db`: the password masked and the query dropped (it may
    /// hold `password=` too).
    let masked: String
    /// Every form of the password (percent-encoded and decoded) found in the URL.
    private let secrets: [String]

    /// Parses the parts needed for masking. Throws `.other` when the text is not a
    /// PostgreSQL URL, without echoing it (it may hold a password).
    init(_ text: String) throws(StorageError) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw StorageError(.other, "storage url must start with postgres:// or postgresql://")
        }
        let scheme = text[..<schemeEnd.lowerBound]
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw StorageError(.other, "storage url must start with postgres:// or postgresql://, not \(scheme)://")
        }
        raw = text
        let rest = text[schemeEnd.upperBound...]
        let queryStart = rest.firstIndex(of: "?")
        let beforeQuery = queryStart.map { rest[..<$0] } ?? rest
        let authorityEnd = beforeQuery.firstIndex(of: "/") ?? beforeQuery.endIndex
        let authority = beforeQuery[..<authorityEnd]
        let path = beforeQuery[authorityEnd...]

        var found: [String] = []
        var shownAuthority = String(authority)
        // The user info ends at the last `@` of the authority (a password may contain `@`
        // only percent-encoded, but be lenient about it).
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            let hosts = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = userInfo[..<colon]
                let password = String(userInfo[userInfo.index(after: colon)...])
                found.append(password)
                shownAuthority = "\(user):***@\(hosts)"
            }
        }
        if let queryStart {
            for pair in rest[rest.index(after: queryStart)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2, parts[0] == "password" { found.append(String(parts[1])) }
            }
        }
        // Also the decoded forms: libpq decodes before echoing a value in an error message.
        for secret in found { if let decoded = Self.percentDecoded(secret), decoded != secret { found.append(decoded) } }
        // Longest first, so a secret that contains another is replaced whole.
        secrets = found.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        masked = "\(scheme)://\(shownAuthority)\(path)"
    }

    var description: String { masked }

    /// `text` with every occurrence of the password replaced by `***`: for libpq messages,
    /// which may quote parts of the connection string.
    func redact(_ text: String) -> String {
        var out = text.replacingLiteral(raw, with: masked)
        for secret in secrets { out = out.replacingLiteral(secret, with: "***") }
        return out
    }

    /// `%XX` sequences decoded as UTF-8; nil when malformed.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = utf8.next().flatMap(PostgresValueCoding.hexNibble),
                  let low = utf8.next().flatMap(PostgresValueCoding.hexNibble) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
