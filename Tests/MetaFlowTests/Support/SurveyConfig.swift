import Foundation
import PluginAPI
@testable import MetaFlow

/// The survey the vectors were made for: SURVEY_Q1 … SURVEY_Q5, then SUCCESS; Q1's and Q2's
/// screen data are the ones the vectors expect.
enum SurveyConfig {
    static let appSecret = "test_app_secret_0123456789abcdef"
    static let passphrase = "flows-test-passphrase"

    static func screens() throws -> JSONValue {
        let q1 = try Fixtures.vector("init").responseJSON?.objectValue?["data"] ?? .object([:])
        let q2 = try Fixtures.vector("data_exchange_passphrase_key").responseJSON?.objectValue?["data"] ?? .object([:])
        return .object([
            "SURVEY_Q1": .object(["next": .string("SURVEY_Q2"), "data": q1]),
            "SURVEY_Q2": .object(["next": .string("SURVEY_Q3"), "data": q2]),
            "SURVEY_Q3": .object(["next": .string("SURVEY_Q4")]),
            "SURVEY_Q4": .object(["next": .string("SURVEY_Q5")]),
            "SURVEY_Q5": .object(["next": .string("SUCCESS")]),
        ])
    }

    /// The `plugins.metaflow.config` object; `extra` members are added (or replace).
    static func metaflow(keyPath: String, passphrase: String? = nil, extra: [String: JSONValue] = [:]) throws -> JSONValue {
        var config: [String: JSONValue] = [
            "app_secret": .string(appSecret),
            "private_key_path": .string(keyPath),
            "flows": .object(["survey": .object([
                "flow_id": .string("1234567890"),
                "first_screen": .string("SURVEY_Q1"),
                "screens": try screens(),
            ])]),
            "default_flow": .string("survey"),
        ]
        if let passphrase { config["private_key_passphrase"] = .string(passphrase) }
        for (name, value) in extra { config[name] = value }
        return .object(config)
    }

    /// A whole plugins.json text enabling MetaFlow with `metaflow` as its config.
    static func file(_ metaflow: JSONValue, top: [String: JSONValue] = [:]) throws -> String {
        var root = top
        root["plugins"] = .object(["metaflow": .object(["enabled": .bool(true), "config": metaflow])])
        return try JSONText.string(JSONValue.object(root))
    }

    /// The config the vector `name` needs: its key file, and strict tokens for the 427 case.
    static func file(forVector vector: FlowVector, keyFile: String? = nil) throws -> String {
        let extra: [String: JSONValue] = vector.expectedStatus == 427 ? ["strict_tokens": .bool(true)] : [:]
        return try file(try metaflow(keyPath: try Fixtures.keyPath(keyFile ?? vector.privateKeyFile),
                                     passphrase: vector.privateKeyPassphrase, extra: extra))
    }
}
