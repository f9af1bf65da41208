/// Log severity, in increasing order.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug, info, warning, error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses `debug`, `info`, `warning` (or `warn`), `error`.
    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }
}

/// Structured logging. Lines are JSON on stderr with time, level, message, plugin and
/// request id. Never pass a secret, a request body or a whole phone number at info level:
/// use `Mask.phone(_:)`.
public protocol Logger: Sendable {
    /// Writes one line when `level` is at or above the configured level.
    func log(_ level: LogLevel, _ message: String, _ fields: [String: String])
    /// Whether a level would be written; guard expensive field building with it.
    func isEnabled(_ level: LogLevel) -> Bool
}

extension Logger {
    public func debug(_ message: String, _ fields: [String: String] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: String] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: String] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: String] = [:]) { log(.error, message, fields) }
}

/// Masking helpers for log lines.
public enum Mask {
    /// Keeps the country code's first digits and the last two digits: `+212610059159` → `+2126••••59`.
    /// Short or odd inputs are masked whole.
    public static func phone(_ value: String) -> String {
        let chars = Array(value)
        guard chars.count >= 8 else { return String(repeating: "•", count: max(chars.count, 1)) }
        let head = chars.prefix(chars.first == "+" ? 5 : 4)
        return String(head) + "••••" + String(chars.suffix(2))
    }

    /// A secret shown only by its length: `[secret: 32 chars]`.
    public static func secret(_ value: String) -> String { "[secret: \(value.count) chars]" }
}
