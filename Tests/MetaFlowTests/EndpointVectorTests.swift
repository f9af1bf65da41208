import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// The ten shared vectors through the real router and handler (in-process): the expected
/// status, and for answers the decrypted JSON (compared as JSON, not bytes).
@Suite("flow endpoint vectors")
struct EndpointVectorTests {
    @Test(arguments: Fixtures.vectorNames)
    func vector(name: String) async throws {
        let vector = try Fixtures.vector(name)
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(forVector: vector))
        let headers: HTTPHeaders = ["Content-Type": "application/json", "X-Hub-Signature-256": vector.signature]
        let response = await endpoint.post((vector.body, headers))
        #expect(response.status == vector.expectedStatus)
        switch vector.expectedStatus {
        case 200:
            #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(try vector.decryptAnswer(response.body) == vector.responseJSON)
        case 427:
            // Encrypted like any answer (Meta's example, pywa); the message is ours.
            let answer = try vector.decryptAnswer(response.body)
            #expect(answer.objectValue?["error_msg"]?.stringValue?.isEmpty == false)
            #expect(try await endpoint.responses().isEmpty)
        default:
            // 421 and 432: an empty body, nothing stored.
            #expect(response.body.isEmpty)
            #expect(try await endpoint.responses().isEmpty)
        }
        await endpoint.stop()
    }

    /// Every PEM form of each key decrypts: PKCS#8 and PKCS#1 of key A, and key B's three
    /// passphrase-protected forms (legacy DES-EDE3, PKCS#8 DES-EDE3, PKCS#8 AES-256).
    @Test(arguments: [("init", "keys/endpoint_private_pkcs8.pem"), ("init", "keys/endpoint_private_pkcs1.pem"),
                      ("data_exchange_passphrase_key", "keys/passphrase_private_pkcs1_des3.pem"),
                      ("data_exchange_passphrase_key", "keys/passphrase_private_pkcs8_des3.pem"),
                      ("data_exchange_passphrase_key", "keys/passphrase_private_pkcs8_aes256.pem")])
    func everyKeyForm(name: String, keyFile: String) async throws {
        let vector = try Fixtures.vector(name)
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(forVector: vector, keyFile: keyFile))
        let response = await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature]))
        #expect(response.status == 200)
        #expect(try vector.decryptAnswer(response.body) == vector.responseJSON)
        await endpoint.stop()
    }

    /// A wrong passphrase, or none for an encrypted key: the server cannot decrypt anything,
    /// says so in a 500 (not 421, which would only make clients retry), and `start()` refuses to boot.
    @Test(arguments: [nil, "not-the-passphrase"])
    func unusableKeyIsAServerError(passphrase: String?) async throws {
        let vector = try Fixtures.vector("data_exchange_passphrase_key")
        let config = try SurveyConfig.file(try SurveyConfig.metaflow(keyPath: try Fixtures.keyPath("keys/passphrase_private_pkcs8_aes256.pem"),
                                                                     passphrase: passphrase))
        let endpoint = try await EndpointHost.start(config)
        let response = await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature]))
        #expect(response.status == 500)
        #expect(!response.bodyText.contains(SurveyConfig.passphrase))
        await endpoint.stop()
    }

    /// The named route serves the same flow; an unknown flow name is a 404 after the signature check.
    @Test func namedAndUnknownFlows() async throws {
        let vector = try Fixtures.vector("init")
        let endpoint = try await EndpointHost.start(try SurveyConfig.file(forVector: vector))
        let named = await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature]), path: "/metaflow/endpoint/survey")
        #expect(named.status == 200)
        #expect(try vector.decryptAnswer(named.body) == vector.responseJSON)
        let unknown = await endpoint.post((vector.body, ["X-Hub-Signature-256": vector.signature]), path: "/metaflow/endpoint/nope")
        #expect(unknown.status == 404)
        let unsigned = await endpoint.post((vector.body, [:]), path: "/metaflow/endpoint/nope")
        #expect(unsigned.status == 432)
        await endpoint.stop()
    }
}

extension Response {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
