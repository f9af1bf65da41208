/// The verdict of a webhook's signature check, made on the raw body before anything is stored.
public enum WebhookVerdict: Sendable, Equatable {
    case accept
    /// Answered 401; nothing stored; a rejection record (no body) is kept and counted.
    case reject(reason: String)
}

/// Checks a webhook's signature. Compare secrets with `CryptoProvider.constantTimeEquals`.
public typealias WebhookVerifier = @Sendable (Request) -> WebhookVerdict

/// The key that makes a redelivery a duplicate (Meta's message id, Chatwoot's delivery id),
/// or nil when the request has none (then every delivery is processed).
public typealias DedupeKeyExtractor = @Sendable (Request) -> String?

/// A stored webhook request, as its processor receives it.
public struct InboxItem: Sendable {
    public let id: Int64
    public let plugin: String
    public let route: String
    /// Headers as received, minus the ones that carry secrets.
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// Unix milliseconds.
    public let receivedAt: Int64
    public let dedupeKey: String?
    /// Marks the item processed and its job done in a transaction of the processor's.
    private let completion: (@Sendable (any SQLConnection) throws -> Void)?

    public init(id: Int64, plugin: String, route: String, headers: HTTPHeaders, body: [UInt8], receivedAt: Int64, dedupeKey: String?,
                completion: (@Sendable (any SQLConnection) throws -> Void)? = nil) {
        self.id = id
        self.plugin = plugin
        self.route = route
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
        self.dedupeKey = dedupeKey
        self.completion = completion
    }

    /// Marks this item processed, and its processing job done, inside the processor's own
    /// (last) write transaction: what the processor stored and the item's status commit
    /// together, and the kernel saves the transaction it would spend on both. Return `.done`
    /// afterwards. Optional: a processor that does not call it is marked processed after it
    /// returns `.done`, as before. Does nothing on an item made by hand.
    public func complete(in db: any SQLConnection) throws {
        try completion?(db)
    }
}

/// Processes a stored webhook; runs as a job (retried, then `dead` and replayable).
public typealias WebhookProcessor = @Sendable (InboxItem) async throws -> JobOutcome
