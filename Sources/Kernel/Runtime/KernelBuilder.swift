import Foundation
import PluginAPI

/// Boots the kernel's parts from a config: instantiates enabled plugins (config decoded
/// strictly, no I/O), collects their registrations and builds the router. Used by `serve`,
/// `check-config`, `plugins` and `PluginTesting` alike, so they agree on what a config means.
struct KernelBuilder {
    /// A plugin instance with what it registered.
    struct LoadedPlugin {
        let id: String
        let plugin: any Plugin
        let registrar: PluginRegistrar
    }

    /// Ids the kernel uses for its own paths; a plugin may not take them.
    static let reservedIDs: Set<String> = ["healthz", "readyz", "metrics", "admin", "api", "openapi", "static"]

    let config: SwitchboardConfig
    let pluginTypes: [any Plugin.Type]
    let log: JSONLogger
    let metrics: MetricsRegistry
    let clock: any TimeSource
    let crypto: any CryptoProvider
    /// One outbound client shared by every plugin (one thread, one connection pool).
    let http: any HTTPClient

    /// Checks the compiled-in plugin list: valid, unique, unreserved ids.
    static func validate(pluginTypes: [any Plugin.Type]) throws(BootError) {
        var seen: Set<String> = []
        for type in pluginTypes {
            let id = type.id
            guard PluginID.isValid(id) else { throw BootError("plugin id \"\(id)\" is invalid (expected [a-z][a-z0-9_]{0,31})") }
            guard !reservedIDs.contains(id) else { throw BootError("plugin id \"\(id)\" is reserved by the kernel") }
            guard seen.insert(id).inserted else { throw BootError("two compiled-in plugins share the id \"\(id)\"") }
        }
    }

    /// Instantiates and registers every enabled plugin, in the order of `pluginTypes`.
    func loadPlugins() throws -> [LoadedPlugin] {
        try Self.validate(pluginTypes: pluginTypes)
        var loaded: [LoadedPlugin] = []
        for type in pluginTypes {
            guard let entry = config.plugins[type.id], entry.enabled else { continue }
            let context = KernelPluginContext(pluginID: type.id, entry: entry, log: log.with(plugin: type.id), clock: clock,
                                              crypto: crypto, metrics: PluginMetrics(registry: metrics, prefix: "switchboard_\(type.id)_"),
                                              http: http)
            let plugin = try type.init(context: context)
            let registrar = PluginRegistrar(pluginID: type.id)
            do {
                try plugin.register(registrar)
            } catch {
                throw BootError("plugin \(type.id): register failed: \(error)")
            }
            if let problem = registrar.problems.first { throw BootError("plugin \(type.id): \(problem)") }
            loaded.append(LoadedPlugin(id: type.id, plugin: plugin, registrar: registrar))
        }
        return loaded
    }

    /// The router with the kernel's routes first, then every plugin's.
    func buildRouter(plugins: [LoadedPlugin], kernelRoutes: [(HTTPMethod, String, RouteHandler)]) throws(BootError) -> Router {
        let router = Router()
        do {
            for (method, path, handler) in kernelRoutes {
                try router.add(method, path, plugin: nil, maxBody: nil, handler: handler)
            }
            for loaded in plugins {
                for route in loaded.registrar.routes {
                    try router.add(route.method, route.pattern, plugin: loaded.id, maxBody: route.maxBody, handler: route.handler)
                }
            }
        } catch {
            throw BootError(error.description)
        }
        return router
    }
}

/// A problem that stops the kernel from booting (exit 2 from the CLI: it is the config's or
/// the build's, not the environment's).
struct BootError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
