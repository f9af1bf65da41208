import PluginAPI

extension ServerSettings {
    /// Reads the `server` section over the defaults. `value` has had `${VAR}` resolved;
    /// `path` is the section's path (`server`). Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(ServerFile.self, from: value, path: path)
        func error(_ key: ServerFile.CodingKeys, _ message: String) -> ConfigError {
            ConfigError(path: JSONPath.appending(path, key: key.rawValue), message)
        }
        if let host = file.host {
            guard IPAddressLiteral.isValid(host) else {
                throw error(.host, "expected an IPv4 or IPv6 address literal (like 127.0.0.1, 0.0.0.0 or ::1), not a host name")
            }
            self.host = host
        }
        if let port = file.port {
            guard (0...65535).contains(port) else { throw error(.port, "must be between 0 and 65535") }
            self.port = port
        }
        if let eventLoops = file.eventLoops {
            guard (1...64).contains(eventLoops) else { throw error(.eventLoops, "must be between 1 and 64") }
            self.eventLoops = eventLoops
        }
        if let maxConnections = file.maxConnections {
            guard maxConnections >= 1 else { throw error(.maxConnections, "must be at least 1") }
            self.maxConnections = maxConnections
        }
        if let maxBody = file.maxBody {
            guard maxBody >= 0 else { throw error(.maxBody, "must not be negative") }
            self.maxBody = maxBody
        }
        headerTimeout = file.headerTimeout ?? headerTimeout
        bodyTimeout = file.bodyTimeout ?? bodyTimeout
        keepAliveTimeout = file.keepAliveTimeout ?? keepAliveTimeout
        shutdownGrace = file.shutdownGrace ?? shutdownGrace
    }
}

/// `server` as written: every key optional, so absent keys keep `ServerSettings`' defaults.
private struct ServerFile: Decodable {
    var host: String?
    var port: Int?
    var eventLoops: Int?
    var maxConnections: Int?
    var headerTimeout: ConfigDuration?
    var bodyTimeout: ConfigDuration?
    var keepAliveTimeout: ConfigDuration?
    var shutdownGrace: ConfigDuration?
    var maxBody: Int?

    enum CodingKeys: String, CodingKey {
        case host
        case port
        case eventLoops = "event_loops"
        case maxConnections = "max_connections"
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case keepAliveTimeout = "keep_alive_timeout"
        case shutdownGrace = "shutdown_grace"
        case maxBody = "max_body"
    }
}
