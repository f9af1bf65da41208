import Foundation

/// The example deployments in `examples/` and what each one should expose: which plugins it
/// enables, a few routes per plugin that answer (anything but 404) exactly when the plugin is
/// enabled, and the environment their `${VAR}`s need (fake values: nothing is sent anywhere).
enum DeploymentExamples {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let names = ["flows-only", "cloudtalk-only", "full"]

    static func file(_ name: String) -> URL {
        repository.appendingPathComponent("examples/plugins.\(name).json")
    }

    /// Plugins each example enables.
    static let enabled: [String: Set<String>] = [
        "flows-only": ["metaflow", "integrity"],
        "cloudtalk-only": ["cloudtalk", "wasender"],
        "full": ["metaflow", "chatwoot", "wasender", "cloudtalk", "integrity"],
    ]

    static let allPlugins = ["metaflow", "chatwoot", "wasender", "cloudtalk", "integrity"]

    /// Routes that exist exactly when their plugin is enabled. Requests carry no credentials,
    /// so an enabled plugin answers 400/401/403; a disabled one leaves a 404.
    static let routes: [String: [(String, String)]] = [
        "metaflow": [("POST", "/metaflow/endpoint"), ("GET", "/metaflow/webhook"), ("POST", "/metaflow/webhook"),
                     ("POST", "/metaflow/send"), ("GET", "/metaflow/responses")],
        "chatwoot": [("POST", "/chatwoot/webhook")],
        "wasender": [("POST", "/wasender/webhook")],
        "cloudtalk": [("POST", "/cloudtalk/webhook"), ("GET", "/cloudtalk/calls")],
        "integrity": [("GET", "/integrity")],
    ]

    /// Plugins that create tables when enabled (the others keep nothing of their own).
    static let withTables: Set<String> = ["metaflow", "chatwoot", "cloudtalk", "integrity"]

    /// Fake values for every `${VAR}` the examples use.
    static func environment(privateKeyPath: String, databaseURL: String) -> [String: String] {
        [
            "SWITCHBOARD_ADMIN_TOKEN": "example-admin-token-0123456789",
            "DATABASE_URL": databaseURL,
            "META_APP_SECRET": "example-app-secret-0123456789",
            "META_VERIFY_TOKEN": "example-verify-token",
            "FLOW_PRIVATE_KEY_PATH": privateKeyPath,
            "META_ACCESS_TOKEN": "example-access-token-0123456789",
            "META_PHONE_NUMBER_ID": "100000000000001",
            "META_FLOW_ID": "200000000000002",
            "CHATWOOT_BASE_URL": "http://127.0.0.1:9",
            "CHATWOOT_API_TOKEN": "example-chatwoot-token",
            "CHATWOOT_WEBHOOK_SECRET": "example-chatwoot-secret",
            "WASENDER_API_KEY": "example-wasender-key-0123456789",
            "WASENDER_WEBHOOK_SECRET": "example-wasender-secret",
            "CLOUDTALK_WEBHOOK_TOKEN": "example-cloudtalk-token",
        ]
    }

    /// A directory holding the example's `plugins.json` with only what a test must change:
    /// port 0 (any free port) and `storage.url` pointing at the test's database.
    static func configDirectory(_ name: String, storageURL: String) throws -> URL {
        let data = try Data(contentsOf: file(name))
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              var server = object["server"] as? [String: Any] else {
            throw BinaryRunner.Failure(description: "examples/plugins.\(name).json is not an object with a server member")
        }
        server["port"] = 0
        object["server"] = server
        object["storage"] = ["url": storageURL]
        let text = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try BinaryRunner.configDirectory(String(decoding: text, as: UTF8.self))
    }

    /// A Flow endpoint key made by `switchboard flows keygen`, in a fresh directory.
    static func privateKey() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-keys-\(UUID().uuidString)")
        let result = try BinaryRunner.run(["flows", "keygen", "--out", dir.path])
        guard result.status == 0 else { throw BinaryRunner.Failure(description: "flows keygen failed: \(result.stderr)") }
        return dir.appendingPathComponent("private.pem").path
    }
}
