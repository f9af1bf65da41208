import COpenSSL
import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// OpenSSLCrypto and Base64 against published test vectors and the WhatsApp Flows vectors in
/// `Fixtures/meta` (test keys only).
@Suite struct CryptoTests {
    let crypto = OpenSSLCrypto()

    // MARK: - digests

    /// RFC 4231 §4.2 and §4.3, plus the empty key and message (a NULL-pointer edge case in OpenSSL 3.0).
    @Test(arguments: [
        (key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
         mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
         mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (key: [], data: [],
         mac: "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ])
    func hmacSHA256(key: [UInt8], data: [UInt8], mac: String) {
        #expect(crypto.hex(crypto.hmacSHA256(key: key, data: data)) == mac)
    }

    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ])
    func sha256(input: String, digest: String) {
        #expect(crypto.hex(crypto.sha256(Array(input.utf8))) == digest)
    }

    @Test func constantTimeEquals() {
        let a: [UInt8] = [1, 2, 3, 4]
        #expect(crypto.constantTimeEquals(a, [1, 2, 3, 4]))
        #expect(!crypto.constantTimeEquals(a, [0, 2, 3, 4]))
        #expect(!crypto.constantTimeEquals(a, [1, 2, 3, 5]))
        #expect(!crypto.constantTimeEquals(a, [1, 2, 3]))
        #expect(!crypto.constantTimeEquals(a, [1, 2, 3, 4, 5]))
        #expect(crypto.constantTimeEquals([], []))
        #expect(!crypto.constantTimeEquals([], [0]))
        #expect(!crypto.constantTimeEquals([0], []))
    }

    @Test func randomBytes() throws {
        for count in [0, 1, 16, 32, 1000] {
            #expect(try crypto.randomBytes(count).count == count)
        }
        var seen = Set<[UInt8]>()
        for _ in 0..<50 {
            seen.insert(try crypto.randomBytes(32))
        }
        #expect(seen.count == 50)
        #expect(throws: CryptoError.self) { try crypto.randomBytes(-1) }
    }

    // MARK: - private keys

    /// Every PEM form in the vectors, with the passphrase the index gives for the encrypted ones.
    static let keyForms: [(file: String, passphrase: String?)] = [
        ("endpoint_private_pkcs8.pem", nil),
        ("endpoint_private_pkcs1.pem", nil),
        ("other_private_pkcs8.pem", nil),
        ("passphrase_private_pkcs1_des3.pem", MetaVectors.passphrase),
        ("passphrase_private_pkcs8_des3.pem", MetaVectors.passphrase),
        ("passphrase_private_pkcs8_aes256.pem", MetaVectors.passphrase),
    ]

    @Test(arguments: keyForms)
    func loadsEveryPEMForm(file: String, passphrase: String?) throws {
        let key = try crypto.loadPrivateKey(pem: try Fixture.bytes("keys/\(file)"), passphrase: passphrase)
        #expect(key.bits == 2048)
        #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
    }

    @Test func passphraseIsIgnoredForAnUnencryptedKey() throws {
        let pem = try Fixture.bytes("keys/endpoint_private_pkcs8.pem")
        #expect(try crypto.loadPrivateKey(pem: pem, passphrase: "unused").bits == 2048)
    }

    @Test(arguments: ["passphrase_private_pkcs1_des3.pem", "passphrase_private_pkcs8_des3.pem",
                      "passphrase_private_pkcs8_aes256.pem"])
    func encryptedKeyNeedsTheRightPassphrase(file: String) throws {
        let pem = try Fixture.bytes("keys/\(file)")
        let wrong = "wrong-passphrase-7f3a"
        for passphrase in [wrong, "", MetaVectors.passphrase + "x", nil] as [String?] {
            let error = try #require(throws: CryptoError.self) {
                try crypto.loadPrivateKey(pem: pem, passphrase: passphrase)
            }
            #expect(error.kind == .invalidKey)
            #expect(!error.description.contains(wrong))
            #expect(!error.description.contains(MetaVectors.passphrase))
            #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
        }
    }

    @Test func missingPassphraseSaysSo() throws {
        let pem = try Fixture.bytes("keys/passphrase_private_pkcs8_aes256.pem")
        let error = try #require(throws: CryptoError.self) { try crypto.loadPrivateKey(pem: pem, passphrase: nil) }
        #expect(error == CryptoError(.invalidKey, "private key is encrypted and no passphrase was given"))
    }

    @Test func garbageIsNotAKey() throws {
        let real = try Fixture.bytes("keys/endpoint_private_pkcs8.pem")
        let inputs: [[UInt8]] = [
            [],
            Array("not a pem at all".utf8),
            Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8),
            Array(real.prefix(real.count / 2)),
            try Fixture.bytes("keys/endpoint_public.pem"),
            try crypto.randomBytes(512),
        ]
        for pem in inputs {
            let error = try #require(throws: CryptoError.self) { try crypto.loadPrivateKey(pem: pem, passphrase: nil) }
            #expect(error.kind == .invalidKey)
            #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
        }
    }

    @Test func refusesAKeyFromElsewhere() throws {
        struct ForeignKey: PrivateKey { var bits: Int { 2048 } }
        let error = try #require(throws: CryptoError.self) {
            try crypto.rsaOAEPSHA256Decrypt([UInt8](repeating: 1, count: 256), with: ForeignKey())
        }
        #expect(error.kind == .invalidKey)
    }

    @Test func rsaCiphertextOfTheWrongLengthFails() throws {
        let key = try MetaVectors.endpointKey(crypto)
        for count in [0, 16, 255, 257] {
            let error = try #require(throws: CryptoError.self) {
                try crypto.rsaOAEPSHA256Decrypt([UInt8](repeating: 7, count: count), with: key)
            }
            #expect(error.kind == .decryptionFailed)
            #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
        }
    }

    /// One loaded key, many threads: the reason OpenSSLPrivateKey may be Sendable.
    @Test func concurrentDecryptionsShareOneKey() async throws {
        let key = try MetaVectors.endpointKey(crypto)
        let vector = try MetaVectors.load("init.json")
        let wrapped = try #require(Base64.decode(vector.requestBody.encryptedAESKey))
        let crypto = self.crypto
        let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask { try crypto.rsaOAEPSHA256Decrypt(wrapped, with: key) }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(keys.count == 16)
        #expect(Set(keys.map { crypto.hex($0) }) == [vector.intermediate.aesKeyHex])
    }

    // MARK: - WhatsApp Flows vectors

    @Test func indexListsTheVectorsWeRun() throws {
        #expect(try MetaVectors.indexFiles().sorted() == MetaVectors.files.sorted())
    }

    /// The whole Flow exchange for each vector: signature, RSA unwrap with every PEM form of the
    /// key, AES-GCM open, then the response sealed under the flipped IV.
    @Test(arguments: MetaVectors.files)
    func flowVector(file: String) throws {
        let vector = try MetaVectors.load(file)

        // 1. X-Hub-Signature-256 over the exact raw body
        let signature = "sha256=" + crypto.hex(crypto.hmacSHA256(key: Array(vector.appSecret.utf8),
                                                                 data: Array(vector.httpRequest.body.utf8)))
        let header = try #require(vector.httpRequest.headers["X-Hub-Signature-256"])
        #expect(crypto.constantTimeEquals(Array(signature.utf8), Array(header.utf8)) == (vector.expectedStatus != 432))

        // 2. base64 fields
        let wrappedKey = try #require(Base64.decode(vector.requestBody.encryptedAESKey))
        let iv = try #require(Base64.decode(vector.requestBody.initialVector))
        let sealed = try #require(Base64.decode(vector.requestBody.encryptedFlowData))
        #expect(wrappedKey.count == 256)
        #expect(iv.count == 16)
        #expect(crypto.hex(iv) == vector.intermediate.initialVectorHex)

        let keys = try ([vector.privateKeyFile] + vector.sameKeyOtherFiles).map { path in
            try crypto.loadPrivateKey(pem: try Fixture.bytes(path), passphrase: vector.privateKeyPassphrase)
        }

        // 3. vectors that must not decrypt: each step either succeeds honestly or fails as decryptionFailed
        if vector.expectedStatus == 421 {
            var failed = false
            for key in keys {
                do {
                    let aesKey = try crypto.rsaOAEPSHA256Decrypt(wrappedKey, with: key)
                    #expect(crypto.hex(aesKey) == vector.intermediate.aesKeyHex)
                    let error = try #require(throws: CryptoError.self) { try crypto.aesGCMOpen(sealed, key: aesKey, iv: iv) }
                    #expect(error.kind == .decryptionFailed)
                    failed = true
                } catch let error as CryptoError {
                    #expect(error.kind == .decryptionFailed)
                    failed = true
                }
                #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
            }
            #expect(failed)
            return
        }

        // 4. RSA-OAEP unwraps the same AES-128 key with every form of the private key
        var aesKey: [UInt8] = []
        for key in keys {
            aesKey = try crypto.rsaOAEPSHA256Decrypt(wrappedKey, with: key)
            #expect(crypto.hex(aesKey) == vector.intermediate.aesKeyHex)
        }
        #expect(aesKey.count == 16)

        // 5. AES-GCM with the 16-byte IV gives the request, byte for byte and as JSON
        let plaintext = try crypto.aesGCMOpen(sealed, key: aesKey, iv: iv)
        #expect(String(decoding: plaintext, as: UTF8.self) == vector.decryptedRequestUTF8)
        let decoded = try JSONSerialization.jsonObject(with: Data(plaintext)) as? NSDictionary
        let expected = try MetaVectors.decryptedRequest(file)
        #expect(decoded?.isEqual(to: expected) == true)

        // 6. the response under the flipped IV matches the vector's body exactly
        let responseIV = iv.map { $0 ^ 0xFF }
        #expect(crypto.hex(responseIV) == vector.intermediate.responseIVHex)
        guard let response = vector.responsePlaintextUTF8, !vector.expectedResponseBody.isEmpty else { return }
        let body = try crypto.aesGCMSeal(Array(response.utf8), key: aesKey, iv: responseIV)
        #expect(Base64.encode(body) == vector.expectedResponseBody)
        #expect(try crypto.aesGCMOpen(body, key: aesKey, iv: responseIV) == Array(response.utf8))
    }

    /// The 421 RSA vector is broken only for our key: the key it was made for opens it.
    @Test func wrongKeyVectorOpensWithTheOtherKey() throws {
        let vector = try MetaVectors.load("corrupt_wrong_rsa_key_421.json")
        let other = try crypto.loadPrivateKey(pem: try Fixture.bytes("keys/other_private_pkcs8.pem"), passphrase: nil)
        let wrapped = try #require(Base64.decode(vector.requestBody.encryptedAESKey))
        let iv = try #require(Base64.decode(vector.requestBody.initialVector))
        let sealed = try #require(Base64.decode(vector.requestBody.encryptedFlowData))
        let aesKey = try crypto.rsaOAEPSHA256Decrypt(wrapped, with: other)
        let plaintext = try crypto.aesGCMOpen(sealed, key: aesKey, iv: iv)
        #expect(String(decoding: plaintext, as: UTF8.self) == vector.decryptedRequestUTF8)
    }

    /// The 421 tag vector differs from a good message by one bit, and only in the tag.
    @Test func corruptTagVectorOpensOnceRepaired() throws {
        let vector = try MetaVectors.load("corrupt_gcm_tag_421.json")
        let aesKey = try #require(hexBytes(vector.intermediate.aesKeyHex))
        let iv = try #require(Base64.decode(vector.requestBody.initialVector))
        var sealed = try #require(Base64.decode(vector.requestBody.encryptedFlowData))
        sealed[sealed.count - 1] ^= 0x01
        let plaintext = try crypto.aesGCMOpen(sealed, key: aesKey, iv: iv)
        #expect(String(decoding: plaintext, as: UTF8.self) == vector.decryptedRequestUTF8)
    }

    // MARK: - AES-GCM

    /// McGrew & Viega GCM test cases 1 and 2 (AES-128, zero key, 12-byte zero IV).
    @Test func aesGCMKnownAnswers() throws {
        let key = [UInt8](repeating: 0, count: 16), iv = [UInt8](repeating: 0, count: 12)
        #expect(crypto.hex(try crypto.aesGCMSeal([], key: key, iv: iv)) == "58e2fccefa7e3061367f1d57a4e7455a")
        #expect(crypto.hex(try crypto.aesGCMSeal([UInt8](repeating: 0, count: 16), key: key, iv: iv))
            == "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf")
    }

    @Test(arguments: [16, 24, 32], [12, 16])
    func aesGCMRoundTrip(keyLength: Int, ivLength: Int) throws {
        let key = try crypto.randomBytes(keyLength), iv = try crypto.randomBytes(ivLength)
        for plaintext in [[], Array("{\"data\":{\"status\":\"active\"}}".utf8), try crypto.randomBytes(1000)] {
            let sealed = try crypto.aesGCMSeal(plaintext, key: key, iv: iv)
            #expect(sealed.count == plaintext.count + 16)
            #expect(try crypto.aesGCMOpen(sealed, key: key, iv: iv) == plaintext)

            var badTag = sealed
            badTag[badTag.count - 1] ^= 0x80
            var badText = sealed
            badText[0] ^= 0x01
            var otherIV = iv
            otherIV[0] ^= 0x01
            var attempts: [(sealed: [UInt8], iv: [UInt8])] = [(badTag, iv), (sealed, otherIV)]
            if !plaintext.isEmpty { attempts.append((badText, iv)) }
            for (candidate, candidateIV) in attempts {
                let error = try #require(throws: CryptoError.self) {
                    try crypto.aesGCMOpen(candidate, key: key, iv: candidateIV)
                }
                #expect(error.kind == .decryptionFailed)
                #expect(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
            }
        }
    }

    /// A 16-byte IV is not a 12-byte IV padded: the length must reach OpenSSL before the IV does.
    @Test func ivLengthMatters() throws {
        let key = [UInt8](repeating: 3, count: 16), iv16 = [UInt8](repeating: 5, count: 16)
        let sealed = try crypto.aesGCMSeal(Array("hello".utf8), key: key, iv: iv16)
        #expect(throws: CryptoError.self) { try crypto.aesGCMOpen(sealed, key: key, iv: Array(iv16.prefix(12))) }
    }

    @Test func aesGCMRejectsBadParameters() throws {
        let iv = [UInt8](repeating: 0, count: 12)
        for keyLength in [0, 15, 17, 31, 33, 64] {
            let error = try #require(throws: CryptoError.self) {
                try crypto.aesGCMSeal([1], key: [UInt8](repeating: 0, count: keyLength), iv: iv)
            }
            #expect(error.kind == .invalidInput)
        }
        let key = [UInt8](repeating: 0, count: 16)
        for ivLength in [0, 129] {
            let error = try #require(throws: CryptoError.self) {
                try crypto.aesGCMOpen([UInt8](repeating: 0, count: 32), key: key, iv: [UInt8](repeating: 0, count: ivLength))
            }
            #expect(error.kind == .invalidInput)
        }
        for count in [0, 1, 15] {
            let error = try #require(throws: CryptoError.self) {
                try crypto.aesGCMOpen([UInt8](repeating: 0, count: count), key: key, iv: iv)
            }
            #expect(error.kind == .decryptionFailed)
        }
    }

    // MARK: - Base64

    /// RFC 4648 §10.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64RFC4648(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.decode(unpadded) == Array(plain.utf8))
    }

    @Test(arguments: ["Zg=", "Zg===", "Z", "Z===", "=", "==", "====", "Zm9vY", "Zm9v\n", "Zm9v ", " Zm9v", "Zm 9v",
                      "Zm9v\r\nYmFy", "Zm-_", "Zm9v_w==", "=Zm9", "Zm=v", "Zm9v=", "Zm9vYg==Zm9v", "Zmé=",
                      "Zh==", "Zm9=", "Zg==\0"])
    func base64RejectsNonStrictInput(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    /// Agrees with Foundation on every length, including all 256 byte values.
    @Test func base64MatchesFoundation() throws {
        for count in 0..<48 {
            let bytes = try crypto.randomBytes(count)
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64.encode(all) == Data(all).base64EncodedString())
        #expect(Base64.decode(Data(all).base64EncodedString()) == all)
    }
}

// MARK: - fixtures

/// Reads files under `Fixtures/meta` from the test bundle.
enum Fixture {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "fixture not found: Fixtures/meta/\(path)" }
    }

    /// The bytes of `path`, relative to `Fixtures/meta` (for example `keys/endpoint_private_pkcs8.pem`).
    static func bytes(_ path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().relativePath
        let subdirectory = directory == "." ? "Fixtures/meta" : "Fixtures/meta/\(directory)"
        guard let found = Bundle.module.url(forResource: url.deletingPathExtension().lastPathComponent,
                                            withExtension: url.pathExtension, subdirectory: subdirectory)
        else { throw Missing(path: path) }
        return Array(try Data(contentsOf: found))
    }
}

/// The WhatsApp Flows vectors (`Fixtures/meta/*.json`), described by `index.json`.
enum MetaVectors {
    /// Every vector file in `index.json`; ``CryptoTests/indexListsTheVectorsWeRun()`` keeps this honest.
    static let files = [
        "ping.json", "init.json", "data_exchange_final.json", "back.json", "error_notification.json",
        "data_exchange_passphrase_key.json", "flow_token_expired_427.json", "corrupt_wrong_rsa_key_421.json",
        "corrupt_gcm_tag_421.json", "bad_signature_432.json",
    ]

    /// The test passphrase of key B (also in `index.json`).
    static let passphrase = "flows-test-passphrase"

    struct Index: Decodable {
        struct Entry: Decodable { var file: String }
        var passphrase: String
        var vectors: [Entry]
    }

    struct Vector: Decodable {
        struct HTTPRequest: Decodable {
            var headers: [String: String]
            var body: String
        }

        struct RequestBody: Decodable {
            var encryptedFlowData: String
            var encryptedAESKey: String
            var initialVector: String

            enum CodingKeys: String, CodingKey {
                case encryptedFlowData = "encrypted_flow_data"
                case encryptedAESKey = "encrypted_aes_key"
                case initialVector = "initial_vector"
            }
        }

        struct Intermediate: Decodable {
            var aesKeyHex: String
            var initialVectorHex: String
            var responseIVHex: String

            enum CodingKeys: String, CodingKey {
                case aesKeyHex = "aes_key_hex"
                case initialVectorHex = "initial_vector_hex"
                case responseIVHex = "response_iv_hex"
            }
        }

        var name: String
        var privateKeyFile: String
        var privateKeyPassphrase: String?
        var sameKeyOtherFiles: [String]
        var appSecret: String
        var httpRequest: HTTPRequest
        var requestBody: RequestBody
        var decryptedRequestUTF8: String
        var intermediate: Intermediate
        var expectedStatus: Int
        var responsePlaintextUTF8: String?
        var expectedResponseBody: String

        enum CodingKeys: String, CodingKey {
            case name
            case privateKeyFile = "private_key_file"
            case privateKeyPassphrase = "private_key_passphrase"
            case sameKeyOtherFiles = "same_key_other_files"
            case appSecret = "app_secret"
            case httpRequest = "http_request"
            case requestBody = "request_body"
            case decryptedRequestUTF8 = "decrypted_request_utf8"
            case intermediate
            case expectedStatus = "expected_status"
            case responsePlaintextUTF8 = "response_plaintext_utf8"
            case expectedResponseBody = "expected_response_body"
        }
    }

    static func indexFiles() throws -> [String] {
        let index = try JSONDecoder().decode(Index.self, from: Data(try Fixture.bytes("index.json")))
        #expect(index.passphrase == passphrase)
        return index.vectors.map(\.file)
    }

    static func load(_ file: String) throws -> Vector {
        try JSONDecoder().decode(Vector.self, from: Data(try Fixture.bytes(file)))
    }

    /// The vector's `decrypted_request` object, for a comparison that ignores key order and spacing.
    static func decryptedRequest(_ file: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(try Fixture.bytes(file))) as? [String: Any]
        return try #require(object?["decrypted_request"] as? [String: Any])
    }

    /// Key A, the endpoint's key.
    static func endpointKey(_ crypto: OpenSSLCrypto) throws -> any PrivateKey {
        try crypto.loadPrivateKey(pem: try Fixture.bytes("keys/endpoint_private_pkcs8.pem"), passphrase: nil)
    }
}

/// Bytes of lower-case or upper-case hex, or nil.
private func hexBytes(_ hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out = [UInt8]()
    var index = 0
    while index < digits.count {
        guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
        out.append(byte)
        index += 2
    }
    return out
}
