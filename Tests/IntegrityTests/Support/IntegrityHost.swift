import Foundation
import Integrity
@testable import Kernel
import PluginAPI
import PluginTesting
import TestHTTPServer
import TestPlugins

/// A kernel with Integrity, the loopback channel (messages in and out) and the webhook kit
/// (a signed webhook: a source that can fall silent), on a manual clock. Outbound HTTP is the
/// real client (libcurl), so alert posts reach an `AlertReceiver` on loopback.
struct IntegrityHost {
    static let token = "integrity-admin-token-0123456789"
    static let hookSecret = "webhookkit-secret-0123456789"
    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }
    static let auth: HTTPHeaders = ["Authorization": "Bearer \(token)"]

    let kernel: KernelServer
    let clock: ManualClock
    let http: CurlHTTPClient
    let url: String

    /// `integrity` is the plugin's config object's members (JSON text without braces).
    static func start(backend: String, integrity: String = "", retrySchedule: String = #"["1h"]"#) async throws -> IntegrityHost {
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        return try await start(url: url, integrity: integrity, retrySchedule: retrySchedule)
    }

    /// Another instance on `other`'s database (its own clock and client; `stop` it with
    /// `kernel.closeForTesting()`, which leaves the database to `other`).
    static func start(sharing other: IntegrityHost, integrity: String = "") async throws -> IntegrityHost {
        try await start(url: other.url, integrity: integrity, retrySchedule: #"["1h"]"#)
    }

    private static func start(url: String, integrity: String, retrySchedule: String) async throws -> IntegrityHost {
        let config = """
        {"admin": {"token": "\(token)"}, "phone": {"retry_schedule": \(retrySchedule)},
         "plugins": {"integrity": {"enabled": true, "config": {\(integrity)}},
                     "loopback": {"enabled": true, "config": {}},
                     "webhookkit": {"enabled": true, "config": {"secret": "\(hookSecret)"}}}}
        """
        var parsed = try ConfigLoader.parse(Array(config.utf8), environment: [:],
                                            knownPlugins: [IntegrityPlugin.id, LoopbackChannelPlugin.id, WebhookKitPlugin.id])
        parsed.log.level = .error
        let clock = ManualClock()
        let http = CurlHTTPClient()
        let kernel = try KernelServer(config: parsed, plugins: [IntegrityPlugin.self, LoopbackChannelPlugin.self, WebhookKitPlugin.self],
                                      clock: clock, http: http)
        try await kernel.openForTesting(storageURL: url)
        return IntegrityHost(kernel: kernel, clock: clock, http: http, url: url)
    }

    func stop() async {
        await kernel.closeForTesting()
        http.close()
        TestDatabase.remove(url)
    }

    // MARK: - requests

    func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = IntegrityHost.auth, body: String = "") async -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let request = Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: Array(body.utf8), remoteAddress: "127.0.0.1")
        return await kernel.respond(to: request)
    }

    /// A JSON answer's object (fails the test's `#require` when it is not one).
    func json(_ method: HTTPMethod = .get, _ target: String, body: String = "") async throws -> (status: Int, object: [String: Any]) {
        let response = await request(method, target, body: body)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (response.status, object ?? [:])
    }

    func json(_ target: String) async throws -> (status: Int, object: [String: Any]) {
        try await json(.get, target)
    }

    func report(_ query: String = "") async throws -> [String: Any] {
        let (status, object) = try await json("/integrity" + query)
        guard status == 200 else { throw HostError("GET /integrity\(query) answered \(status): \(object)") }
        return object
    }

    @discardableResult
    func runJobs() async throws -> Int { try await kernel.runDueJobs() }

    // MARK: - seeding subjects

    var phones: any Phones { kernel.phones }

    func phone(_ n: Int) throws -> PhoneNumber { try phones.normalize("+2126100\(String(format: "%05d", n))", region: nil) }

    /// A subject that has its phone at once (observed evidence learned before it is tracked).
    func resolved(_ name: String, label: String? = nil, phone n: Int = 1) async throws {
        let key = PhoneKey.flowToken("tok-\(name)")
        let number = try phone(n)
        try await kernel.store.write { db in
            try phones.learn(key: key, phone: number, source: "test.observed", in: db)
            try phones.track(key: key, subject: "test/\(name)", label: label, in: db)
        }
    }

    /// A subject without a phone; its first round runs at the next `runJobs` (then pending, or
    /// unresolved once the retry schedule is spent).
    func tracked(_ name: String, label: String? = nil) async throws {
        try await kernel.store.write { db in
            try phones.track(key: .flowToken("tok-\(name)"), subject: "test/\(name)", label: label, in: db)
        }
    }

    /// A subject in conflict: two observed sources disagree.
    func conflicting(_ name: String, label: String? = nil) async throws {
        try await resolved(name, label: label, phone: 1)
        let key = PhoneKey.flowToken("tok-\(name)")
        let other = try phone(2)
        try await kernel.store.write { db in try phones.learn(key: key, phone: other, source: "test.other", in: db) }
    }

    /// Seeds a mix: `unresolved` ones first (their retries spent by moving the clock past the
    /// 1 h schedule), then resolved, pending and conflicting ones, all at the clock's time.
    func seed(resolved r: Int = 0, pending p: Int = 0, unresolved u: Int = 0, conflicts c: Int = 0, label: String? = nil, tag: String = "") async throws {
        for i in 0..<u { try await tracked("u\(tag)\(i)", label: label) }
        if u > 0 {
            try await runJobs()
            clock.advance(by: 3601)
            try await runJobs()
        }
        for i in 0..<r { try await resolved("r\(tag)\(i)", label: label, phone: 10 + i) }
        for i in 0..<p { try await tracked("p\(tag)\(i)", label: label) }
        for i in 0..<c { try await conflicting("c\(tag)\(i)", label: label) }
        try await runJobs()
    }

    // MARK: - a webhook source

    /// Posts a signed webhook to the webhook kit (stored in the inbox at the clock's time).
    @discardableResult
    func webhook(_ delivery: String) async -> Int {
        let body = #"{"n":1}"#
        let crypto = OpenSSLCrypto()
        let signature = "sha256=" + crypto.hex(crypto.hmacSHA256(key: Array(Self.hookSecret.utf8), data: Array(body.utf8)))
        let response = await request(.post, "/webhookkit/hook", headers: ["X-Signature": signature, "X-Delivery": delivery,
                                                                         "Content-Type": "application/json"], body: body)
        return response.status
    }
}

struct HostError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Receives alert posts on loopback (the Slack-compatible webhook), answering 200.
final class AlertReceiver: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [String] = []
    private var server: FakeHTTPServer?
    var failNext = 0

    init() throws {
        server = try FakeHTTPServer { [unowned self] request in
            let text = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["text"] as? String ?? "<no text>"
            return lock.withLock {
                if failNext > 0 { failNext -= 1; return FakeReply(status: 503) }
                received.append(text)
                return FakeReply(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
            }
        }
    }

    var url: String { "http://127.0.0.1:\(server?.port ?? 0)/hooks/alerts" }
    var texts: [String] { lock.withLock { received } }
    func stop() { server?.stop() }
}

extension IntegrityHost {
    /// Runs `body`, then stops the host whether it threw or not.
    func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }
}
