/// Request counters and latency histograms of one event loop, confined to its thread
/// (no locks or atomics on the request path). `/metrics` sums snapshots of every loop.
/// Counters live in flat arrays indexed by route and status: no hashing per request.
final class LoopMetrics {
    /// Upper bounds of the latency buckets, in seconds.
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private static let boundNanos: [UInt64] = bucketBounds.map { UInt64($0 * 1e9) }
    static let statusSlots = 500
    static let bucketSlots = bucketBounds.count + 1

    @exclusivity(unchecked) var bytesIn = 0
    @exclusivity(unchecked) var bytesOut = 0
    @exclusivity(unchecked) var openConnections = 0
    @exclusivity(unchecked) var acceptedConnections = 0
    @exclusivity(unchecked) var rejectedConnections = 0
    /// Requests at `route * 500 + (status - 100)`.
    @exclusivity(unchecked) private var requests: [Int]
    /// Bucket counts at `route * bucketSlots + bucket` (non-cumulative; the last is +Inf).
    @exclusivity(unchecked) private var buckets: [Int]
    @exclusivity(unchecked) private var sums: [Double]
    let routeCount: Int

    init(routeCount: Int) {
        self.routeCount = routeCount
        requests = Array(repeating: 0, count: routeCount * Self.statusSlots)
        buckets = Array(repeating: 0, count: routeCount * Self.bucketSlots)
        sums = Array(repeating: 0, count: routeCount)
    }

    func record(route: Int, status: Int, nanos: UInt64, bytesOut: Int) {
        let slot = (100..<600).contains(status) ? status - 100 : 499
        requests[route &* Self.statusSlots &+ slot] &+= 1
        self.bytesOut &+= bytesOut
        var i = 0
        while i < Self.boundNanos.count && nanos > Self.boundNanos[i] { i += 1 }
        buckets[route &* Self.bucketSlots &+ i] &+= 1
        sums[route] += Double(nanos) / 1e9
    }

    func snapshot() -> LoopMetricsSnapshot {
        var byKey: [Int: Int] = [:]
        for (i, count) in requests.enumerated() where count > 0 {
            byKey[(i / Self.statusSlots) * 1000 + (i % Self.statusSlots) + 100] = count
        }
        let perRoute = (0..<routeCount).map { r in Array(buckets[(r * Self.bucketSlots)..<((r + 1) * Self.bucketSlots)]) }
        return LoopMetricsSnapshot(bytesIn: bytesIn, bytesOut: bytesOut, openConnections: openConnections,
                                   acceptedConnections: acceptedConnections, rejectedConnections: rejectedConnections,
                                   requests: byKey, buckets: perRoute, sums: sums)
    }
}

/// A copy of one loop's metrics, safe to move between threads. `requests` is keyed by
/// `route * 1000 + status`.
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
