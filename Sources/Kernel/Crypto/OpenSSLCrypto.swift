import COpenSSL
import PluginAPI

/// The kernel's ``CryptoProvider`` over the system's OpenSSL 3 (libcrypto).
///
/// Stateless and thread-safe: every call makes and frees its own OpenSSL contexts.
/// Nothing here logs, and no error message contains key material or passphrases.
public struct OpenSSLCrypto: CryptoProvider {
    /// GCM tag length used by ``aesGCMSeal(_:key:iv:)`` and expected by ``aesGCMOpen(_:key:iv:)``.
    public static let gcmTagLength = 16

    /// IV lengths OpenSSL's GCM accepts (its IV buffer is 128 bytes).
    static let gcmIVLengths = 1...128

    /// Creates the provider; performs no I/O (OpenSSL 3 initialises itself on first use).
    public init() {}

    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    /// An OpenSSL failure (only possible when memory runs out) yields 32 random bytes, which
    /// match no signature: the protocol cannot throw here, and failing closed beats a crash.
    public func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        guard let keyLength = Int32(exactly: key.count) else { return Self.unmatchableDigest() }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let result = withNonNullBytes(key) { keyBytes, _ in
            withNonNullBytes(data) { dataBytes, dataCount in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(EVP_sha256(), keyBytes, keyLength, dataBytes, dataCount, out.baseAddress, &length)
                }
            }
        }
        guard result != nil, length == 32 else {
            ERR_clear_error()
            return Self.unmatchableDigest()
        }
        return digest
    }

    /// SHA-256 of `data` (32 bytes). On an OpenSSL failure (out of memory) returns 32 random
    /// bytes, like ``hmacSHA256(key:data:)``.
    public func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = withNonNullBytes(data) { dataBytes, dataCount in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(dataBytes, dataCount, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        guard status == 1, length == 32 else {
            ERR_clear_error()
            return Self.unmatchableDigest()
        }
        return digest
    }

    /// True when `a` and `b` are the same bytes. Lengths are compared first (they are not secret);
    /// the contents are then compared with `CRYPTO_memcmp`, whose time depends only on the length.
    public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }

    /// `count` bytes from OpenSSL's CSPRNG (seeded from the kernel).
    /// Throws `invalidInput` for a negative or huge count, `randomFailed` if the generator fails.
    public func randomBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, let length = Int32(exactly: count) else {
            throw CryptoError(.invalidInput, "random byte count must be between 0 and \(Int32.max)")
        }
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, length) }
        guard status == 1 else {
            throw CryptoError.openSSL(.randomFailed, "random generator failed")
        }
        return bytes
    }

    /// Loads an RSA private key from PEM: PKCS#1, PKCS#8, encrypted PKCS#8 or legacy encrypted PKCS#1.
    /// `passphrase` is ignored for unencrypted keys. Never prompts on a terminal.
    /// Throws `invalidKey` for a missing or wrong passphrase, a non-RSA key or text that holds no key.
    public func loadPrivateKey(pem: [UInt8], passphrase: String?) throws -> any PrivateKey {
        try OpenSSLPrivateKey(pem: pem, passphrase: passphrase)
    }

    /// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    /// Throws `invalidKey` for a key this provider did not load, `decryptionFailed` otherwise.
    public func rsaOAEPSHA256Decrypt(_ ciphertext: [UInt8], with key: any PrivateKey) throws -> [UInt8] {
        guard let key = key as? OpenSSLPrivateKey else {
            throw CryptoError(.invalidKey, "private key was not loaded by the openssl provider")
        }
        return try key.decryptOAEPSHA256(ciphertext)
    }

    /// AES-GCM encryption, no AAD: returns ciphertext followed by the 16-byte tag.
    /// Throws `invalidInput` for a key that is not 16, 24 or 32 bytes, or an IV outside 1...128 bytes.
    public func aesGCMSeal(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        let context = try GCMContext(key: key, iv: iv, encrypting: true)
        var sealed = try context.update(plaintext)
        sealed += try context.finish()
        sealed += try context.tag()
        return sealed
    }

    /// Opens ciphertext followed by a 16-byte tag (no AAD).
    /// Throws `invalidInput` for a bad key or IV length, `decryptionFailed` when the input is shorter
    /// than a tag or the tag does not verify; no plaintext is returned unless it does.
    public func aesGCMOpen(_ sealed: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        let tagLength = Self.gcmTagLength
        guard sealed.count >= tagLength else {
            throw CryptoError(.decryptionFailed, "sealed data is shorter than the gcm tag")
        }
        let context = try GCMContext(key: key, iv: iv, encrypting: false)
        var plaintext = try context.update(Array(sealed[..<(sealed.count - tagLength)]))
        try context.setExpectedTag(Array(sealed[(sealed.count - tagLength)...]))
        do {
            plaintext += try context.finish()
        } catch {
            // Unauthenticated plaintext must not outlive the failure.
            plaintext.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            throw CryptoError.openSSL(.decryptionFailed, "aes-gcm authentication failed")
        }
        return plaintext
    }

    /// 32 bytes that no attacker can predict: the fail-closed result of a digest that could not be computed.
    private static func unmatchableDigest() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// Calls `body` with a pointer that is never NULL, even for an empty array (some OpenSSL 3.0
/// releases treat a NULL key as "no key" rather than "empty key"), and the byte count.
private func withNonNullBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if bytes.isEmpty {
        var placeholder: UInt8 = 0
        return withUnsafePointer(to: &placeholder) { body($0, 0) }
    }
    return bytes.withUnsafeBufferPointer { buffer in
        // A non-empty array always has storage; the fallback only satisfies the type checker.
        guard let base = buffer.baseAddress else {
            var placeholder: UInt8 = 0
            return withUnsafePointer(to: &placeholder) { body($0, 0) }
        }
        return body(base, buffer.count)
    }
}
