import PluginAPI

/// Wasender WhatsApp gateway: the wasender channel and its webhook.
///
/// Not built yet: its issue lands the routes, webhooks, jobs and strategies. Until then it
/// accepts only an empty config and registers nothing, so enabling it changes nothing.
public struct WasenderPlugin: Plugin {
    public static let id = "wasender"
    public static let summary = "Wasender WhatsApp gateway: the wasender channel and its webhook (not implemented yet: registers nothing)"

    struct Config: Decodable {}

    public init(context: any PluginContext) throws {
        _ = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {}
}
