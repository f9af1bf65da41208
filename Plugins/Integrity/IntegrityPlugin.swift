import PluginAPI

/// Capture rate, review queue, alerts and the live monitor.
///
/// Not built yet: its issue lands the routes, webhooks, jobs and strategies. Until then it
/// accepts only an empty config and registers nothing, so enabling it changes nothing.
public struct IntegrityPlugin: Plugin {
    public static let id = "integrity"
    public static let summary = "Capture rate, review queue, alerts and the live monitor (not implemented yet: registers nothing)"

    struct Config: Decodable {}

    public init(context: any PluginContext) throws {
        _ = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {}
}
