/// An error that knows how the HTTP layer should answer it. Anything else thrown by a
/// handler becomes a 500 with a generic message (the details go to the log, not the client).
public protocol HTTPResponseError: Error {
    /// The HTTP status code to answer with.
    var status: Int { get }
    /// A stable, machine-readable code (`not_found`, `invalid_signature`).
    var code: String { get }
    /// A lower-case, human-readable message. Must never contain a secret or a whole phone number.
    var message: String { get }
}

/// A plain HTTP error value for handlers: `throw HTTPError(400, "bad_request", "missing field phone_number")`.
public struct HTTPError: HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status) \(code): \(message)" }
}

/// A configuration problem, always naming where it is: a JSON path
/// (`plugins.chatwoot.config.account_id`), and optionally the file.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The JSON path of the offending value, dotted, with `[n]` for array items.
    public var path: String
    /// What is wrong, lower-case (`unknown key`, `expected an integer`).
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
