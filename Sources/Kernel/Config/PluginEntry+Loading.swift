import PluginAPI

extension PluginEntry {
    /// Reads the `plugins` section: `<id>: {"enabled": bool, "config": {…}}` for built-in ids.
    /// Only enabled plugins' `config` is resolved, so a disabled plugin's missing secrets are
    /// no error; a disabled plugin keeps its config as written. Throws `ConfigError`.
    static func loadAll(
        _ value: JSONValue, path: String, knownPlugins: [String], substitution: EnvironmentSubstitution
    ) throws -> [String: PluginEntry] {
        guard case .object(let members) = value else {
            throw ConfigError(path: path, "expected an object, got \(value.kindDescription)")
        }
        let builtIn = knownPlugins.isEmpty ? "none are built in" : "built-in: " + knownPlugins.joined(separator: ", ")
        var entries: [String: PluginEntry] = [:]
        for member in members {
            let entryPath = JSONPath.appending(path, key: member.key)
            guard knownPlugins.contains(member.key) else {
                throw ConfigError(path: entryPath, "unknown plugin (\(builtIn))")
            }
            entries[member.key] = try PluginEntry(loading: member.value, path: entryPath, substitution: substitution)
        }
        return entries
    }

    /// Reads one `plugins.<id>` entry. Walked by hand because `config` is kept as JSON for the
    /// plugin to decode later, not decoded here.
    init(loading value: JSONValue, path: String, substitution: EnvironmentSubstitution) throws {
        guard case .object(let members) = value else {
            throw ConfigError(path: path, "expected an object, got \(value.kindDescription)")
        }
        var enabled: Bool?
        var config = JSONValue.object([])
        for member in members {
            let memberPath = JSONPath.appending(path, key: member.key)
            switch (member.key, member.value) {
            case ("enabled", .bool(let flag)):
                enabled = flag
            case ("enabled", let other):
                throw ConfigError(path: memberPath, "expected a boolean, got \(other.kindDescription)")
            case ("config", .object):
                config = member.value
            case ("config", .null):
                // `null` reads as absent, as `decodeIfPresent` does everywhere else.
                break
            case ("config", let other):
                throw ConfigError(path: memberPath, "expected an object, got \(other.kindDescription)")
            default:
                throw ConfigError(path: memberPath, "unknown key")
            }
        }
        guard let enabled else {
            throw ConfigError(path: JSONPath.appending(path, key: "enabled"), "missing required key")
        }
        if enabled {
            config = try substitution.resolve(config, path: JSONPath.appending(path, key: "config"))
        }
        self.init(enabled: enabled, config: config)
    }
}
