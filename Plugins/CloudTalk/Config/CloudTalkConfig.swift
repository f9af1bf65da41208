import PluginAPI

/// `plugins.cloudtalk.config`. Every key is optional so `{}` stays valid: the webhook exists only
/// with `webhook_token`, enrichment from CloudTalk's API only with `api_key_id` and
/// `api_key_secret`, follow-ups only with `follow_up`.
struct CloudTalkConfig: Decodable {
    /// The shared token CloudTalk's workflow sends (`X-Switchboard-Token` or `?token=`). Never logged.
    var webhookToken: String?
    /// CloudTalk API key pair (Basic auth) for `GET /calls/{id}`. Never logged.
    var apiKeyID: String?
    var apiKeySecret: String?
    /// CloudTalk's API; `https://my.cloudtalk.io/api` unless a test points it at a fake.
    var baseURL: String?
    var followUp: FollowUpConfig?

    enum CodingKeys: String, CodingKey {
        case webhookToken = "webhook_token"
        case apiKeyID = "api_key_id"
        case apiKeySecret = "api_key_secret"
        case baseURL = "base_url"
        case followUp = "follow_up"
    }

    static let defaultBaseURL = "https://my.cloudtalk.io/api"

    /// CloudTalk allows 60 API operations a minute per company, shared by every key.
    static let apiRateLimit = RateLimit(count: 60, window: .seconds(60))
}

/// `follow_up`: what to send, through which channel, when, and how often.
struct FollowUpConfig: Decodable {
    /// A channel id another plugin registers: `wasender` or `whatsapp_cloud`.
    var channel: String
    /// How long after the call's webhook the message goes out.
    var delay: ConfigDuration?
    /// The text with `{placeholders}` naming call fields (`{agent_name}`); `{{` and `}}` are braces.
    var template: String
    /// At most one follow-up per phone within this window.
    var cooldown: ConfigDuration?
    /// How long after a follow-up a message from the same phone counts as its reply.
    var replyWindow: ConfigDuration?
    var rule: RuleConfig?

    enum CodingKeys: String, CodingKey {
        case channel, delay, template, cooldown, rule
        case replyWindow = "reply_window"
    }

    static let defaultDelay = ConfigDuration.seconds(30)
    static let defaultCooldown = ConfigDuration.seconds(24 * 3600)
    static let defaultReplyWindow = ConfigDuration.seconds(7 * 24 * 3600)
}

/// `follow_up.rule`: which ended calls get a follow-up. Every condition given must hold; with
/// none, any ended call with an external number does.
struct RuleConfig: Decodable {
    /// `incoming`, `outgoing` or `any` (default).
    var direction: String?
    /// `answered`, `missed` or `any` (default).
    var status: String?
    /// Only calls talked at least this long (implies answered).
    var minTalkTime: ConfigDuration?
    /// Only calls carrying at least one of these tags (case-insensitive).
    var tags: [String]?

    enum CodingKeys: String, CodingKey {
        case direction, status, tags
        case minTalkTime = "min_talk_time"
    }
}
