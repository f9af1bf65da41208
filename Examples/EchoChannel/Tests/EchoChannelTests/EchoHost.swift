import Foundation
import PluginAPI
import PluginTesting
@testable import EchoChannel

/// A `PluginTestHost` with Echo enabled against a scripted provider (`RecordingHTTPClient`),
/// and the helpers the tests share. The database is SQLite, or PostgreSQL when
/// `SWITCHBOARD_TEST_POSTGRES_URL` is set.
struct EchoHost {
    static let baseURL = "https://api.echo.test"
    static let secret = "echo-webhook-secret-0123456789"
    static let apiKey = "echo-api-key-for-tests"
    static let adminToken = "echo-admin-token-0123456789"

    let host: PluginTestHost

    static func start(rateLimit: String = "10/1s") async throws -> EchoHost {
        let config = """
            {"admin": {"token": "\(adminToken)"}, "phone": {"default_region": "FR"},
             "plugins": {"echo": {"enabled": true, "config": {
                "base_url": "\(baseURL)", "api_key": "${ECHO_API_KEY}", "webhook_secret": "${ECHO_WEBHOOK_SECRET}",
                "rate_limit": "\(rateLimit)"}}}}
            """
        let host = try PluginTestHost(plugins: [EchoChannelPlugin.self], config: config,
                                      environment: ["ECHO_API_KEY": apiKey, "ECHO_WEBHOOK_SECRET": secret])
        try await host.start()
        return EchoHost(host: host)
    }

    func stop() async { await host.stop() }

    /// The signature header the provider would send for `body`.
    func signature(_ body: [UInt8], secret: String = secret) -> String {
        "sha256=" + host.crypto.hex(host.crypto.hmacSHA256(key: Array(secret.utf8), data: body))
    }

    /// Posts one inbound message, signed unless told otherwise.
    func postMessage(id: String, from: String = "+212610059159", conversation: String = "c-7", text: String = "hello",
                     signature: String? = nil, signed: Bool = true) async -> Response {
        let body = Array(#"{"id": "\#(id)", "from": "\#(from)", "conversation": "\#(conversation)", "text": "\#(text)"}"#.utf8)
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if signed { headers.set("X-Echo-Signature", signature ?? self.signature(body)) }
        return await host.request(.post, "/echo/webhook", headers: headers, body: body)
    }

    var admin: HTTPHeaders { ["Authorization": "Bearer \(Self.adminToken)"] }

    func json(_ response: Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }
}
