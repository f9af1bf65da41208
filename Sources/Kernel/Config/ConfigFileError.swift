import PluginAPI

/// A config file that could not be used, naming the file and what is wrong in it:
/// `plugins.json: plugins.chatwoot.config.acount_id: unknown key`,
/// `plugins.json: line 3, column 14: expected ',' or '}'`,
/// `plugins.json: cannot read file: No such file or directory`.
public struct ConfigFileError: Error, Equatable, CustomStringConvertible {
    /// What went wrong with the file.
    public enum Reason: Sendable, Equatable {
        /// The file could not be read; the system's reason (`No such file or directory`).
        case unreadable(String)
        /// The file is not strict JSON.
        case syntax(JSONSyntaxError)
        /// The file is JSON but not a valid config (including unresolvable `${VAR}`s).
        case invalid(ConfigError)
    }

    /// The file's path, as it was given.
    public var file: String
    /// What went wrong.
    public var reason: Reason

    /// An error about `file`.
    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    /// `<file>: <what is wrong>`, one line for stderr.
    public var description: String {
        switch reason {
        case .unreadable(let why): "\(file): cannot read file: \(why)"
        case .syntax(let error): "\(file): \(error)"
        case .invalid(let error): "\(file): \(error)"
        }
    }
}
