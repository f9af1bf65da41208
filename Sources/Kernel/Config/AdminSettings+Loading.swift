import PluginAPI

extension AdminSettings {
    /// The shortest admin token accepted: long enough that guessing it over HTTP is hopeless.
    static let minimumTokenLength = 16

    /// Reads the `admin` section. The token is never quoted in errors. Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(AdminFile.self, from: value, path: path)
        if let token = file.token {
            guard token.count >= Self.minimumTokenLength else {
                throw ConfigError(path: JSONPath.appending(path, key: AdminFile.CodingKeys.token.rawValue), "must be at least \(Self.minimumTokenLength) characters")
            }
            self.token = token
        }
        if let ttl = file.sessionTTL {
            guard ttl.milliseconds >= 60_000, ttl.milliseconds <= 30 * 86_400_000 else {
                throw ConfigError(path: JSONPath.appending(path, key: AdminFile.CodingKeys.sessionTTL.rawValue), "expected 1m…30d")
            }
            sessionTTL = ttl
        }
        secureCookie = file.secureCookie
    }
}

/// `admin` as written.
private struct AdminFile: Decodable {
    var token: String?
    var sessionTTL: ConfigDuration?
    var secureCookie: Bool?

    enum CodingKeys: String, CodingKey {
        case token
        case sessionTTL = "session_ttl"
        case secureCookie = "secure_cookie"
    }
}
