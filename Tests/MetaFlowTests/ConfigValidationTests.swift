import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// `plugins.metaflow.config`: strict keys, what the endpoint requires, names that must exist.
/// Every error names its JSON path.
@Suite("metaflow config")
struct ConfigValidationTests {
    static let root = "plugins.metaflow.config"

    static func error(_ config: JSONValue) throws -> String? {
        do {
            _ = try PluginTestHost(plugins: [MetaFlowPlugin.self], config: try SurveyConfig.file(config))
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func survey(_ change: (inout [String: JSONValue]) -> Void) throws -> JSONValue {
        guard case .object(var config) = try SurveyConfig.metaflow(keyPath: "/keys/flow.pem") else { throw TestFailure("not an object") }
        change(&config)
        return .object(config)
    }

    @Test func anEmptyConfigRegistersNoEndpoint() async throws {
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(.object([:])))
        #expect(await endpoint.host.request(.post, "/metaflow/endpoint", text: "{}").status == 404)
        #expect(try await endpoint.responses().isEmpty)
        await endpoint.stop()
    }

    @Test func everyKeyOfTheShapeIsAccepted() throws {
        let config = try Self.survey { config in
            config["private_key_passphrase"] = .string("secret-passphrase")
            config["verify_token"] = .string("verify")
            config["access_token"] = .string("token")
            config["phone_number_id"] = .string("1055")
            config["graph_base_url"] = .string("https://graph.facebook.com/v21.0")
            config["token_pattern"] = .string("deepal-{phone}-{uuid}")
            config["strict_tokens"] = .bool(false)
            config["token_ttl"] = .string("7d")
            if case .object(var flows) = config["flows"], case .object(var survey) = flows["survey"] {
                survey["completion_params"] = .object(["a": .integer(1)])
                survey["cta"] = .string("Start")
                survey["body"] = .string("Tell us")
                survey["template"] = .object(["name": .string("survey_v1"), "language": .string("pt_BR")])
                flows["survey"] = .object(survey)
                config["flows"] = .object(flows)
            }
        }
        #expect(try Self.error(config) == nil)
    }

    @Test func theEndpointNeedsTheAppSecretAndFlows() throws {
        #expect(try Self.error(Self.survey { $0.removeValue(forKey: "app_secret") })?.hasPrefix("\(Self.root).app_secret: required by the Flow endpoint") == true)
        let noFlows = try Self.survey { $0.removeValue(forKey: "flows"); $0.removeValue(forKey: "default_flow") }
        #expect(try Self.error(noFlows)?.hasPrefix("\(Self.root).flows: required by the Flow endpoint") == true)
    }

    /// Flows without a private key are for sending (their answers come through the webhook):
    /// only what a route needs is required.
    @Test func flowsWithoutAKeyAreValid() throws {
        #expect(try Self.error(Self.survey { $0.removeValue(forKey: "private_key_path") }) == nil)
    }

    @Test func namesMustExist() throws {
        #expect(try Self.error(Self.survey { $0["default_flow"] = .string("other") })?.hasPrefix("\(Self.root).default_flow: no flow named \"other\"") == true)
        let badFirst = try Self.survey { config in
            config["flows"] = .object(["survey": .object(["first_screen": .string("NOPE"), "screens": .object(["A": .object([:])])])])
        }
        #expect(try Self.error(badFirst)?.hasPrefix("\(Self.root).flows.survey.first_screen: no screen \"NOPE\"") == true)
        let badNext = try Self.survey { config in
            config["flows"] = .object(["survey": .object(["first_screen": .string("A"), "screens": .object(["A": .object(["next": .string("B")])])])])
        }
        #expect(try Self.error(badNext)?.hasPrefix("\(Self.root).flows.survey.screens.A.next: no screen \"B\"") == true)
    }

    @Test func strictDecodingNamesThePath() throws {
        #expect(try Self.error(Self.survey { $0["strict_token"] = .bool(true) })?.contains("\(Self.root).strict_token") == true)
        #expect(try Self.error(Self.survey { $0["token_ttl"] = .string("soon") })?.contains("\(Self.root).token_ttl") == true)
        #expect(try Self.error(Self.survey { $0["send_wait"] = .string("2m") })?.contains("\(Self.root).send_wait: must be at most 1m") == true)
        #expect(try Self.error(Self.survey { $0["send_wait"] = .string("30s") }) == nil)
        let unknownScreenKey = try Self.survey { config in
            config["flows"] = .object(["survey": .object(["first_screen": .string("A"), "screens": .object(["A": .object(["nxt": .string("SUCCESS")])])])])
        }
        #expect(try Self.error(unknownScreenKey)?.contains("\(Self.root).flows.survey.screens.A.nxt") == true)
    }

    /// With one flow and no default_flow, `/metaflow/endpoint` serves that flow.
    @Test func theOnlyFlowIsTheDefault() async throws {
        let vector = try Fixtures.vector("init")
        let config = try Self.survey { config in
            config.removeValue(forKey: "default_flow")
            config["private_key_path"] = .string((try? Fixtures.keyPath("keys/endpoint_private_pkcs8.pem")) ?? "")
        }
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(config))
        let response = await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature]))
        #expect(response.status == 200)
        await endpoint.stop()
    }
}
