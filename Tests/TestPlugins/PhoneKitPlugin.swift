import Foundation
import PluginAPI

/// Phone strategies with scripted behaviour, for the resolution tests. Each answers from the
/// key alone, so tests need no shared state:
///
/// - `directory` (observed): a key whose value is `dir-<digits>` belongs to `+<digits>`;
/// - `slow` (observed, timeout `slow_timeout_ms`): never answers in time;
/// - `broken` (observed): always throws;
/// - `token_pattern` (pattern): a flow_token `deepal-<digits>-<anything>` names `+<digits>`.
///
/// `config.strategies` picks which are registered (in that order). The subscriber records
/// `phone.*` events in `phonekit_events`, as an owning plugin would update its records.
public struct PhoneKitPlugin: Plugin {
    public static let id = "phonekit"

    struct Config: Decodable {
        var strategies: [String]
        var slowTimeoutMS: Int64?

        enum CodingKeys: String, CodingKey {
            case strategies
            case slowTimeoutMS = "slow_timeout_ms"
        }
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String { "directory offline" }
    }

    let context: any PluginContext
    let config: Config

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(Config.self)
    }

    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, "CREATE TABLE phonekit_events (id {{id}}, name TEXT NOT NULL, payload TEXT NOT NULL);")
        let phones = context.phones
        for name in config.strategies {
            switch name {
            case "directory":
                registrar.phoneStrategy("directory", kind: .observed) { lookup in
                    for key in lookup.linkedKeys where key.value.hasPrefix("dir-") {
                        return try phones.normalize("+" + key.value.dropFirst(4), region: nil)
                    }
                    return nil
                }
            case "slow":
                registrar.phoneStrategy("slow", kind: .observed, timeout: ConfigDuration(milliseconds: config.slowTimeoutMS ?? 100)) { _ in
                    try await Task.sleep(nanoseconds: 30_000_000_000)
                    return nil
                }
            case "broken":
                registrar.phoneStrategy("broken") { _ in throw Refusal() }
            case "token_pattern":
                registrar.phoneStrategy("token_pattern", kind: .pattern) { lookup in
                    for key in lookup.linkedKeys where key.kind == .flowToken && key.value.hasPrefix("deepal-") {
                        let parts = key.value.split(separator: "-")
                        if parts.count >= 3 { return try? phones.normalize("+" + parts[1], region: nil) }
                    }
                    return nil
                }
            default:
                throw ConfigError(path: "plugins.phonekit.config.strategies", "unknown strategy \(name)")
            }
        }
        let store = context.store
        for event in ["phone.resolved", "phone.conflict", "phone.unresolved"] {
            registrar.subscribe(event) { event in
                try await store.write { try $0.execute("INSERT INTO phonekit_events (name, payload) VALUES ($1, $2)", event.name, event.payload) }
                return .done
            }
        }
    }
}
