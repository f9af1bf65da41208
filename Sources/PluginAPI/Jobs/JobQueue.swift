/// Enqueues durable jobs. Enqueue inside the caller's write transaction (`in:`) so the job
/// exists exactly when the caller's change does.
public protocol JobQueue: Sendable {
    /// Enqueues within a `Store.write` body. Throws when the job name is not registered.
    func enqueue(_ job: JobRequest, in connection: any SQLConnection) throws
}

extension JobQueue {
    /// Enqueues in a transaction of its own.
    public func enqueue(_ job: JobRequest, store: any Store) async throws {
        try await store.write { try self.enqueue(job, in: $0) }
    }
}

/// Publishes events: one delivery job per subscription, written in the publisher's
/// transaction; each delivery is retried on its own.
public protocol EventBus: Sendable {
    func publish(_ name: String, payload: String, in connection: any SQLConnection) throws
}

/// A published event as a subscriber receives it.
public struct Event: Sendable {
    public let id: Int64
    public let name: String
    /// JSON.
    public let payload: String
    /// Unix milliseconds.
    public let publishedAt: Int64
    /// Marks this delivery done in a transaction of the subscriber's.
    private let completion: (@Sendable (any SQLConnection) throws -> Void)?

    public init(id: Int64, name: String, payload: String, publishedAt: Int64,
                completion: (@Sendable (any SQLConnection) throws -> Void)? = nil) {
        self.id = id
        self.name = name
        self.payload = payload
        self.publishedAt = publishedAt
        self.completion = completion
    }

    /// Marks this delivery done inside the subscriber's own write transaction (see
    /// `JobContext.complete(in:)`): the subscriber's write and the delivery's completion
    /// commit together. Return `.done` afterwards. Does nothing on an event made by hand.
    public func complete(in db: any SQLConnection) throws {
        try completion?(db)
    }
}

/// Handles one delivery of an event to one subscriber; retried like any job.
public typealias EventHandler = @Sendable (Event) async throws -> JobOutcome
