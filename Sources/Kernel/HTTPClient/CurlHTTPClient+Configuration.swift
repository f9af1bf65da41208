import PluginAPI

extension CurlHTTPClient {
    /// Client-wide defaults (a request's own values win) and connection pool limits.
    public struct Configuration: Sendable {
        /// Establishing a connection, TCP and TLS.
        public var connectTimeout: ConfigDuration
        /// A whole exchange, including any wait for a free connection to the host.
        public var timeout: ConfigDuration
        /// The largest response body accepted.
        public var maxResponseBytes: Int
        /// Open connections per host at most (0: unlimited); requests beyond wait for one.
        public var maxConnectionsPerHost: Int
        /// Idle connections kept open for reuse, over all hosts.
        public var maxIdleConnections: Int
        /// Sent when a request sets no `User-Agent`.
        public var userAgent: String

        /// 5 s to connect, 30 s in all, 8 MiB bodies, 32 connections per host, 64 kept idle.
        public init(connectTimeout: ConfigDuration = .seconds(5), timeout: ConfigDuration = .seconds(30),
                    maxResponseBytes: Int = 8 * 1024 * 1024, maxConnectionsPerHost: Int = 32,
                    maxIdleConnections: Int = 64, userAgent: String = "switchboard/\(Switchboard.version)") {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxIdleConnections = maxIdleConnections
            self.userAgent = userAgent
        }
    }
}
