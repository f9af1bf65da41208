import PluginAPI

/// The kernel's `HTTPClient`, on libcurl.
///
/// Transfers run on one dedicated thread that drives a `curl_multi` handle, so `send` never
/// blocks its caller (event loops included): it hands the request to that thread and
/// suspends until the transfer completes. The multi handle keeps a cache of open
/// connections, so requests to the same host reuse a connection (and HTTP/2 multiplexes).
/// The thread starts with the first request, so a client that is never used costs nothing.
///
/// Nothing is logged at info or above. At debug, one line per request with the method,
/// `scheme://host/path`, status (or error kind) and milliseconds: never headers, query
/// strings or bodies.
public final class CurlHTTPClient: HTTPClient {
    /// The defaults requests fall back on, and the connection pool's limits.
    public let configuration: Configuration
    private let loop: CurlMultiLoop

    /// A client with its own thread and connection pool (started on first use); performs no I/O.
    public init(configuration: Configuration = Configuration(), log: (any PluginAPI.Logger)? = nil) {
        self.configuration = configuration
        loop = CurlMultiLoop(configuration: configuration, log: log)
    }

    /// Stops the thread at once; see `close`.
    deinit { loop.stop() }

    /// Sends `request` and returns the final response whatever its status. Throws
    /// `OutboundHTTPError` for transport failures and `CancellationError` when the task is
    /// cancelled (the transfer is aborted).
    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let transfer = try CurlTransfer(request: request, configuration: configuration)
        try Task.checkCancellation()
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                if let problem = loop.submit(transfer) {
                    // The loop never saw this transfer, so resuming here is the only resume.
                    transfer.continuation = nil
                    continuation.resume(throwing: OutboundHTTPError(.other, request: request, problem))
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Stops the transfer thread: requests in flight fail with `.other` ("closed"), later
    /// `send`s throw the same, idle connections are closed. Waits (briefly) for the thread to
    /// exit. Idempotent; the kernel calls it after stopping the plugins.
    public func close() { loop.stop() }
}
