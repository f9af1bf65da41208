import PluginAPI

/// `plugins.wasender.config`. Every key is optional so the shipped `{}` stays valid: the
/// channel exists only with `base_url` and `api_key`, the webhook only with `webhook_secret`.
struct WasenderConfig: Decodable {
    /// `https://www.wasenderapi.com/api` for the hosted service.
    var baseURL: String?
    /// The session's API key (Bearer token). Never logged.
    var apiKey: String?
    /// What Wasender puts in `X-Webhook-Signature` (the secret itself, not an HMAC). Never logged.
    var webhookSecret: String?
    /// The account's send rate: `1/60s` on a trial, `256/60s` paid, `1/5s` with account protection.
    var rateLimit: RateLimit?

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case apiKey = "api_key"
        case webhookSecret = "webhook_secret"
        case rateLimit = "rate_limit"
    }

    /// The trial's limit when none is configured: too slow beats being refused (or banned).
    static let defaultRateLimit = RateLimit(count: 1, window: .seconds(60))

    /// Empty strings and half a channel (a URL without a key, or the reverse) are config errors,
    /// not a silently missing channel.
    func validate(root: String) throws {
        for (key, value) in [("base_url", baseURL), ("api_key", apiKey), ("webhook_secret", webhookSecret)] where value?.isEmpty == true {
            throw ConfigError(path: "\(root).\(key)", "must not be empty (leave it out instead)")
        }
        if baseURL != nil, apiKey == nil { throw ConfigError(path: "\(root).api_key", "required when base_url is set") }
        if apiKey != nil, baseURL == nil { throw ConfigError(path: "\(root).base_url", "required when api_key is set") }
        if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) {
            throw ConfigError(path: "\(root).base_url", "must be an http or https URL")
        }
    }
}
