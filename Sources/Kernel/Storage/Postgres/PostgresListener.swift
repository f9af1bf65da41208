import CShims
import Glibc
import PluginAPI
import Synchronization

/// LISTEN on a connection and thread of its own.
///
/// The thread waits in `poll()` on the connection's socket and an eventfd (so new channels
/// and `stop` are noticed at once, with a timeout as a safety net), reads with
/// `PQconsumeInput` and hands each notification to the channel's handlers. When the
/// connection breaks it reconnects with the same backoff as the pool and LISTENs again on
/// every channel. Notifications sent while it was disconnected are lost (PostgreSQL keeps
/// none for absent listeners): use them as wake-ups and hints, with polling as the floor.
final class PostgresListener: Sendable {
    /// Called on the listener thread, in the order the server sent: keep it short and
    /// hand real work elsewhere.
    typealias Handler = @Sendable (String) -> Void

    private struct Request {
        let channel: String
        let handler: Handler
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// Channels whose LISTEN succeeded at least once, with their handlers.
        var handlers: [String: [Handler]] = [:]
        var requests: [Request] = []
        var stopping = false
    }

    /// The `poll()` timeout: how late, at worst, a missed wake-up is noticed.
    static let pollMilliseconds: Int32 = 500

    private let url: PostgresURL
    private let state = Mutex(State())
    private let wakeFD: Int32

    init(url: PostgresURL) throws(StorageError) {
        let fd = cshims_eventfd()
        guard fd >= 0 else { throw StorageError(.other, "cannot create an eventfd for the postgres listener (errno \(cshims_errno()))") }
        self.url = url
        wakeFD = fd
    }

    deinit {
        // Here, not when the thread ends: `stop` may still signal the fd after the thread saw
        // the flag, and a closed (or reused) fd must never be written to.
        _ = cshims_close(wakeFD)
    }

    /// `[a-z_][a-z0-9_]*`, at most 63 bytes (PostgreSQL's identifier limit): safe to put in
    /// `LISTEN "…"` and the same with or without quotes.
    static func validate(channel: String) throws(StorageError) {
        let bytes = Array(channel.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 63 && bytes.enumerated().allSatisfy { index, c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || c == UInt8(ascii: "_")
                || (index > 0 && c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        guard valid else { throw StorageError(.schema, "invalid notification channel name (expected [a-z_][a-z0-9_]*, at most 63 bytes)") }
    }

    /// Starts the thread; `onExit` runs on it when it ends (and not at all when it could not
    /// be started, which throws).
    func start(onExit: @escaping @Sendable () -> Void) throws(StorageError) {
        do throws(KernelThread.StartError) {
            try KernelThread.spawn(name: "sb-pg-listen") { [self] in
                run()
                onExit()
            }
        } catch {
            throw StorageError(.other, "\(error)")
        }
    }

    /// Registers `handler` for `channel` once LISTEN has run on the server, so a NOTIFY
    /// committed after this returns is delivered. Throws `.unavailable` (and registers
    /// nothing) when the listener cannot reach the server right now.
    func listen(channel: String, handler: @escaping Handler) async throws {
        try Self.validate(channel: channel)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { s in
                guard !s.stopping else { return false }
                s.requests.append(Request(channel: channel, handler: handler, continuation: continuation))
                return true
            }
            if accepted {
                wake()
            } else {
                continuation.resume(throwing: StorageError(.unavailable, "postgres store is closed"))
            }
        }
    }

    /// Asks the thread to end; it closes its connection and fails waiting `listen` calls.
    func stop() {
        state.withLock { $0.stopping = true }
        wake()
    }

    private func wake() { _ = cshims_eventfd_signal(wakeFD) }

    // MARK: - the thread

    private func run() {
        let backoff = PostgresBackoff()
        var connection: PostgresConnection?
        /// Channels LISTENed on the current connection.
        var listening: Set<String> = []
        while true {
            // 1. take new requests, or stop
            let (stopping, requests, wanted) = state.withLock { s in
                let taken = s.requests
                s.requests = []
                return (s.stopping, taken, Set(s.handlers.keys))
            }
            if stopping {
                for request in requests { request.continuation.resume(throwing: StorageError(.unavailable, "postgres store is closed")) }
                break
            }

            // 2. connect when needed and allowed
            var failure: StorageError?
            var fresh = false
            var foundDead = false
            if connection == nil {
                do throws(StorageError) {
                    try backoff.checkAttempt()
                    do throws(StorageError) {
                        connection = try PostgresConnection(url: url)
                    } catch {
                        backoff.failed(error)
                        throw error
                    }
                    backoff.succeeded()
                    fresh = true
                    listening = []
                } catch {
                    failure = error
                }
            }

            // 3. LISTEN on every channel not yet listened on this connection: all of them
            //    after a reconnect, plus the new requests
            if let open = connection {
                for channel in wanted.union(requests.map(\.channel)).sorted() where !listening.contains(channel) {
                    do throws(StorageError) {
                        try open.command("LISTEN \"\(channel)\"")
                        listening.insert(channel)
                    } catch {
                        failure = error
                        if !open.isUsable {
                            connection = nil
                            listening = []
                            foundDead = !fresh
                            break
                        }
                    }
                }
            }

            // 4. answer the requests. An idle connection found dead by the LISTEN gets one
            //    reconnect first (as a pool connection does at BEGIN): those wait a turn.
            var deferred: [Request] = []
            for request in requests {
                if listening.contains(request.channel) {
                    state.withLock { $0.handlers[request.channel, default: []].append(request.handler) }
                    request.continuation.resume()
                } else if foundDead {
                    deferred.append(request)
                } else {
                    request.continuation.resume(throwing: failure ?? StorageError(.unavailable, "postgres listener is not connected"))
                }
            }
            if !deferred.isEmpty { state.withLock { $0.requests.insert(contentsOf: deferred, at: 0) } }

            // 5. deliver what is buffered (a LISTEN may have read some), wait, read, deliver
            deliver(from: connection)
            if waitForInput(on: connection, backoff: backoff), let open = connection {
                do throws(StorageError) {
                    try open.consumeInput()
                } catch {
                    // The server went away; the next turn reconnects (at once, then backing off).
                    connection = nil
                    listening = []
                }
            }
            deliver(from: connection)
        }
    }

    /// Waits for the socket, a wake-up or the timeout; true when the socket is readable.
    private func waitForInput(on connection: PostgresConnection?, backoff: PostgresBackoff) -> Bool {
        var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        var timeout = Self.pollMilliseconds
        if let connection {
            fds.append(pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0))
        } else {
            // Disconnected: sleep until the next attempt is due (bounded, so `stop` is seen).
            let wait = backoff.remainingWait() / 1_000_000
            timeout = Int32(clamping: max(1, min(UInt64(Self.pollMilliseconds), wait)))
        }
        let ready = fds.withUnsafeMutableBufferPointer { buffer in
            poll(buffer.baseAddress, nfds_t(buffer.count), timeout)
        }
        guard ready > 0 else { return false }
        if fds[0].revents != 0 { _ = cshims_eventfd_drain(wakeFD) }
        return fds.count > 1 && fds[1].revents != 0
    }

    private func deliver(from connection: PostgresConnection?) {
        guard let connection else { return }
        while let notification = connection.nextNotification() {
            let handlers = state.withLock { $0.handlers[notification.channel] ?? [] }
            for handler in handlers { handler(notification.payload) }
        }
    }
}
