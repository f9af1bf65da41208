import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// The endpoint on a real server bound to loopback: the ten vectors as raw HTTP requests,
/// each on its own key and config, and the boot refusing a key it cannot load.
@Suite("flow endpoint over HTTP", .serialized)
struct EndpointSocketTests {
    /// A kernel with MetaFlow serving `config` (a plugins.json text) on a free port.
    static func server(_ config: String) async throws -> (KernelServer, String) {
        var parsed = try ConfigLoader.parse(Array(config.utf8), environment: [:], knownPlugins: [MetaFlowPlugin.id])
        let url = TestDatabase.sqliteURL()
        parsed.server.port = 0
        parsed.server.eventLoops = 2
        parsed.storage.url = url
        parsed.log.level = .error
        let kernel = try KernelServer(config: parsed, plugins: [MetaFlowPlugin.self])
        try await kernel.start()
        return (kernel, url)
    }

    @Test func allTenVectors() async throws {
        for name in Fixtures.vectorNames {
            let vector = try Fixtures.vector(name)
            let (kernel, url) = try await Self.server(try SurveyConfig.file(forVector: vector))
            let answer = try LoopbackHTTP.post(port: kernel.port, path: "/metaflow/endpoint/survey", headers: vector.httpRequest.headers, body: vector.body)
            #expect(answer.status == vector.expectedStatus, "\(name)")
            switch vector.expectedStatus {
            case 200:
                #expect(answer.headers["content-type"]?.hasPrefix(vector.expectedResponseContentType ?? "text/plain") == true, "\(name)")
                #expect(try vector.decryptAnswer(answer.body) == vector.responseJSON, "\(name)")
            case 427:
                #expect(try vector.decryptAnswer(answer.body).objectValue?["error_msg"] != nil, "\(name)")
            default:
                #expect(answer.body.isEmpty, "\(name)")
            }
            await kernel.stop()
            TestDatabase.remove(url)
        }
    }

    /// A key that cannot be loaded stops the boot with an error naming the config key.
    @Test func bootRefusesAnUnusableKey() async throws {
        let config = try SurveyConfig.file(try SurveyConfig.metaflow(keyPath: try Fixtures.keyPath("keys/passphrase_private_pkcs8_des3.pem"),
                                                                     passphrase: "wrong-passphrase"))
        await #expect {
            let (kernel, url) = try await Self.server(config)
            await kernel.stop()
            TestDatabase.remove(url)
        } throws: { error in
            "\(error)".contains("plugins.metaflow.config.private_key_path") && !"\(error)".contains("wrong-passphrase")
        }
        let missing = try SurveyConfig.file(try SurveyConfig.metaflow(keyPath: "/nonexistent/flow.pem"))
        await #expect {
            let (kernel, url) = try await Self.server(missing)
            await kernel.stop()
            TestDatabase.remove(url)
        } throws: { error in "\(error)".contains("/nonexistent/flow.pem: no such file") }
    }
}
