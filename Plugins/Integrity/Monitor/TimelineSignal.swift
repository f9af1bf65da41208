/// Wakes this instance's open streams when it writes a timeline row, so a new row goes out at
/// once instead of at the next poll (rows other instances write are found by the poll).
actor TimelineSignal {
    private var generation: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    /// Counts a write; a stream compares it with what it saw before reading.
    var current: UInt64 { generation }

    /// A row was written: every waiting stream looks again.
    func notify() {
        generation &+= 1
        let woken = waiters
        waiters.removeAll()
        for waiter in woken.values { waiter.resume() }
    }

    /// Returns once a write happened after `seen`, after `timeout`, or when the task is cancelled.
    func wait(after seen: UInt64, timeout: Duration) async {
        guard generation == seen, !Task.isCancelled else { return }
        nextWaiter &+= 1
        let id = nextWaiter
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in waiters[id] = continuation }
        } onCancel: {
            Task { [weak self] in await self?.wake(id) }
        }
        timer.cancel()
    }

    private func wake(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
