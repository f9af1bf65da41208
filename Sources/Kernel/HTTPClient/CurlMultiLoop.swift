import CCurl
import CCurlShim
import CShims
import Dispatch
import Glibc
import PluginAPI

/// The thread behind `CurlHTTPClient`: owns a `curl_multi` handle and runs every transfer on
/// it. Other threads only append to an inbox under a lock and call `curl_multi_wakeup`,
/// which is the one multi call libcurl allows from another thread.
///
/// Each turn: take new and cancelled transfers, `curl_multi_perform`, complete finished
/// transfers, then `curl_multi_poll` until a socket is ready, a libcurl timer is due, or a
/// wakeup arrives.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Phase { case idle, running, stopping, stopped }

    /// Longest sleep in `curl_multi_poll`; libcurl shortens it to its own next timer.
    private static let pollCeilingMs: Int32 = 1000
    /// Easy handles kept for reuse after their transfer, beyond those in flight.
    private static let spareHandles = 16

    private let configuration: CurlHTTPClient.Configuration
    private let log: (any PluginAPI.Logger)?

    // Shared state, behind `condition`.
    private let condition = ThreadCondition()
    private var phase = Phase.idle
    /// Valid while `phase` is running or stopping; other threads touch it only to wake the
    /// loop, under the lock, while running (the loop cleans it up only after leaving running).
    private var multi: UnsafeMutableRawPointer?
    private var inbox: [CurlTransfer] = []
    private var cancellations: [CurlTransfer] = []
    private var loopThread: pthread_t?

    // Loop-thread state.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var spare: [UnsafeMutableRawPointer] = []

    init(configuration: CurlHTTPClient.Configuration, log: (any PluginAPI.Logger)?) {
        self.configuration = configuration
        self.log = log
    }

    // MARK: - any thread

    /// Queues a transfer, starting the thread on first use. Returns why it was refused
    /// (closed, or libcurl could not start), or nil once the loop owns it.
    func submit(_ transfer: CurlTransfer) -> String? {
        condition.lock()
        defer { condition.unlock() }
        if phase == .idle, let problem = start() { return problem }
        guard phase == .running, let multi else { return "the http client is closed" }
        inbox.append(transfer)
        curl_multi_wakeup(multi)
        return nil
    }

    /// Aborts a transfer if it is queued or running; a no-op once it has completed.
    func cancel(_ transfer: CurlTransfer) {
        // The flag covers a cancel that arrives before the transfer is queued.
        transfer.markCancelled()
        condition.lock()
        defer { condition.unlock() }
        guard phase == .running, let multi else { return }
        cancellations.append(transfer)
        curl_multi_wakeup(multi)
    }

    /// Stops the thread, failing what is queued or in flight, and waits for it to exit
    /// (unless called from the thread itself). Idempotent.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        switch phase {
        case .idle:
            phase = .stopped
            return
        case .running:
            phase = .stopping
            if let multi { curl_multi_wakeup(multi) }
        case .stopping, .stopped:
            break
        }
        if let loopThread, pthread_equal(loopThread, pthread_self()) != 0 { return }
        while phase != .stopped { condition.wait() }
    }

    /// Creates the multi handle and the thread; called with the lock held.
    private func start() -> String? {
        let code = ccurlshim_global_init_once()
        guard code == CURLE_OK else { return "libcurl failed to initialise (curl error \(code.rawValue))" }
        guard let handle = curl_multi_init() else { return "libcurl could not create a multi handle" }
        _ = ccurlshim_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, max(1, configuration.maxIdleConnections))
        _ = ccurlshim_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maxConnectionsPerHost))
        // With CURLOPT_NOSIGNAL libcurl no longer masks SIGPIPE itself; a peer closing a TLS
        // connection mid-write must not kill the process.
        cshims_ignore_sigpipe()
        do throws(KernelThread.StartError) {
            try KernelThread.spawn(name: "sb-http") { [self] in run() }
        } catch {
            curl_multi_cleanup(handle)
            return "\(error)"
        }
        multi = handle
        phase = .running
        return nil
    }

    // MARK: - loop thread

    private func run() {
        condition.lock()
        loopThread = pthread_self()
        let handle = multi
        condition.unlock()
        guard let multi = handle else { return }
        while true {
            condition.lock()
            let stopping = phase == .stopping
            let arrivals = inbox
            let cancelled = cancellations
            inbox = []
            cancellations = []
            condition.unlock()
            if stopping {
                shutDown(multi, queued: arrivals)
                return
            }
            for transfer in arrivals { begin(transfer, on: multi) }
            for transfer in cancelled { abort(transfer, on: multi) }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished(on: multi)
            _ = curl_multi_poll(multi, nil, 0, Self.pollCeilingMs, nil)
        }
    }

    private func begin(_ transfer: CurlTransfer, on multi: UnsafeMutableRawPointer) {
        guard !transfer.isCancelled else {
            transfer.complete(.failure(CancellationError()))
            return
        }
        guard let easy = spare.popLast() ?? curl_easy_init() else {
            transfer.complete(.failure(OutboundHTTPError(.other, request: transfer.request, "libcurl could not create an easy handle")))
            return
        }
        let code = transfer.attach(to: easy)
        guard code == CURLE_OK else {
            let result = transfer.outcome(code)
            recycle(easy, transfer)
            transfer.complete(result)
            return
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            recycle(easy, transfer)
            transfer.complete(.failure(OutboundHTTPError(.other, request: transfer.request, "libcurl refused the transfer (multi error \(added.rawValue))")))
            return
        }
        active[easy] = transfer
    }

    private func abort(_ transfer: CurlTransfer, on multi: UnsafeMutableRawPointer) {
        // Already finished (or never attached): its continuation has been or will be resumed elsewhere.
        guard let easy = transfer.easy, active[easy] === transfer else { return }
        active[easy] = nil
        _ = curl_multi_remove_handle(multi, easy)
        recycle(easy, transfer)
        log(transfer, outcome: "cancelled")
        transfer.complete(.failure(CancellationError()))
    }

    private func collectFinished(on multi: UnsafeMutableRawPointer) {
        var easy: UnsafeMutableRawPointer?
        var code = CURLE_OK
        while ccurlshim_multi_next_done(multi, &easy, &code) == 1 {
            guard let handle = easy, let transfer = active.removeValue(forKey: handle) else { continue }
            let result = transfer.outcome(code)
            // Removing a finished transfer returns its connection to the multi handle's cache.
            _ = curl_multi_remove_handle(multi, handle)
            recycle(handle, transfer)
            switch result {
            case .success(let response): log(transfer, outcome: "\(response.status)")
            case .failure(let error as OutboundHTTPError): log(transfer, outcome: "\(error.kind)")
            case .failure: log(transfer, outcome: "error")
            }
            transfer.complete(result)
        }
    }

    /// Resets a handle out of the multi handle for the next transfer (a reset handle keeps
    /// nothing of the request) and frees what the transfer lent libcurl.
    private func recycle(_ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer) {
        curl_easy_reset(easy)
        transfer.releaseResources()
        if spare.count < Self.spareHandles {
            spare.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    private func shutDown(_ multi: UnsafeMutableRawPointer, queued: [CurlTransfer]) {
        let inFlight = Array(active.values)
        for (easy, transfer) in active {
            _ = curl_multi_remove_handle(multi, easy)
            curl_easy_reset(easy)
            transfer.releaseResources()
            curl_easy_cleanup(easy)
        }
        active = [:]
        for easy in spare { curl_easy_cleanup(easy) }
        spare = []
        // Closes the cached connections.
        curl_multi_cleanup(multi)
        condition.lock()
        self.multi = nil
        phase = .stopped
        condition.broadcast()
        condition.unlock()
        for transfer in inFlight + queued {
            transfer.complete(.failure(OutboundHTTPError(.other, request: transfer.request, "the http client was closed")))
        }
    }

    /// The one debug line per request: method, scheme://host/path, status or error kind, ms.
    private func log(_ transfer: CurlTransfer, outcome: String) {
        guard let log, log.isEnabled(.debug) else { return }
        let ms = (DispatchTime.now().uptimeNanoseconds &- transfer.startedNanos) / 1_000_000
        log.debug("outbound http", ["method": transfer.request.method.description, "url": transfer.request.safeURL,
                                    "status": outcome, "ms": "\(ms)"])
    }
}
