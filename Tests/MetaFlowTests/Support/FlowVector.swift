import Foundation
import Kernel
import PluginAPI
@testable import MetaFlow

/// A test failure with a message (fixtures missing, a server that would not start).
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The fixtures copied from the shared protocol notes (`Fixtures/vectors`, test keys only).
enum Fixtures {
    static func url(_ relative: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw TestFailure("the Fixtures resource folder is missing from the test bundle")
        }
        return root.appendingPathComponent(relative)
    }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: try url(relative)) }

    /// A key file's path under `vectors/` (`keys/endpoint_private_pkcs8.pem`).
    static func keyPath(_ file: String) throws -> String { try url("vectors/" + file).path }

    static func vector(_ name: String) throws -> FlowVector {
        try JSONDecoder().decode(FlowVector.self, from: try data("vectors/\(name).json"))
    }

    /// Every vector, by name, as `index.json` lists them.
    static let vectorNames = [
        "ping", "init", "data_exchange_final", "back", "error_notification", "data_exchange_passphrase_key",
        "flow_token_expired_427", "corrupt_wrong_rsa_key_421", "corrupt_gcm_tag_421", "bad_signature_432",
    ]
}

/// One vector file: the exact HTTP request, the AES key and IV inside it, and the expected answer.
struct FlowVector: Decodable {
    struct HTTPRequest: Decodable {
        var headers: [String: String]
        var body: String
    }

    struct Intermediate: Decodable {
        var aesKeyHex: String
        var initialVectorHex: String

        enum CodingKeys: String, CodingKey {
            case aesKeyHex = "aes_key_hex"
            case initialVectorHex = "initial_vector_hex"
        }
    }

    struct RequestBody: Decodable {
        var encryptedAESKey: String
        var initialVector: String

        enum CodingKeys: String, CodingKey {
            case encryptedAESKey = "encrypted_aes_key"
            case initialVector = "initial_vector"
        }
    }

    var name: String
    var privateKeyFile: String
    var privateKeyPassphrase: String?
    var sameKeyOtherFiles: [String]
    var appSecret: String
    var httpRequest: HTTPRequest
    var requestBody: RequestBody
    var intermediate: Intermediate
    var expectedStatus: Int
    var responseJSON: MetaFlow.JSONValue?
    var expectedResponseContentType: String?

    enum CodingKeys: String, CodingKey {
        case name
        case privateKeyFile = "private_key_file"
        case privateKeyPassphrase = "private_key_passphrase"
        case sameKeyOtherFiles = "same_key_other_files"
        case appSecret = "app_secret"
        case httpRequest = "http_request"
        case requestBody = "request_body"
        case intermediate
        case expectedStatus = "expected_status"
        case responseJSON = "response_json"
        case expectedResponseContentType = "expected_response_content_type"
    }

    var body: [UInt8] { Array(httpRequest.body.utf8) }
    var signature: String { httpRequest.headers["X-Hub-Signature-256"] ?? "" }
    var aesKey: [UInt8] { Hex.bytes(intermediate.aesKeyHex) }
    var iv: [UInt8] { Hex.bytes(intermediate.initialVectorHex) }

    /// Decrypts an answer body with this request's key and the flipped IV, as the client does.
    func decryptAnswer(_ body: [UInt8]) throws -> MetaFlow.JSONValue {
        try FlowSealer.open(body, key: aesKey, requestIV: iv)
    }
}

enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index + 1 < digits.count, let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) {
            out.append(byte)
            index += 2
        }
        return out
    }
}

/// Writes fresh requests the way Meta's client does, reusing a vector's RSA-wrapped AES key
/// (the kernel offers RSA decryption only; a new payload under a known key is all a test needs).
struct FlowSealer {
    let vector: FlowVector
    let appSecret: String
    private let crypto = OpenSSLCrypto()

    init(vector: FlowVector, appSecret: String? = nil) {
        self.vector = vector
        self.appSecret = appSecret ?? vector.appSecret
    }

    /// The body and headers of a request carrying `payload` (a JSON object's text).
    func request(_ payload: String) throws -> (body: [UInt8], headers: HTTPHeaders) {
        let sealed = try crypto.aesGCMSeal(Array(payload.utf8), key: vector.aesKey, iv: vector.iv)
        let envelope: MetaFlow.JSONValue = .object([
            "encrypted_flow_data": .string(Base64.encode(sealed)),
            "encrypted_aes_key": .string(vector.requestBody.encryptedAESKey),
            "initial_vector": .string(vector.requestBody.initialVector),
        ])
        let body = try JSONText.bytes(envelope)
        return (body, signed(body))
    }

    func signed(_ body: [UInt8]) -> HTTPHeaders {
        ["Content-Type": "application/json",
         "X-Hub-Signature-256": "sha256=" + crypto.hex(crypto.hmacSHA256(key: Array(appSecret.utf8), data: body))]
    }

    func decrypt(_ body: [UInt8]) throws -> MetaFlow.JSONValue { try vector.decryptAnswer(body) }

    static func open(_ body: [UInt8], key: [UInt8], requestIV: [UInt8]) throws -> MetaFlow.JSONValue {
        guard let sealed = Base64.decode(String(decoding: body, as: UTF8.self)) else { throw TestFailure("the answer is not base64") }
        let plaintext = try OpenSSLCrypto().aesGCMOpen(sealed, key: key, iv: requestIV.map { ~$0 })
        return try JSONText.decode(MetaFlow.JSONValue.self, from: plaintext)
    }
}
