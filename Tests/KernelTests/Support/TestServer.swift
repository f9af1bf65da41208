import Foundation
import PluginTesting
import PluginAPI
@testable import Kernel

/// A kernel running in-process on a free loopback port, for socket-level tests.
final class TestServer: @unchecked Sendable {
    let kernel: KernelServer
    var port: Int { kernel.port }

    /// Starts a server with `TestKitPlugin` enabled; `adjust` tunes server settings (timeouts, caps).
    static func start(
        plugins: [any Plugin.Type] = [TestKitPlugin.self],
        enabled: [String]? = nil,
        adjust: (inout SwitchboardConfig) -> Void = { _ in }
    ) async throws -> TestServer {
        var config = TestStorage.config()
        config.server.port = 0
        config.server.eventLoops = 2
        config.log.level = .error
        for type in plugins where enabled?.contains(type.id) ?? true {
            config.plugins[type.id] = PluginEntry(enabled: true, config: .object([]))
        }
        adjust(&config)
        let kernel = try KernelServer(config: config, plugins: plugins, logFD: 2)
        try await kernel.start()
        return TestServer(kernel: kernel)
    }

    private init(kernel: KernelServer) { self.kernel = kernel }

    /// Stops the kernel and deletes its temporary SQLite file, if it used one.
    func stop() async {
        await kernel.stop()
        TestDatabase.remove(kernel.config.storage.url)
    }

    /// A new raw client connected to this server.
    func connect(timeoutMs: Int32 = 5000) throws -> RawClient { try RawClient(port: port, timeoutMs: timeoutMs) }
}
