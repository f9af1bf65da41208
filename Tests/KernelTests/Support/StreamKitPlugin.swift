import Foundation
import PluginAPI
import Synchronization

/// Streamed-response routes for the HTTP tests: a counted stream, an endless one whose end is
/// recorded, one that waits without writing, a fast writer (backpressure) and a failing one.
struct StreamKitPlugin: Plugin {
    static let id = "streamkit"
    static let summary = "streamed routes for kernel tests"

    /// What the producers did, for the tests to look at.
    static let probe = Mutex(Probe())
    struct Probe {
        var ended: [String: Int] = [:]
        var writes: [String: Int] = [:]
    }

    static func ended(_ name: String) -> Int { probe.withLock { $0.ended[name] ?? 0 } }
    static func writes(_ name: String) -> Int { probe.withLock { $0.writes[name] ?? 0 } }
    static func reset() { probe.withLock { $0 = Probe() } }

    init(context: any PluginContext) throws {}

    func register(_ registrar: any Registrar) throws {
        registrar.route(.get, "/count") { request in
            let n = Int(request.queryItems["n"] ?? "") ?? 3
            return .stream(headers: ["Content-Type": "text/plain"]) { writer in
                for i in 1...n { try await writer.write("chunk \(i)\n") }
            }
        }
        registrar.route(.get, "/forever") { _ in
            .stream { writer in
                defer { Self.probe.withLock { $0.ended["forever", default: 0] += 1 } }
                while true {
                    try await writer.write("tick\n")
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        registrar.route(.get, "/quiet") { _ in
            .stream { writer in
                defer { Self.probe.withLock { $0.ended["quiet", default: 0] += 1 } }
                try await writer.write("start\n")
                try await Task.sleep(for: .seconds(600))
            }
        }
        registrar.route(.get, "/flood") { _ in
            .stream { writer in
                let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
                for _ in 0..<4096 {
                    try await writer.write(piece)
                    Self.probe.withLock { $0.writes["flood", default: 0] += 1 }
                }
            }
        }
        registrar.route(.get, "/broken") { _ in
            .stream { writer in
                try await writer.write("partial\n")
                throw HTTPError(500, "broken", "the producer failed")
            }
        }
        registrar.route(.get, "/empty-status") { _ in
            .stream(status: 204) { writer in try await writer.write("never sent") }
        }
    }
}
