import Foundation
import PluginAPI
import PluginTesting
@testable import Kernel
import BuiltinPlugins

/// A kernel with every built-in plugin enabled (fake secrets, providers on a closed loopback
/// port), so every route a deployment can have is in its router.
enum AllPlugins {
    /// The plugins compiled into `switchboard`; `host()` checks the config enables them all.
    static let builtIn = BuiltinPlugins.all

    static let adminToken = "admin-token-for-openapi-tests-0123456789"
    /// Nothing listens here: outbound calls fail at once.
    static let deadProvider = "http://127.0.0.1:9"

    /// The config: every plugin enabled with a config that turns on all of its routes.
    static func config(adminToken: String? = AllPlugins.adminToken) -> String {
        let admin = adminToken.map { #""admin": {"token": "\#($0)"},"# } ?? ""
        return #"""
        {\#(admin)
         "plugins": {
          "metaflow": {"enabled": true, "config": {
             "app_secret": "app-secret-for-tests-0123456789", "private_key_path": "/nonexistent/private.pem",
             "verify_token": "verify-token-0123456789", "access_token": "EAAG-fake-access-token",
             "phone_number_id": "106540352242922", "graph_base_url": "\#(deadProvider)", "default_flow": "survey",
             "flows": {"survey": {"flow_id": "1234567890", "first_screen": "Q1", "screens": {"Q1": {}},
                                  "cta": "Answer", "body": "How did we do?"}}}},
          "chatwoot": {"enabled": true, "config": {"base_url": "\#(deadProvider)", "account_id": 1,
                       "api_token": "chatwoot-token-0123456789", "webhook_secret": "chatwoot-secret-0123456789"}},
          "wasender": {"enabled": true, "config": {"base_url": "\#(deadProvider)", "api_key": "wasender-key-0123456789",
                       "webhook_secret": "wasender-secret-0123456789"}},
          "cloudtalk": {"enabled": true, "config": {"webhook_token": "cloudtalk-token-0123456789",
                        "api_key_id": "cloudtalk-key-id", "api_key_secret": "cloudtalk-key-secret-0123456789",
                        "base_url": "\#(deadProvider)",
                        "follow_up": {"channel": "wasender", "delay": "30s", "template": "Merci {contact_name}", "cooldown": "24h",
                                      "reply_window": "7d"}}},
          "integrity": {"enabled": true, "config": {}}}}
        """#
    }

    /// A started in-process host (temporary database) with every plugin enabled.
    static func host(adminToken: String? = AllPlugins.adminToken) async throws -> PluginTestHost {
        let host = try PluginTestHost(plugins: builtIn, config: config(adminToken: adminToken))
        let missing = Set(builtIn.map { $0.id }).subtracting(host.kernel.pluginIDs)
        guard missing.isEmpty else { throw Failure("AllPlugins.config does not enable \(missing.sorted()): add their configs") }
        try await host.start()
        return host
    }

    static var admin: HTTPHeaders { ["Authorization": "Bearer \(adminToken)"] }

    /// `/api/admin/inbox/:id/replay` → `/api/admin/inbox/1/replay`.
    static func concrete(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "1" : String($0) }.joined(separator: "/")
    }

    /// The document the host serves, parsed.
    static func document(_ host: PluginTestHost) async throws -> [String: Any] {
        let response = await host.request(.get, "/openapi.json", headers: admin)
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw Failure("GET /openapi.json answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }

    /// `(METHOD, /templated/{path})` → the operation object.
    static func operations(_ document: [String: Any]) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for (path, value) in document["paths"] as? [String: Any] ?? [:] {
            for (method, operation) in value as? [String: Any] ?? [:] {
                result["\(method.uppercased()) \(path)"] = operation as? [String: Any]
            }
        }
        return result
    }

    static func isAdmin(_ operation: [String: Any]) -> Bool {
        (operation["security"] as? [[String: Any]])?.contains { $0[OpenAPIDocument.adminScheme] != nil } == true
    }

    /// The error code of a JSON error body.
    static func errorCode(_ response: Response) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
