import PluginAPI

/// Chatwoot CRM: signed webhooks that teach phones and log messages (API client, the
/// conversation-search strategy, reconciliation and CRM sync arrive with their parts).
///
/// Registers, when enabled: `POST /chatwoot/webhook` (verified with `webhook_secret` when set).
public struct ChatwootPlugin: Plugin {
    public static let id = "chatwoot"
    public static let summary = "Chatwoot CRM: signed webhook learning phones and logging messages"

    struct Config: Decodable {
        /// The webhook's secret (Chatwoot v4.11.2+); without it deliveries are not verified.
        var webhookSecret: String?

        enum CodingKeys: String, CodingKey {
            case webhookSecret = "webhook_secret"
        }
    }

    let context: any PluginContext
    let config: Config

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(Config.self)
        if config.webhookSecret?.isEmpty == true {
            throw ConfigError(path: "plugins.\(Self.id).config.webhook_secret", "must not be empty (leave it out to accept unsigned deliveries)")
        }
    }

    public func register(_ registrar: any Registrar) throws {
        ChatwootWebhook(secret: config.webhookSecret.map { Array($0.utf8) }, store: context.store, phones: context.phones,
                        channels: context.channels, clock: context.clock, crypto: context.crypto, log: context.log).register(registrar)
    }

    public func start() async throws {
        if config.webhookSecret == nil {
            context.log.warning("chatwoot webhook deliveries are not verified: set webhook_secret (Chatwoot v4.11.2+ signs them)")
        }
    }
}
