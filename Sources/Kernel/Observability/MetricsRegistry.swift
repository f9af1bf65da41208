import PluginAPI
import Synchronization

/// Counters and gauges that plugins record (off the request path), and the Prometheus text
/// rendering of everything, HTTP loop metrics included.
final class MetricsRegistry: Sendable {
    struct Key: Hashable, Sendable {
        var name: String
        var labels: [String: String]
    }

    private let counters = Mutex<[Key: Double]>([:])
    private let gauges = Mutex<[Key: Double]>([:])

    func increment(_ name: String, labels: [String: String], by: Double) {
        counters.withLock { $0[Key(name: name, labels: labels), default: 0] += by }
    }

    func gauge(_ name: String, labels: [String: String], value: Double) {
        gauges.withLock { $0[Key(name: name, labels: labels)] = value }
    }

    /// The Prometheus text exposition (format 0.0.4).
    func render(http: LoopMetricsSnapshot?, router: Router) -> String {
        var out = ""
        if let http {
            out += "# HELP switchboard_http_requests_total HTTP requests answered, by route pattern and status.\n"
            out += "# TYPE switchboard_http_requests_total counter\n"
            for (key, count) in http.requests.sorted(by: { $0.key < $1.key }) {
                out += "switchboard_http_requests_total{route=\"\(Self.escape(router.pattern(at: key / 1000)))\",status=\"\(key % 1000)\"} \(count)\n"
            }
            out += "# HELP switchboard_http_request_duration_seconds Time from a complete request head to the queued answer.\n"
            out += "# TYPE switchboard_http_request_duration_seconds histogram\n"
            for route in http.buckets.indices {
                let counts = http.buckets[route]
                let total = counts.reduce(0, +)
                guard total > 0 else { continue }
                let label = Self.escape(router.pattern(at: route))
                var cumulative = 0
                for (i, bound) in LoopMetrics.bucketBounds.enumerated() {
                    cumulative += counts[i]
                    out += "switchboard_http_request_duration_seconds_bucket{route=\"\(label)\",le=\"\(bound)\"} \(cumulative)\n"
                }
                out += "switchboard_http_request_duration_seconds_bucket{route=\"\(label)\",le=\"+Inf\"} \(total)\n"
                out += "switchboard_http_request_duration_seconds_sum{route=\"\(label)\"} \(http.sums[route])\n"
                out += "switchboard_http_request_duration_seconds_count{route=\"\(label)\"} \(total)\n"
            }
            out += "# HELP switchboard_http_open_connections Connections open now.\n# TYPE switchboard_http_open_connections gauge\n"
            out += "switchboard_http_open_connections \(http.openConnections)\n"
            out += "# HELP switchboard_http_connections_total Connections accepted.\n# TYPE switchboard_http_connections_total counter\n"
            out += "switchboard_http_connections_total \(http.acceptedConnections)\n"
            out += "# HELP switchboard_http_connections_rejected_total Connections refused over the connection cap.\n# TYPE switchboard_http_connections_rejected_total counter\n"
            out += "switchboard_http_connections_rejected_total \(http.rejectedConnections)\n"
            out += "# HELP switchboard_http_received_bytes_total Bytes read from clients.\n# TYPE switchboard_http_received_bytes_total counter\n"
            out += "switchboard_http_received_bytes_total \(http.bytesIn)\n"
            out += "# HELP switchboard_http_sent_bytes_total Bytes of answers queued to clients.\n# TYPE switchboard_http_sent_bytes_total counter\n"
            out += "switchboard_http_sent_bytes_total \(http.bytesOut)\n"
        }
        out += Self.renderFamily(counters.withLock { $0 }, type: "counter")
        out += Self.renderFamily(gauges.withLock { $0 }, type: "gauge")
        return out
    }

    private static func renderFamily(_ values: [Key: Double], type: String) -> String {
        var out = ""
        let byName = Dictionary(grouping: values, by: { $0.key.name })
        for name in byName.keys.sorted() {
            out += "# TYPE \(name) \(type)\n"
            for (key, value) in byName[name, default: []].sorted(by: { labelText($0.key.labels) < labelText($1.key.labels) }) {
                out += "\(name)\(labelText(key.labels)) \(value)\n"
            }
        }
        return out
    }

    private static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ s: String) -> String {
        s.replacingLiteral("\\", with: "\\\\").replacingLiteral("\"", with: "\\\"").replacingLiteral("\n", with: "\\n")
    }
}

/// The `MetricsRecorder` a plugin gets: names prefixed `switchboard_<plugin>_`.
struct PluginMetrics: MetricsRecorder {
    let registry: MetricsRegistry
    let prefix: String

    func increment(_ name: String, labels: [String: String], by: Double) {
        registry.increment(prefix + name, labels: labels, by: by)
    }

    func gauge(_ name: String, labels: [String: String], value: Double) {
        registry.gauge(prefix + name, labels: labels, value: value)
    }
}
