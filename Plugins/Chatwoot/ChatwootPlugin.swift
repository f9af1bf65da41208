import PluginAPI

/// Chatwoot CRM: API client, conversation-search phone strategy, signed webhooks, CRM sync.
///
/// Not built yet: its issue lands the routes, webhooks, jobs and strategies. Until then it
/// accepts only an empty config and registers nothing, so enabling it changes nothing.
public struct ChatwootPlugin: Plugin {
    public static let id = "chatwoot"
    public static let summary = "Chatwoot CRM: API client, conversation-search phone strategy, signed webhooks, CRM sync (not implemented yet: registers nothing)"

    struct Config: Decodable {}

    public init(context: any PluginContext) throws {
        _ = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {}
}
