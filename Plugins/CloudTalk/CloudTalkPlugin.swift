import PluginAPI

/// CloudTalk call centre: call-ended webhook, follow-ups over WhatsApp, reply tracking.
///
/// Not built yet: its issue lands the routes, webhooks, jobs and strategies. Until then it
/// accepts only an empty config and registers nothing, so enabling it changes nothing.
public struct CloudTalkPlugin: Plugin {
    public static let id = "cloudtalk"
    public static let summary = "CloudTalk call centre: call-ended webhook, follow-ups over WhatsApp, reply tracking (not implemented yet: registers nothing)"

    struct Config: Decodable {}

    public init(context: any PluginContext) throws {
        _ = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {}
}
