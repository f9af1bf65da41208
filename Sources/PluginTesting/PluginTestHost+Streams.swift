import FoundationEssentials
import PluginAPI
import Synchronization

extension PluginTestHost {
    /// Runs a streamed response's producer (`Response.stream`) in-process and returns the
    /// bytes it wrote until `done` says enough, the producer returns, or `timeout` passes; then
    /// the producer is cancelled and its writes fail, as when a client goes. A response without
    /// a stream gives its body.
    public static func readStream(_ response: Response, timeout: Duration = .seconds(5),
                           until done: @escaping @Sendable ([UInt8]) -> Bool) async throws -> [UInt8] {
        guard let stream = response.stream else { return response.body }
        let writer = CollectingStreamWriter(done: done)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await stream.producer(writer)
                } catch is ResponseStreamClosed {
                } catch is CancellationError {
                }
            }
            group.addTask {
                // Watches for `done` (or the timeout), then ends the group, which cancels the producer.
                let deadline = ContinuousClock.now + timeout
                while !writer.isClosed && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(5))
                }
                writer.close()
            }
            try await group.next()
            group.cancelAll()
        }
        return writer.bytes
    }

    /// The first `count` server-sent events of a stream (`id:`/`event:`/`data:` blocks;
    /// comments such as keep-alives are skipped), each as its text without the blank line.
    public static func readEvents(_ response: Response, count: Int, timeout: Duration = .seconds(5)) async throws -> [String] {
        let bytes = try await readStream(response, timeout: timeout) { events(in: $0).count >= count }
        return Array(Self.events(in: bytes).prefix(count))
    }

    /// Splits an event stream into its events, dropping comment-only blocks.
    public static func events(in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var blocks = text.components(separatedBy: "\n\n")
        blocks.removeLast()  // the unfinished tail (empty when the text ends with a blank line)
        return blocks.filter { block in block.split(separator: "\n").contains { !$0.hasPrefix(":") } }
    }
}

/// Collects a stream's writes; fails them once `done` is satisfied or it is closed.
final class CollectingStreamWriter: ResponseBodyWriter {
    private struct State {
        var bytes: [UInt8] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let done: @Sendable ([UInt8]) -> Bool

    init(done: @escaping @Sendable ([UInt8]) -> Bool) { self.done = done }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func close() { state.withLock { $0.closed = true } }

    func write(_ bytes: [UInt8]) async throws {
        try state.withLock { state in
            if state.closed { throw ResponseStreamClosed() }
            state.bytes += bytes
            if done(state.bytes) { state.closed = true }
        }
    }
}
