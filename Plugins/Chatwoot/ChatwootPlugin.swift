import PluginAPI

/// Chatwoot CRM: API client, conversation-search phone strategy, signed webhooks, CRM sync.
///
/// So far: the API client and the `chatwoot.conversation_search` strategy, both only when
/// `base_url`, `account_id` and `api_token` are configured. `{}` registers nothing.
public struct ChatwootPlugin: Plugin {
    public static let id = "chatwoot"
    public static let summary = "Chatwoot CRM: API client and conversation-search phone strategy (webhooks and CRM sync not implemented yet)"

    let strategy: ConversationSearchStrategy?

    public init(context: any PluginContext) throws {
        let config = try context.config(ChatwootConfig.self)
        guard let api = try config.api() else {
            strategy = nil
            return
        }
        let client = ChatwootClient(config: api, http: context.http)
        strategy = ConversationSearchStrategy(client: client, phones: context.phones, ttl: api.cacheTTL)
    }

    public func register(_ registrar: any Registrar) throws {
        strategy?.register(registrar)
    }
}
