/// Cryptography a plugin may need, implemented by the kernel over OpenSSL.
/// All inputs and outputs are bytes; nothing here logs.
public protocol CryptoProvider: Sendable {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8]
    /// SHA-256 of `data` (32 bytes).
    func sha256(_ data: [UInt8]) -> [UInt8]
    /// Compares two byte strings in time that depends only on their lengths.
    func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool
    /// `count` bytes from the system's CSPRNG.
    func randomBytes(_ count: Int) throws -> [UInt8]
    /// Loads an RSA private key from PEM (PKCS#1, PKCS#8, encrypted PKCS#8, legacy encrypted PKCS#1).
    func loadPrivateKey(pem: [UInt8], passphrase: String?) throws -> any PrivateKey
    /// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    func rsaOAEPSHA256Decrypt(_ ciphertext: [UInt8], with key: any PrivateKey) throws -> [UInt8]
    /// AES-GCM (key of 16, 24 or 32 bytes) with an IV of the caller's length and a 16-byte tag;
    /// returns ciphertext followed by the tag.
    func aesGCMSeal(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8]
    /// Opens ciphertext-followed-by-16-byte-tag; throws when the tag does not verify.
    func aesGCMOpen(_ sealed: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8]
}

/// An opaque loaded private key. Only the kernel's crypto provider can use it.
public protocol PrivateKey: Sendable {
    /// Key size in bits (2048 for a Flow endpoint key).
    var bits: Int { get }
}

/// Why a crypto operation failed. Messages never contain key material.
public struct CryptoError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalidKey = "invalid_key"
        case decryptionFailed = "decryption_failed"
        case invalidInput = "invalid_input"
        case randomFailed = "random_failed"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

extension CryptoProvider {
    /// Lower-case hex of `bytes`.
    public func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
