/// Writes the body of a streamed response (`Response.stream`). The kernel sends each `write`
/// as one chunk of chunked transfer coding and makes the producer wait while the client reads
/// slowly, so a stream never buffers more than a bounded amount.
public protocol ResponseBodyWriter: Sendable {
    /// Sends `bytes` (nothing for an empty array). Throws `ResponseStreamClosed` once the
    /// client has gone or the server is shutting down: the producer should then return.
    func write(_ bytes: [UInt8]) async throws
}

extension ResponseBodyWriter {
    /// Sends UTF-8 text.
    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }
}

/// The stream's client is gone (or the server is stopping); nothing more can be written.
public struct ResponseStreamClosed: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "the response stream is closed" }
}

/// Produces a streamed body: runs until it returns or throws; the kernel then ends the body.
/// It is cancelled (`Task.isCancelled`) when the client goes or the server shuts down.
public typealias ResponseStreamProducer = @Sendable (any ResponseBodyWriter) async throws -> Void

/// The body of a streamed response, produced after the head has been sent.
public struct ResponseStream: Sendable {
    public let producer: ResponseStreamProducer
    public init(_ producer: @escaping ResponseStreamProducer) { self.producer = producer }
}

extension Response {
    /// A response whose body is written over time by `producer` (server-sent events, long
    /// exports), sent with chunked transfer coding (to HTTP/1.0 clients: until the connection
    /// closes). A HEAD request gets the head only and the producer does not run.
    public static func stream(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(),
                              _ producer: @escaping ResponseStreamProducer) -> Response {
        var response = Response(status: status, headers: headers)
        response.stream = ResponseStream(producer)
        return response
    }
}
