import COpenSSL
import PluginAPI

/// Makes a Flow endpoint key pair (`switchboard flows keygen`): RSA with e = 65537, the
/// private key as PKCS#8 PEM (`BEGIN ENCRYPTED PRIVATE KEY`, PBES2 with AES-256-CBC, when a
/// passphrase is given), the public key as SPKI PEM, the form Meta's
/// `whatsapp_business_encryption` upload takes. Both forms load with ``OpenSSLCrypto``.
enum RSAKeyGenerator {
    struct KeyPair {
        var privatePEM: [UInt8]
        var publicPEM: [UInt8]
    }

    static func generate(bits: Int32 = 2048, passphrase: String?) throws -> KeyPair {
        defer { ERR_clear_error() }
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nil) else {
            throw CryptoError.openSSL(.invalidKey, "could not create an rsa key-generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1,
              EVP_PKEY_keygen(ctx, &generated) == 1, let pkey = generated else {
            throw CryptoError.openSSL(.invalidKey, "rsa key generation failed")
        }
        defer { EVP_PKEY_free(pkey) }

        var secret = passphrase.map { Array($0.utf8) }
        defer { secret?.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let privatePEM = try pem("private key") { bio in
            guard let secret, !secret.isEmpty else {
                return PEM_write_bio_PKCS8PrivateKey(bio, pkey, nil, nil, 0, nil, nil)
            }
            guard let length = Int32(exactly: secret.count) else { return 0 }
            return secret.withUnsafeBytes { bytes in
                // The passphrase is passed as bytes with its length (no callback, no prompt).
                PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(),
                                              UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                              length, nil, nil)
            }
        }
        let publicPEM = try pem("public key") { bio in PEM_write_bio_PUBKEY(bio, pkey) }
        return KeyPair(privatePEM: privatePEM, publicPEM: publicPEM)
    }

    /// Runs `write` into a memory BIO and returns what it wrote.
    private static func pem(_ what: String, _ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL(.invalidKey, "could not allocate a buffer for the \(what)") }
        defer { BIO_free_all(bio) }
        guard write(bio) == 1 else { throw CryptoError.openSSL(.invalidKey, "could not write the \(what) as pem") }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read == Int32(pending) else { throw CryptoError.openSSL(.invalidKey, "could not read the \(what) pem back") }
        return out
    }
}
