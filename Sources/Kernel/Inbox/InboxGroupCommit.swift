import PluginAPI
import Synchronization

/// Group commit for the inbox on PostgreSQL: webhooks that arrive while a batch is being
/// written wait, and go together in the next batch, as one statement in one transaction.
///
/// Stored one at a time, each webhook cost PostgreSQL six round trips (`BEGIN`, the item, its
/// job, the job's link, `NOTIFY`, `COMMIT`), and the server's CPU went to the round trips rather
/// than to the rows: about 2,500 webhooks/s on two cores. In a batch, N webhooks cost four.
/// SQLite does not need this: its single writer already commits concurrent transactions together.
///
/// A webhook arriving when no batch is being written is written at once, on its own, so an idle
/// server adds no delay; batches form only under load, from what waited meanwhile. Each waiter
/// resumes only after its batch committed: the acknowledgement still follows the commit.
final class InboxGroupCommit: Sendable {
    /// One webhook to store, with its processing job's name, queue and attempts.
    struct Item: Sendable {
        let plugin: String
        let route: String
        let headers: String
        let body: [UInt8]
        let receivedAt: Int64
        let dedupeKey: String?
        let jobName: String
        let jobQueue: String
        let maxAttempts: Int
    }

    /// What a batch did with an item.
    enum Outcome: Sendable, Equatable {
        /// Stored, with its processing job: the item's id.
        case stored(Int64)
        /// Not stored by the batch: its dedupe key was taken, or the batch was rolled back for a
        /// reason other than storage being unavailable. The caller stores it on its own, which decides
        /// a duplicate or reports that item's own error without touching the others.
        case storeAlone
    }

    /// Writes one batch in one transaction; an outcome per item, in order.
    typealias Writer = @Sendable ([Item]) async throws -> [Outcome]

    /// What a waiting request is woken with: its batch's outcome, or the turn to write the
    /// next batch itself.
    private enum Turn: Sendable {
        case finished(Result<Outcome, any Error>)
        case lead
    }

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        /// Batches being written now.
        var writers = 0
    }

    /// Most items in one batch (one statement has 10 parameters per item).
    let maxBatch: Int
    /// Most batches written at once: a pool connection each. The rest of the pool stays free
    /// for the jobs that process what was stored.
    let maxWriters: Int
    private let write: Writer
    private let state = Mutex(State())

    init(maxBatch: Int = 64, maxWriters: Int = 2, write: @escaping Writer) {
        self.maxBatch = max(1, maxBatch)
        self.maxWriters = max(1, maxWriters)
        self.write = write
    }

    /// Stores `item` in the next batch; returns once that batch committed.
    ///
    /// The batch is written by one of the requests in it, in its own task: no task is started
    /// for it, so acknowledgements never wait for a free thread of the global pool (where a
    /// plugin's blocking work could hold them all; tests that block those threads hung with a
    /// task per batch). A request that finds a writer slot free leads at once; the others wait,
    /// and a leader that is done hands the slot to the oldest waiter, which writes itself and
    /// what waits behind it.
    func store(_ item: Item) async throws -> Outcome {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads = state.withLock { state -> Bool in
                if state.writers < maxWriters {
                    state.writers += 1
                    return true
                }
                state.waiting.append(Waiter(item: item, continuation: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .finished(let result):
            return try result.get()
        case .lead:
            let others = state.withLock { Self.take(&$0, upTo: maxBatch - 1) }
            defer { handOver() }
            let results = await run([item] + others.map(\.item))
            for (waiter, result) in zip(others, results.dropFirst()) { waiter.continuation.resume(returning: .finished(result)) }
            return try results[0].get()
        }
    }

    /// Gives the writer slot to the oldest waiter, or frees it when nobody waits.
    private func handOver() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.writers -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
    }

    /// One result per item, in order.
    private func run(_ items: [Item]) async -> [Result<Outcome, any Error>] {
        do {
            let outcomes = try await write(items)
            guard outcomes.count == items.count else {
                throw StorageError(.other, "inbox batch of \(items.count) returned \(outcomes.count) outcomes")
            }
            return outcomes.map { .success($0) }
        } catch let error as StorageError where error.kind == .unavailable {
            // Nothing was stored (or, at a lost COMMIT, maybe everything): each request answers
            // 503 and its provider redelivers; dedupe keys catch what did commit.
            return items.map { _ in .failure(error) }
        } catch {
            // The batch was rolled back: one item may have made the statement fail (a value
            // PostgreSQL refuses), or the transaction met a conflict. Each is stored on its own,
            // so the others still succeed and each request gets its own answer.
            return items.map { _ in .success(.storeAlone) }
        }
    }

    private static func take(_ state: inout State, upTo limit: Int) -> [Waiter] {
        let count = min(limit, state.waiting.count)
        let batch = Array(state.waiting.prefix(count))
        state.waiting.removeFirst(count)
        return batch
    }
}
