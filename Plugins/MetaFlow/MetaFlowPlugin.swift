import PluginAPI

/// WhatsApp Flows: encrypted data endpoint, Cloud API webhook and channel, Flow sending, survey responses.
///
/// Not built yet: its issue lands the routes, webhooks, jobs and strategies. Until then it
/// accepts only an empty config and registers nothing, so enabling it changes nothing.
public struct MetaFlowPlugin: Plugin {
    public static let id = "metaflow"
    public static let summary = "WhatsApp Flows: encrypted data endpoint, Cloud API webhook and channel, Flow sending, survey responses (not implemented yet: registers nothing)"

    struct Config: Decodable {}

    public init(context: any PluginContext) throws {
        _ = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {}
}
