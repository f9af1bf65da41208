import FoundationEssentials
import PluginAPI

/// Reads `plugins.json` strictly: every unknown key, wrong type or bad value is an error
/// naming its JSON path, and `${VAR}` references are resolved from the environment (or
/// `VAR_FILE`) in every section and in the `config` of enabled plugins only. Defaults come
/// from `SwitchboardConfig`. Validation only: binds nothing and touches no storage.
public enum ConfigLoader {
    /// Reads and validates the config file at `file`. The environment and the file reader are
    /// injected so tests and `check-config` control both; `readFile` also reads `*_FILE` secrets.
    /// Performs blocking file reads through `readFile` and nothing else.
    public static func load(
        file: String,
        environment: [String: String],
        knownPlugins: [String],
        readFile: (String) throws -> [UInt8] = FileReader.bytes(atPath:)
    ) throws(ConfigFileError) -> SwitchboardConfig {
        let bytes: [UInt8]
        do {
            bytes = try readFile(file)
        } catch {
            throw ConfigFileError(file: file, reason: .unreadable(String(describing: error)))
        }
        do {
            return try parse(bytes, environment: environment, knownPlugins: knownPlugins, readFile: readFile)
        } catch let error as JSONSyntaxError {
            throw ConfigFileError(file: file, reason: .syntax(error))
        } catch let error as ConfigError {
            throw ConfigFileError(file: file, reason: .invalid(error))
        } catch {
            // `parse` throws nothing else; kept total rather than trapping.
            throw ConfigFileError(file: file, reason: .invalid(ConfigError(path: "", String(describing: error))))
        }
    }

    /// Validates config text. Throws `JSONSyntaxError` when it is not strict JSON and
    /// `ConfigError` when it is not a valid config. `readFile` reads `*_FILE` secrets.
    public static func parse(
        _ bytes: [UInt8],
        environment: [String: String],
        knownPlugins: [String],
        readFile: (String) throws -> [UInt8] = FileReader.bytes(atPath:)
    ) throws -> SwitchboardConfig {
        let root = try JSONParser.parse(bytes)
        guard case .object(let sections) = root else {
            throw ConfigError(path: "", "expected an object at the top level, got \(root.kindDescription)")
        }
        // The resolver lives only for this call, so the caller's closure need not escape.
        return try withoutActuallyEscaping(readFile) { readFile in
            let substitution = EnvironmentSubstitution(environment: environment, readFile: readFile)
            var config = SwitchboardConfig()
            // Document order, so the first problem in the file is the one reported.
            for (key, value) in sections {
                switch key {
                case "server": config.server = try ServerSettings(loading: substitution.resolve(value, path: key), path: key)
                case "storage": config.storage = try StorageSettings(loading: substitution.resolve(value, path: key), path: key)
                case "admin": config.admin = try AdminSettings(loading: substitution.resolve(value, path: key), path: key)
                case "log": config.log = try LogSettings(loading: substitution.resolve(value, path: key), path: key)
                case "phone": config.phone = try PhoneSettings(loading: substitution.resolve(value, path: key), path: key)
                case "jobs": config.jobs = try JobsSettings(loading: substitution.resolve(value, path: key), path: key)
                case "plugins":
                    config.plugins = try PluginEntry.loadAll(value, path: key, knownPlugins: knownPlugins, substitution: substitution)
                default:
                    throw ConfigError(path: key, "unknown key")
                }
            }
            config.secrets = substitution.resolved.values
            return config
        }
    }

    /// The process environment, for `load(file:environment:knownPlugins:)` outside tests.
    public static func defaultEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment
    }
}
