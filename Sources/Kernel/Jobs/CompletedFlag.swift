import Synchronization

/// Set when a handler completed its job inside its own transaction (`JobContext.complete(in:)`,
/// `InboxItem.complete(in:)`), so whoever runs the handler does not record `.done` again.
/// Set inside that transaction, before its commit: a transaction that then rolls back makes
/// the handler throw, and a thrown error wins over the flag.
final class CompletedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
