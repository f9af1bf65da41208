import CShims
import Dispatch
import FoundationEssentials
import PluginAPI
import Synchronization

/// The HTTP/1.1 server: one event loop per core, each with its own `SO_REUSEPORT` listening
/// socket (the kernel spreads connections), a shared connection cap, and graceful shutdown.
final class HTTPServer: @unchecked Sendable {
    private let settings: ServerSettings
    private let router: Router
    private let log: any PluginAPI.Logger
    private var loops: [EventLoop] = []
    private var workers: [LoopWorker] = []
    private let openConnections = Atomic<Int>(0)
    private let finished = DispatchGroup()
    /// The port actually bound (differs from the setting when it is 0).
    private(set) var port = 0

    init(settings: ServerSettings, router: Router, log: any PluginAPI.Logger) {
        self.settings = settings
        self.router = router
        self.log = log
    }

    /// Binds the port and starts the loops. Throws when the address is taken or invalid.
    func start() throws {
        cshims_ignore_sigpipe()
        let count = max(1, settings.eventLoops ?? ProcessInfo.processInfo.activeProcessorCount)
        // A fixed port is probed without SO_REUSEPORT first, so a port another process holds
        // (even with SO_REUSEPORT) is an error rather than a silent split of traffic. Port 0
        // needs no probe: the first loop's socket picks the port and holds it.
        if settings.port != 0 {
            let probe = cshims_listen(settings.host, Int32(settings.port), 1, 0)
            guard probe >= 0 else {
                throw ServerError.system("cannot listen on \(settings.host):\(settings.port)", errno: -probe)
            }
            _ = cshims_close(probe)
        }
        port = settings.port

        let tag = String(UInt32.random(in: 0x10000...0xfffff), radix: 16)
        for i in 0..<count {
            let loop = try EventLoop(index: i)
            let fd = cshims_listen(settings.host, Int32(port), 1024, 1)
            guard fd >= 0 else { throw ServerError.system("cannot listen on \(settings.host):\(port)", errno: -fd) }
            if port == 0 { port = Int(cshims_local_port(fd)) }
            let worker = LoopWorker(loop: loop, server: self, router: router, settings: settings, log: log, processTag: tag)
            loops.append(loop)
            workers.append(worker)
            let bound = LoopBound(worker)
            loop.execute { bound.value.listen(fd: fd) }
        }
        for loop in loops {
            finished.enter()
            do throws(KernelThread.StartError) {
                try KernelThread.spawn(name: "sb-loop-\(loop.index)", stackSize: 1 << 20) { [finished] in
                    loop.run()
                    finished.leave()
                }
            } catch {
                finished.leave()
                throw ServerError.system("cannot start event loop \(loop.index)", errno: error.code)
            }
        }
    }

    /// Takes a slot under the connection cap; false when the cap is reached.
    func reserveConnection() -> Bool {
        let (_, now) = openConnections.add(1, ordering: .relaxed)
        if now > settings.maxConnections {
            openConnections.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnection() { openConnections.subtract(1, ordering: .relaxed) }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Stops accepting, lets in-flight requests finish for up to `grace`, then closes the rest
    /// and stops the loops. Returns when every loop thread has ended.
    func shutdown(grace: ConfigDuration) async {
        for (loop, worker) in zip(loops, workers) {
            let w = LoopBound(worker)
            loop.execute { w.value.beginDrain() }
        }
        let deadline = cshims_monotonic_ns() + UInt64(max(0, grace.milliseconds)) * 1_000_000
        while connectionCount > 0 && cshims_monotonic_ns() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        if connectionCount > 0 { log.warning("shutdown grace expired; closing connections", ["open": "\(connectionCount)"]) }
        for (loop, worker) in zip(loops, workers) {
            let w = LoopBound(worker)
            loop.execute { w.value.closeAll() }
            loop.stop()
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { c.resume() }
        }
    }

    /// Per-loop metrics, summed.
    func metricsSnapshot() async -> LoopMetricsSnapshot? {
        var total: LoopMetricsSnapshot?
        for (loop, worker) in zip(loops, workers) {
            let w = LoopBound(worker)
            let snap = await loop.submit { w.value.metrics.snapshot() }
            if total == nil { total = snap } else { total?.add(snap) }
        }
        return total
    }
}
