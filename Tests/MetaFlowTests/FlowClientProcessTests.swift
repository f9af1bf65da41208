import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// An independent client (Python `cryptography`, Fixtures/client/flow_client.py) against the
/// built `switchboard` binary: a fresh passphrase-protected key, fresh requests, INIT → two
/// screens → SUCCESS, every answer decrypted by the client; then the stored response holds
/// the merged answers. Needs python3 with `cryptography` (scripts/test installs python3-cryptography).
@Suite("flow endpoint with a python client", .serialized)
struct FlowClientProcessTests {
    static let appSecret = "py_client_app_secret_5f1c9a"
    static let passphrase = "py-client-passphrase-77"
    static let token = "py-walk-token-0042"

    static func config(dir: URL) throws -> String {
        let metaflow: JSONValue = .object([
            "app_secret": .string("${FLOW_APP_SECRET}"),
            "private_key_path": .string(dir.appendingPathComponent("private.pem").path),
            "private_key_passphrase": .string("${FLOW_KEY_PASSPHRASE}"),
            "flows": .object(["survey": .object([
                "flow_id": .string("998877"),
                "first_screen": .string("QUESTION_ONE"),
                "screens": .object([
                    "QUESTION_ONE": .object(["next": .string("QUESTION_TWO"), "data": .object(["title": .string("How was it?")])]),
                    "QUESTION_TWO": .object(["next": .string("SUCCESS")]),
                ]),
                "completion_params": .object(["survey_version": .integer(2)]),
            ])]),
            "default_flow": .string("survey"),
        ])
        return try SurveyConfig.file(metaflow, top: [
            "storage": .object(["url": .string("sqlite:" + dir.appendingPathComponent("switchboard.db").path)]),
            "log": .object(["level": .string("info")]),
        ])
    }

    static let requests = """
    [{"version":"3.0","action":"ping"},
     {"version":"3.0","action":"INIT","flow_token":"\(token)","screen":"","data":{}},
     {"version":"3.0","action":"data_exchange","screen":"QUESTION_ONE","data":{"rating":"5","site":"https://example.com/x"},"flow_token":"\(token)"},
     {"version":"3.0","action":"BACK","screen":"QUESTION_TWO","flow_token":"\(token)"},
     {"version":"3.0","action":"data_exchange","screen":"QUESTION_ONE","data":{"rating":"4"},"flow_token":"\(token)"},
     {"version":"3.0","action":"data_exchange","screen":"QUESTION_TWO","data":{"comment":"Rápido 🙏","opt_in":true},"flow_token":"\(token)"}]
    """

    @Test func walkAgainstTheBinary() async throws {
        let probe = try ChildProcess.run("python3", ["-c", "import cryptography"])
        try #require(probe.status == 0, "python3 with the cryptography package is needed (Debian: apt-get install python3-cryptography): \(probe.stderr)")
        let client = try Fixtures.url("client/flow_client.py").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mf-py-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["FLOW_APP_SECRET": Self.appSecret, "FLOW_KEY_PASSPHRASE": Self.passphrase]

        // 1. A fresh key pair, the private half encrypted (BEGIN ENCRYPTED PRIVATE KEY).
        let keygen = try ChildProcess.run("python3", [client, "keygen", "--out", dir.path, "--passphrase-env", "FLOW_KEY_PASSPHRASE"], environment: env)
        try #require(keygen.status == 0, "keygen: \(keygen.stderr)")
        let configURL = dir.appendingPathComponent("plugins.json")
        try Self.config(dir: dir).write(to: configURL, atomically: true, encoding: .utf8)

        // 2. The binary, on a free port.
        let server = try ChildProcess(try ChildProcess.builtBinary("switchboard"), ["serve", "--config", configURL.path, "--port", "0"],
                                      environment: env)
        let port = try server.waitForPort()

        // 3. The walk: each answer decrypted by the client with its own key and the flipped IV.
        let walk = try ChildProcess.run("python3", [client, "walk", "--url", "http://127.0.0.1:\(port)/metaflow/endpoint/survey",
                                                    "--public-key", dir.appendingPathComponent("public.pem").path, "--app-secret-env", "FLOW_APP_SECRET"],
                                        environment: env, stdin: Data(Self.requests.utf8))
        server.stop()
        #expect(walk.status == 0, "walk: \(walk.stderr)")
        let results = try walk.stdout.split(separator: "\n").map { try JSONText.decode(JSONValue.self, from: Array($0.utf8)) }
        try #require(results.count == 6, "walk printed: \(walk.stdout) \(walk.stderr)")
        for result in results {
            #expect(result.objectValue?["status"] == .integer(200))
            #expect(result.objectValue?["content_type"]?.stringValue?.hasPrefix("text/plain") == true)
        }
        let answers = results.map { $0.objectValue?["answer"] ?? .null }
        #expect(answers[0] == FlowRouter.active)
        #expect(answers[1] == .screen("QUESTION_ONE", data: ["title": .string("How was it?")]))
        #expect(answers[2] == .screen("QUESTION_TWO", data: [:]))
        #expect(answers[3] == .screen("QUESTION_ONE", data: ["title": .string("How was it?")]))
        #expect(answers[4] == .screen("QUESTION_TWO", data: [:]))
        let merged: [String: JSONValue] = ["rating": .string("4"), "site": .string("https://example.com/x"),
                                           "comment": .string("Rápido 🙏"), "opt_in": .bool(true)]
        var params = merged
        params["survey_version"] = .integer(2)
        params["flow_token"] = .string(Self.token)
        #expect(answers[5] == .object(["screen": .string("SUCCESS"),
                                       "data": .object(["extension_message_response": .object(["params": .object(params)])])]))

        // 4. No secret, passphrase or token in the server's log.
        for secret in [Self.appSecret, Self.passphrase, Self.token] { #expect(!server.stderr.contains(secret)) }

        // 5. The stored response: one record, completed, with the merged answers.
        let host = try PluginTestHost(plugins: [MetaFlowPlugin.self], config: try Self.config(dir: dir), environment: env,
                                      storageURL: "sqlite:" + dir.appendingPathComponent("switchboard.db").path)
        try await host.start()
        let rows = try await host.query("SELECT * FROM metaflow_responses").map(ResponseRow.init)
        await host.stop()
        #expect(rows.count == 1)
        #expect(rows.first?.token == Self.token)
        #expect(rows.first?.status == "completed")
        #expect(rows.first?.answers == .object(merged))
    }

    /// `switchboard flows keygen` makes a pair that works: the Python client encrypts to its
    /// public.pem and the server, configured with its passphrase-protected private.pem, answers.
    @Test func keygenMakesAWorkingPair() async throws {
        let probe = try ChildProcess.run("python3", ["-c", "import cryptography"])
        try #require(probe.status == 0, "python3 with the cryptography package is needed (Debian: apt-get install python3-cryptography): \(probe.stderr)")
        let client = try Fixtures.url("client/flow_client.py").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mf-kg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["FLOW_APP_SECRET": Self.appSecret, "FLOW_KEY_PASSPHRASE": Self.passphrase]
        let binary = try ChildProcess.builtBinary("switchboard")

        let keygen = try ChildProcess.run(binary, ["flows", "keygen", "--out", dir.path, "--passphrase-env", "FLOW_KEY_PASSPHRASE"], environment: env)
        try #require(keygen.status == 0, "keygen: \(keygen.stderr)")
        #expect(keygen.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(keygen.stdout.contains("/whatsapp_business_encryption"))
        #expect(!keygen.stdout.contains(Self.passphrase))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("private.pem").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // A second run never overwrites the key.
        #expect(try ChildProcess.run(binary, ["flows", "keygen", "--out", dir.path]).status == 1)

        let configURL = dir.appendingPathComponent("plugins.json")
        try Self.config(dir: dir).write(to: configURL, atomically: true, encoding: .utf8)
        let server = try ChildProcess(binary, ["serve", "--config", configURL.path, "--port", "0"], environment: env)
        let port = try server.waitForPort()
        let walk = try ChildProcess.run("python3", [client, "walk", "--url", "http://127.0.0.1:\(port)/metaflow/endpoint",
                                                    "--public-key", dir.appendingPathComponent("public.pem").path, "--app-secret-env", "FLOW_APP_SECRET"],
                                        environment: env, stdin: Data(#"[{"version":"3.0","action":"INIT","flow_token":"kg-1"}]"#.utf8))
        server.stop()
        #expect(walk.status == 0, "walk: \(walk.stdout) \(walk.stderr)")
        let result = try JSONText.decode(JSONValue.self, from: Array(walk.stdout.utf8))
        #expect(result.objectValue?["answer"] == .screen("QUESTION_ONE", data: ["title": .string("How was it?")]))
    }
}
