import FoundationEssentials
import PluginAPI

/// The Flow endpoint's envelope (data_api_version 3.0): RSA-OAEP-SHA256 (MGF1-SHA256, empty
/// label) unwraps a 16-byte AES key; AES-128-GCM with the request's 16-byte IV and the tag
/// last opens the payload. Answers are sealed with the same key and the IV's bits flipped.
enum FlowCipher {
    /// The request body: three base64 strings. Parsed with a real JSON parser, so `\/`
    /// escapes (Meta's sample writes them) are just `/`.
    struct Envelope: Decodable {
        var encryptedFlowData: String
        var encryptedAESKey: String
        var initialVector: String

        enum CodingKeys: String, CodingKey {
            case encryptedFlowData = "encrypted_flow_data"
            case encryptedAESKey = "encrypted_aes_key"
            case initialVector = "initial_vector"
        }
    }

    /// What one request's answer is sealed with.
    struct Session: Sendable {
        let key: [UInt8]
        let requestIV: [UInt8]

        /// The request IV with every bit inverted.
        var responseIV: [UInt8] { requestIV.map { ~$0 } }

        /// `plaintext` sealed for the client: base64 of ciphertext followed by the tag.
        func seal(_ plaintext: [UInt8], crypto: any CryptoProvider) throws -> String {
            Data(try crypto.aesGCMSeal(plaintext, key: key, iv: responseIV)).base64EncodedString()
        }
    }

    /// Decrypts a request body. Every failure is `.undecryptable` (answered 421), with a
    /// reason for the log that names the step, never the data.
    static func open(_ body: [UInt8], with privateKey: any PrivateKey, crypto: any CryptoProvider) throws(FlowEndpointError) -> (Session, [UInt8]) {
        let envelope: Envelope
        do {
            envelope = try JSONText.decode(Envelope.self, from: body)
        } catch {
            throw FlowEndpointError(.undecryptable, "body is not JSON with encrypted_flow_data, encrypted_aes_key and initial_vector strings")
        }
        guard let sealed = base64(envelope.encryptedFlowData), let wrappedKey = base64(envelope.encryptedAESKey),
              let iv = base64(envelope.initialVector) else {
            throw FlowEndpointError(.undecryptable, "a field is not valid base64")
        }
        guard iv.count == 16 else { throw FlowEndpointError(.undecryptable, "initial_vector is \(iv.count) bytes, expected 16") }
        let aesKey: [UInt8]
        do {
            aesKey = try crypto.rsaOAEPSHA256Decrypt(wrappedKey, with: privateKey)
        } catch {
            throw FlowEndpointError(.undecryptable, "encrypted_aes_key does not decrypt with our private key (the client may hold an old public key)")
        }
        guard aesKey.count == 16 else { throw FlowEndpointError(.undecryptable, "the AES key is \(aesKey.count) bytes, expected 16") }
        do {
            let plaintext = try crypto.aesGCMOpen(sealed, key: aesKey, iv: iv)
            return (Session(key: aesKey, requestIV: iv), plaintext)
        } catch {
            throw FlowEndpointError(.undecryptable, "encrypted_flow_data fails AES-GCM authentication")
        }
    }

    /// Standard base64 with padding; nil for anything else.
    static func base64(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { Array($0) }
    }
}
