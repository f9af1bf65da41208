/// Request counters and latency histograms of one event loop, confined to its thread
/// (no locks or atomics on the request path). `/metrics` sums snapshots of every loop.
final class LoopMetrics {
    /// Upper bounds of the latency buckets, in seconds.
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private static let boundNanos: [UInt64] = bucketBounds.map { UInt64($0 * 1e9) }

    var bytesIn = 0
    var bytesOut = 0
    var openConnections = 0
    var acceptedConnections = 0
    var rejectedConnections = 0
    /// Requests by `route * 1000 + status`.
    private var requests: [Int: Int] = [:]
    /// Per route: bucket counts (non-cumulative; the last is +Inf), sum of seconds, count.
    private var buckets: [[Int]]
    private var sums: [Double]

    init(routeCount: Int) {
        buckets = Array(repeating: Array(repeating: 0, count: Self.bucketBounds.count + 1), count: routeCount)
        sums = Array(repeating: 0, count: routeCount)
    }

    func record(route: Int, status: Int, nanos: UInt64, bytesOut: Int) {
        requests[route &* 1000 &+ status, default: 0] &+= 1
        self.bytesOut &+= bytesOut
        var i = 0
        while i < Self.boundNanos.count && nanos > Self.boundNanos[i] { i += 1 }
        buckets[route][i] &+= 1
        sums[route] += Double(nanos) / 1e9
    }

    func snapshot() -> LoopMetricsSnapshot {
        LoopMetricsSnapshot(bytesIn: bytesIn, bytesOut: bytesOut, openConnections: openConnections,
                            acceptedConnections: acceptedConnections, rejectedConnections: rejectedConnections,
                            requests: requests, buckets: buckets, sums: sums)
    }
}

/// A copy of one loop's metrics, safe to move between threads.
struct LoopMetricsSnapshot: Sendable {
    var bytesIn: Int
    var bytesOut: Int
    var openConnections: Int
    var acceptedConnections: Int
    var rejectedConnections: Int
    var requests: [Int: Int]
    var buckets: [[Int]]
    var sums: [Double]

    /// Adds another loop's figures to these.
    mutating func add(_ other: LoopMetricsSnapshot) {
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        openConnections += other.openConnections
        acceptedConnections += other.acceptedConnections
        rejectedConnections += other.rejectedConnections
        requests.merge(other.requests, uniquingKeysWith: +)
        for r in buckets.indices {
            for b in buckets[r].indices { buckets[r][b] += other.buckets[r][b] }
            sums[r] += other.sums[r]
        }
    }
}
