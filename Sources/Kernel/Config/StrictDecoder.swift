import PluginAPI

/// Decodes a `Decodable` type from a `JSONValue` the way config must be read: strictly.
///
/// - Every object key the type never asks for (through `decode`, `decodeIfPresent`,
///   `contains`, a nested container or `superDecoder(forKey:)`) is an error,
///   `<path>.<key>: unknown key`, reported for the first such key in document order.
/// - Every failure is a `ConfigError` naming the full dotted path
///   (`plugins.chatwoot.config.account_id: expected an integer, got a string`,
///   `phone.retry_schedule[2]: …`, `<path>.<key>: missing required key`).
/// - Integers decode only from JSON integers (range-checked: `out of range`); floating-point
///   types from any number; `Bool` only from `true`/`false`; `String` only from strings.
///   `URL` decodes from a string holding an absolute URL (Foundation's own `URL` decoding
///   expects an object, which no config file contains).
/// - `DecodingError`s a type throws from its own `init(from:)` become `ConfigError`s at their
///   path with their description; a `ConfigError` thrown with an empty path gets the value's path.
///   A string-backed enum given an unknown value says which values are valid, without
///   echoing the bad one (it may have come from a secret).
/// - `decodeNil` is true for `null`; `decodeIfPresent` returns nil for a missing key or `null`.
///
/// Error messages never contain string values from the document.
public struct StrictDecoder {
    /// Decodes `type` from `value`, whose own path is `path` (`plugins.chatwoot.config`; empty
    /// for a whole document). Pure: performs no I/O. Throws `ConfigError`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: String) throws -> T {
        let session = StrictDecodingSession(rootPath: path)
        let result = try session.decode(type, from: value, codingPath: [])
        // Only after a successful decode is it known which keys every type asked for.
        if let unknown = session.firstUnrequestedKey(in: value, at: []) {
            throw ConfigError(path: JSONPath.render(path, unknown), "unknown key")
        }
        return result
    }
}
