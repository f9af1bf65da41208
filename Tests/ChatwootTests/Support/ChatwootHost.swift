import Foundation
import class Kernel.KernelServer
import class Kernel.CurlHTTPClient
import enum Kernel.ConfigLoader
import PluginAPI
import PluginTesting
import TestPlugins
@testable import Chatwoot

/// A real kernel with Chatwoot (pointing at a `FakeChatwoot`) and PhoneKit's `directory`
/// strategy after it, sending through the real outbound client (libcurl).
struct ChatwootHost {
    let kernel: KernelServer
    let fake: FakeChatwoot
    let clock: ManualClock
    let http: CurlHTTPClient
    let url: String

    static func config(baseURL: String, extra: String = "") -> String {
        #"""
        {"phone": {"strategies": ["chatwoot.conversation_search", "phonekit.directory"]},
         "plugins": {
          "chatwoot": {"enabled": true, "config": {"base_url": "\#(baseURL)", "account_id": \#(FakeChatwoot.accountID),
                       "api_token": "\#(FakeChatwoot.token)"\#(extra)}},
          "phonekit": {"enabled": true, "config": {"strategies": ["directory"]}},
          "loopback": {"enabled": true, "config": {}}}}
        """#
    }

    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }

    /// `backend` nil: PostgreSQL when `SWITCHBOARD_TEST_POSTGRES_URL` is set, else SQLite.
    static func start(baseURL: String? = nil, extra: String = "", backend: String? = nil) async throws -> ChatwootHost {
        let fake = try FakeChatwoot()
        var config = try ConfigLoader.parse(Array(config(baseURL: baseURL ?? fake.baseURL, extra: extra).utf8), environment: [:],
                                            knownPlugins: [ChatwootPlugin.id, PhoneKitPlugin.id, LoopbackChannelPlugin.id])
        config.log.level = .error
        let http = CurlHTTPClient()
        let clock = ManualClock()
        let kernel = try KernelServer(config: config, plugins: [ChatwootPlugin.self, PhoneKitPlugin.self, LoopbackChannelPlugin.self], clock: clock, http: http)
        let url = backend == "sqlite" ? TestDatabase.sqliteURL() : try await TestDatabase.freshURL()
        try await kernel.openForTesting(storageURL: url)
        return ChatwootHost(kernel: kernel, fake: fake, clock: clock, http: http, url: url)
    }

    func stop() async {
        await kernel.closeForTesting()
        http.close()
        fake.stop()
        TestDatabase.remove(url)
    }

    /// A `message.received` from another channel, as a channel plugin records it (the test
    /// plugin `loopback` logs it; the kernel publishes the event CRM sync is subscribed to).
    func receive(from phone: String, text: String, id: String, payload: String? = nil) async -> Int {
        var query = "from=\(URLQuery.encode(phone))&text=\(URLQuery.encode(text))&id=\(URLQuery.encode(id))"
        if let payload { query += "&payload=\(URLQuery.encode(payload))" }
        return await kernel.respond(to: Request(method: .post, path: "/loopback/inbound", query: query, remoteAddress: "127.0.0.1")).status
    }

    /// `strategy:outcome` of every attempt recorded for `subject`, in order.
    func attempts(_ subject: String) async throws -> [String] {
        let rows = try await kernel.store.query(
            "SELECT a.strategy, a.outcome FROM switchboard_phone_attempts a JOIN switchboard_phone_subjects s ON s.id = a.subject_id WHERE s.subject = $1 ORDER BY a.id",
            [.text(subject)])
        return try rows.map { "\(try $0.string("strategy")):\(try $0.string("outcome"))" }
    }
}

/// A client straight at the fake, through the real libcurl client.
func makeClient(_ fake: FakeChatwoot, http: CurlHTTPClient, token: String = FakeChatwoot.token) -> ChatwootClient {
    var client = ChatwootClient(config: ChatwootAPIConfig(baseURL: fake.baseURL, accountID: FakeChatwoot.accountID, apiToken: token,
                                                         cacheTTL: .seconds(300)), http: http)
    client.backoffBase = ConfigDuration(milliseconds: 20)
    return client
}
