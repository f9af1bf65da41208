import Foundation
@testable import Kernel
import PluginAPI
import PluginTesting
import Wasender

/// A kernel with Wasender sending through the real outbound client (libcurl) to a
/// `FakeWasender` on loopback; jobs run only when the test calls `runDueJobs` (manual clock).
struct WasenderHost {
    static let apiKey = "wasender-test-api-key-0123456789"
    static let secret = "wasender-webhook-secret-0123456789"
    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }

    let kernel: KernelServer
    let api: FakeWasender
    let clock: ManualClock
    let http: CurlHTTPClient
    let url: String

    /// `config` members replace the defaults (base_url of the fake, the key, the secret, `rate_limit`).
    static func start(rateLimit: String = "1/60s", backend: String = "sqlite") async throws -> WasenderHost {
        let api = try FakeWasender()
        let config = #"{"plugins": {"wasender": {"enabled": true, "config": {"base_url": "\#(api.baseURL)", "api_key": "\#(apiKey)", "#
            + #""webhook_secret": "\#(secret)", "rate_limit": "\#(rateLimit)"}}}}"#
        var parsed = try ConfigLoader.parse(Array(config.utf8), environment: [:], knownPlugins: [WasenderPlugin.id])
        parsed.log.level = .error
        let clock = ManualClock()
        let http = CurlHTTPClient()
        let kernel = try KernelServer(config: parsed, plugins: [WasenderPlugin.self], clock: clock, http: http)
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        try await kernel.openForTesting(storageURL: url)
        return WasenderHost(kernel: kernel, api: api, clock: clock, http: http, url: url)
    }

    func stop() async {
        await kernel.closeForTesting()
        http.close()
        api.stop()
        TestDatabase.remove(url)
    }

    /// Queues a message on the `wasender` channel, as a plugin would.
    @discardableResult
    func send(_ phone: String, _ message: ChannelMessage) async throws -> Int64 {
        let to = try kernel.phones.normalize(phone)
        let channels = KernelChannels(services: kernel.services)
        return try await kernel.store.write { db in try channels.send(channel: "wasender", to: to, message: message, in: db) }
    }

    func messages() async throws -> [(status: String, provider: String?, error: String?)] {
        try await kernel.store.query("SELECT status, provider_id, error FROM switchboard_messages WHERE direction = 'out' ORDER BY id", []).map {
            (try $0.string("status"), try $0.optionalString("provider_id"), try $0.optionalString("error"))
        }
    }

    func metrics() async -> String {
        let response = await kernel.respond(to: Request(method: .get, path: "/metrics", query: "", headers: [:], body: [],
                                                        remoteAddress: "127.0.0.1"))
        return String(decoding: response.body, as: UTF8.self)
    }
}

enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else { throw CocoaError(.fileNoSuchFile) }
        return [UInt8](try Data(contentsOf: url))
    }

    static func text(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }
}
