import PluginAPI

/// `plugins.chatwoot.config`. Every key is optional so `{}` (the shipped, disabled entry) stays
/// valid; the API client and the strategy exist only when `base_url`, `account_id` and
/// `api_token` are all given, and giving some but not all is a config error.
struct ChatwootConfig: Decodable, Sendable {
    var baseURL: String?
    var accountID: Int?
    /// A *user* access token: Chatwoot refuses bot tokens for search, contacts and labels.
    var apiToken: String?
    /// Checks Chatwoot's webhook signatures (v4.11.2+); without it deliveries are not verified.
    var webhookSecret: String?
    /// How long the strategy remembers a flow_token's answer, hit or miss.
    var cacheTTL: ConfigDuration?
    /// How often reconciliation pages through recent conversations for what the webhook missed
    /// (default 2m; `0s` turns it off).
    var reconcileEvery: ConfigDuration?
    /// CRM sync of other channels' inbound messages into a WhatsApp inbox (`SyncConfig`).
    var sync: SyncConfig?

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case accountID = "account_id"
        case apiToken = "api_token"
        case webhookSecret = "webhook_secret"
        case cacheTTL = "cache_ttl"
        case reconcileEvery = "reconcile_every"
        case sync
    }

    static let path = "plugins.chatwoot.config"
    static let defaultCacheTTL = ConfigDuration.seconds(300)
    static let defaultReconcileEvery = ConfigDuration.seconds(120)

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
        let ttl = cacheTTL ?? Self.defaultCacheTTL
        guard ttl.milliseconds >= 0 else { throw ConfigError(path: "\(Self.path).cache_ttl", "expected a non-negative duration") }
        let reconcile = reconcileEvery ?? Self.defaultReconcileEvery
        guard reconcile.milliseconds == 0 || reconcile >= .seconds(10) else {
            throw ConfigError(path: "\(Self.path).reconcile_every", "expected at least 10s (or 0s to turn reconciliation off)")
        }
        return ChatwootAPIConfig(baseURL: trimmed, accountID: accountID, apiToken: apiToken, cacheTTL: ttl,
                                 reconcileEvery: reconcile.milliseconds == 0 ? nil : reconcile)
    }

    /// The validated CRM sync settings, nil when `sync` is absent or not enabled. Sync needs the
    /// API client: enabling it without `base_url`/`account_id`/`api_token` is a config error.
    func syncSettings() throws -> SyncSettings? {
        guard let sync else { return nil }
        let settings = try sync.validated(path: "\(Self.path).sync")
        guard settings.enabled else { return nil }
        guard baseURL != nil else {
            throw ConfigError(path: "\(Self.path).sync.enabled", "needs base_url, account_id and api_token (the API client)")
        }
        return settings
    }
}

/// The validated client settings.
struct ChatwootAPIConfig: Sendable {
    var baseURL: String
    var accountID: Int
    var apiToken: String
    var cacheTTL: ConfigDuration
    /// Nil when reconciliation is off.
    var reconcileEvery: ConfigDuration? = nil
}
