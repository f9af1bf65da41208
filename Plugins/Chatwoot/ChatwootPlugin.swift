import PluginAPI

/// Chatwoot CRM: API client, conversation-search phone strategy, signed webhooks, CRM sync.
///
/// So far, when enabled: `POST /chatwoot/webhook` (verified with `webhook_secret` when set), and,
/// when `base_url`, `account_id` and `api_token` are configured, the API client and the
/// `chatwoot.conversation_search` strategy. Reconciliation and CRM sync are not built yet.
public struct ChatwootPlugin: Plugin {
    public static let id = "chatwoot"
    public static let summary = "Chatwoot CRM: signed webhook, API client and conversation-search phone strategy (reconciliation and CRM sync not implemented yet)"

    let context: any PluginContext
    let config: ChatwootConfig
    let strategy: ConversationSearchStrategy?

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(ChatwootConfig.self)
        if config.webhookSecret?.isEmpty == true {
            throw ConfigError(path: "\(ChatwootConfig.path).webhook_secret", "must not be empty (leave it out to accept unsigned deliveries)")
        }
        if let api = try config.api() {
            strategy = ConversationSearchStrategy(client: ChatwootClient(config: api, http: context.http), phones: context.phones, ttl: api.cacheTTL)
        } else {
            strategy = nil
        }
    }

    public func register(_ registrar: any Registrar) throws {
        ChatwootWebhook(secret: config.webhookSecret.map { Array($0.utf8) }, store: context.store, phones: context.phones,
                        channels: context.channels, clock: context.clock, crypto: context.crypto, log: context.log).register(registrar)
        strategy?.register(registrar)
    }

    public func start() async throws {
        if config.webhookSecret == nil {
            context.log.warning("chatwoot webhook deliveries are not verified: set webhook_secret (Chatwoot v4.11.2+ signs them)")
        }
    }
}
