import Foundation
import PluginAPI
import Synchronization
import Testing
@testable import Kernel

/// The inbox's group commit on its own, with a scripted writer: how it forms batches and what
/// each waiter gets back when a batch fails.
@Suite("inbox group commit")
struct InboxGroupCommitTests {
    static func item(_ n: Int) -> InboxGroupCommit.Item {
        InboxGroupCommit.Item(plugin: "p", route: "/p/hook", headers: "[]", body: Array("\(n)".utf8), receivedAt: Int64(n),
                              dedupeKey: "k\(n)", jobName: "p.webhook/hook", jobQueue: "default", maxAttempts: 5)
    }

    /// What the scripted writer saw.
    final class Record: Sendable {
        let batches = Mutex<[[Int64]]>([])
        /// Batches being written now, and the most at once.
        let running = Mutex<(now: Int, most: Int)>((0, 0))
    }

    @Test func waitersShareBatchesAndEachGetsItsOwnOutcome() async throws {
        let record = Record()
        let commit = InboxGroupCommit(maxBatch: 8, maxWriters: 2) { items in
            record.running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try await Task.sleep(nanoseconds: 2_000_000)  // a commit takes a while: others queue meanwhile
            record.running.withLock { $0.now -= 1 }
            record.batches.withLock { $0.append(items.map(\.receivedAt)) }
            // Odd items "had their dedupe key taken".
            return items.map { $0.receivedAt % 2 == 0 ? .stored($0.receivedAt * 10) : .storeAlone }
        }
        let outcomes = try await withThrowingTaskGroup(of: (Int, InboxGroupCommit.Outcome).self) { group in
            for n in 0..<100 { group.addTask { (n, try await commit.store(Self.item(n))) } }
            return try await group.reduce(into: [Int: InboxGroupCommit.Outcome]()) { $0[$1.0] = $1.1 }
        }
        for n in 0..<100 { #expect(outcomes[n] == (n % 2 == 0 ? .stored(Int64(n) * 10) : .storeAlone)) }
        let batches = record.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == (0..<100).map(Int64.init), "every item written exactly once")
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(batches.count < 100, "items that waited went together: \(batches.map(\.count))")
        #expect(record.running.withLock { $0.most } <= 2)
    }

    @Test func aLoneItemIsWrittenAtOnce() async throws {
        let commit = InboxGroupCommit { items in items.map { .stored($0.receivedAt) } }
        #expect(try await commit.store(Self.item(7)) == .stored(7))
        #expect(try await commit.store(Self.item(8)) == .stored(8))
    }

    @Test(arguments: [StorageError.Kind.constraint, .conflict, .other])
    func aBatchThatFailsLeavesEachItemToBeStoredAlone(kind: StorageError.Kind) async throws {
        let commit = InboxGroupCommit { _ in throw StorageError(kind, "rolled back") }
        #expect(try await commit.store(Self.item(1)) == .storeAlone)
    }

    @Test func unavailableStorageFailsEveryWaiter() async throws {
        let commit = InboxGroupCommit { _ in throw StorageError(.unavailable, "server down") }
        await #expect(throws: StorageError.self) { try await commit.store(Self.item(1)) }
        // The writer slot was given back: the next item is written (and fails) too, no hang.
        await #expect(throws: StorageError.self) { try await commit.store(Self.item(2)) }
    }

    @Test func aWriterReturningTheWrongCountLeavesEachItemToBeStoredAlone() async throws {
        let commit = InboxGroupCommit { _ in [] }
        #expect(try await commit.store(Self.item(1)) == .storeAlone)
    }
}
