import PluginAPI

/// `plugins.chatwoot.config`. Every key is optional so `{}` (the shipped, disabled entry) stays
/// valid; the API client and the strategy exist only when `base_url`, `account_id` and
/// `api_token` are all given, and giving some but not all is a config error.
struct ChatwootConfig: Decodable, Sendable {
    var baseURL: String?
    var accountID: Int?
    /// A *user* access token: Chatwoot refuses bot tokens for search, contacts and labels.
    var apiToken: String?
    /// The WhatsApp inbox conversations are opened in (used by later parts of the plugin).
    var inboxID: Int?
    /// Checks Chatwoot's webhook signatures (v4.11.2+); without it deliveries are not verified.
    var webhookSecret: String?
    /// How long the strategy remembers a flow_token's answer, hit or miss.
    var cacheTTL: ConfigDuration?

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case accountID = "account_id"
        case apiToken = "api_token"
        case inboxID = "inbox_id"
        case webhookSecret = "webhook_secret"
        case cacheTTL = "cache_ttl"
    }

    static let path = "plugins.chatwoot.config"
    static let defaultCacheTTL = ConfigDuration.seconds(300)

    /// What the API client needs, or nil when the client is not configured at all.
    /// Throws a path-named `ConfigError` for a partial or malformed set.
    func api() throws -> ChatwootAPIConfig? {
        let given = [("base_url", baseURL != nil), ("account_id", accountID != nil), ("api_token", apiToken != nil)]
        guard given.contains(where: { $0.1 }) else { return nil }
        if let missing = given.first(where: { !$0.1 }) {
            throw ConfigError(path: "\(Self.path).\(missing.0)", "required when base_url, account_id or api_token is set (they come together)")
        }
        guard let baseURL, let accountID, let apiToken else { return nil }
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://"), trimmed.count > "https://".count else {
            throw ConfigError(path: "\(Self.path).base_url", "expected an absolute http or https url")
        }
        guard accountID > 0 else { throw ConfigError(path: "\(Self.path).account_id", "expected a positive integer") }
        // The message never echoes the token itself.
        guard !apiToken.isEmpty, !apiToken.contains(where: { $0.isWhitespace }) else {
            throw ConfigError(path: "\(Self.path).api_token", "expected a non-empty token without whitespace")
        }
        if let inboxID, inboxID <= 0 { throw ConfigError(path: "\(Self.path).inbox_id", "expected a positive integer") }
        let ttl = cacheTTL ?? Self.defaultCacheTTL
        guard ttl.milliseconds >= 0 else { throw ConfigError(path: "\(Self.path).cache_ttl", "expected a non-negative duration") }
        return ChatwootAPIConfig(baseURL: trimmed, accountID: accountID, apiToken: apiToken, cacheTTL: ttl)
    }
}

/// The validated client settings.
struct ChatwootAPIConfig: Sendable {
    var baseURL: String
    var accountID: Int
    var apiToken: String
    var cacheTTL: ConfigDuration
}
