import Foundation
import PluginAPI
import Synchronization
import Testing
@testable import Kernel

/// Starts only when the test lets it (or after a minute), so `/readyz` can be seen answering
/// 503 while the kernel is not ready, however slowly a loaded machine runs the test.
struct SlowStartPlugin: Plugin {
    static let id = "slowstart"
    static let released = Atomic<Bool>(false)
    init(context: any PluginContext) throws {}
    func register(_ registrar: any Registrar) throws {}
    func start() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !Self.released.load(ordering: .acquiring) && ContinuousClock.now < deadline {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }
}

@Suite("observability", .serialized)
struct ObservabilityTests {
    @Test func readyzIs503UntilPluginsStarted() async throws {
        var config = TestStorage.config()
        config.server.port = 0
        config.log.level = .error
        config.plugins["slowstart"] = PluginEntry(enabled: true, config: .object([]))
        let kernel = try KernelServer(config: config, plugins: [SlowStartPlugin.self])
        let starting = Task { try await kernel.start() }
        var port = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while port == 0 && ContinuousClock.now < deadline {
            port = kernel.port
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let early = try RawClient(port: port).exchange("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(early.status == 503)
        #expect(early.text.contains("\"not_ready\""))
        #expect(try RawClient(port: port).exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
        SlowStartPlugin.released.store(true, ordering: .releasing)
        try await starting.value
        let ready = try RawClient(port: port).exchange("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(ready.status == 200)
        await kernel.stop()
    }

    @Test func metricsCountRequestsByRoutePatternAndStatus() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        for id in 1...3 { _ = try client.exchange("GET /testkit/items/\(id) HTTP/1.1\r\nHost: t\r\n\r\n") }
        _ = try client.exchange("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try client.exchange("GET /testkit/teapot HTTP/1.1\r\nHost: t\r\n\r\n")
        let metrics = try client.exchange("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(metrics.status == 200)
        #expect(metrics.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = metrics.text
        #expect(text.contains("switchboard_http_requests_total{route=\"/testkit/items/:id\",status=\"200\"} 3"))
        #expect(text.contains("switchboard_http_requests_total{route=\"unmatched\",status=\"404\"} 1"))
        #expect(text.contains("switchboard_http_requests_total{route=\"/testkit/teapot\",status=\"418\"} 1"))
        #expect(text.contains("switchboard_http_request_duration_seconds_count{route=\"/testkit/items/:id\"} 3"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/testkit/items/:id\",le=\"+Inf\"} 3"))
        #expect(text.contains("switchboard_http_open_connections 1"))
        #expect(text.contains("switchboard_http_received_bytes_total "))
        #expect(text.contains("switchboard_http_sent_bytes_total "))
        await server.stop()
    }

    @Test func logLinesAreJSONWithRequestIDAndPlugin() async throws {
        let pipe = Pipe()
        var config = TestStorage.config()
        config.server.port = 0
        config.log.level = .info
        config.plugins["testkit"] = PluginEntry(enabled: true, config: .object([]))
        let kernel = try KernelServer(config: config, plugins: [TestKitPlugin.self], logFD: pipe.fileHandleForWriting.fileDescriptor)
        try await kernel.start()
        let answer = try RawClient(port: kernel.port).exchange("GET /testkit/hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-123\r\n\r\n")
        #expect(answer.header("x-request-id") == "trace-123")
        await kernel.stop()
        try pipe.fileHandleForWriting.close()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] ?? [:] }
        #expect(objects.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["message"] != nil })
        let request = objects.first { $0["message"] == "request" && $0["request_id"] == "trace-123" }
        #expect(request?["plugin"] == "testkit")
        #expect(request?["route"] == "/testkit/hello")
        #expect(request?["status"] == "200")
    }
}
