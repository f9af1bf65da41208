/// An integration: one identity, a strict config, and the things it registers.
///
/// Lifecycle (Caddy's): `init(context:)` decodes and validates config and performs no I/O;
/// `register(_:)` declares routes and other contributions and performs no I/O; `start()` begins
/// background work once the kernel is ready; `stop()` is called in reverse order on shutdown.
public protocol Plugin: Sendable {
    /// Lower-case, stable identity (`metaflow`). Prefixes the plugin's routes (`/metaflow/…`),
    /// tables, jobs, events and strategies. Never renamed.
    static var id: String { get }

    /// A one-line description shown by `switchboard plugins`.
    static var summary: String { get }

    /// Decodes and validates the plugin's own config through `context.config(_:)`; performs no I/O.
    init(context: any PluginContext) throws

    /// Declares everything the plugin contributes; performs no I/O and starts nothing.
    func register(_ registrar: any Registrar) throws

    /// Starts background work; called after every plugin registered and the server is ready.
    func start() async throws

    /// Stops background work; called in reverse start order on shutdown.
    func stop() async
}

extension Plugin {
    public static var summary: String { "" }
    public func start() async throws {}
    public func stop() async {}
}

/// Rules for plugin ids, shared by the kernel and plugin authors' tests.
public enum PluginID {
    /// `[a-z][a-z0-9_]{0,31}`: safe as a URL segment, a table prefix and a metric label.
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), id.utf8.count <= 32 else {
            return false
        }
        return id.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }
}
