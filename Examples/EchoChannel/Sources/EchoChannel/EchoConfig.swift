import PluginAPI

/// `plugins.echo.config`: where the provider is and the secrets to talk to it.
///
///     "echo": { "enabled": true, "config": {
///         "base_url": "https://api.echo.example", "api_key": "${ECHO_API_KEY}",
///         "webhook_secret": "${ECHO_WEBHOOK_SECRET}", "rate_limit": "10/1s" } }
struct EchoConfig: Decodable, Sendable {
    var baseURL: String
    var apiKey: String
    var webhookSecret: String
    var rateLimit: RateLimit?

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url", apiKey = "api_key", webhookSecret = "webhook_secret", rateLimit = "rate_limit"
    }

    /// Sends at most 10 a second unless told otherwise.
    static let defaultRateLimit = RateLimit(count: 10, window: .seconds(1))

    /// Checks what decoding cannot: an http(s) URL and secrets long enough to be secrets.
    func validate(root: String) throws {
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw ConfigError(path: "\(root).base_url", "expected an http:// or https:// URL")
        }
        guard webhookSecret.utf8.count >= 16 else {
            throw ConfigError(path: "\(root).webhook_secret", "must be at least 16 characters")
        }
        guard !apiKey.isEmpty else { throw ConfigError(path: "\(root).api_key", "must not be empty") }
    }
}
