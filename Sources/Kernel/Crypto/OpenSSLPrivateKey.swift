import COpenSSL
import PluginAPI

/// An RSA private key loaded by ``OpenSSLCrypto``. Owns its `EVP_PKEY`, which never leaves this class.
///
/// `@unchecked Sendable`: the key is never mutated after loading, and OpenSSL 3 allows concurrent
/// decryptions with one `EVP_PKEY` as long as each call makes its own `EVP_PKEY_CTX` (which
/// ``decryptOAEPSHA256(_:)`` does).
final class OpenSSLPrivateKey: PrivateKey, @unchecked Sendable {
    private let pkey: OpaquePointer

    /// Modulus size in bits.
    let bits: Int

    /// Modulus size in bytes: the size of every ciphertext and of the decryption output buffer.
    let byteCount: Int

    /// Parses `pem` (PKCS#1, PKCS#8, encrypted PKCS#8 or legacy encrypted PKCS#1). Performs no I/O.
    /// Throws `invalidKey` when the text holds no RSA private key, or the passphrase is missing or wrong.
    init(pem: [UInt8], passphrase: String?) throws {
        // PEM decoding can leave entries on the error queue even when it succeeds.
        defer { ERR_clear_error() }
        guard !pem.isEmpty, let pemLength = Int32(exactly: pem.count) else {
            throw CryptoError.openSSL(.invalidKey, "private key pem is empty or too large")
        }

        var secret = passphrase.map { Array($0.utf8) }
        // Our copy of the passphrase is wiped whatever happens; OpenSSL wipes its own.
        defer { secret?.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }

        var outcome = PassphraseRequest.notAsked
        let loaded: OpaquePointer? = pem.withUnsafeBytes { pemBytes in
            guard let bio = BIO_new_mem_buf(pemBytes.baseAddress, pemLength) else { return nil }
            defer { BIO_free(bio) }
            return withOptionalBytes(secret) { secretBytes in
                var request = PassphraseSource(secret: secretBytes, outcome: .notAsked)
                defer { outcome = request.outcome }
                // Always our callback: with a NULL callback and NULL passphrase OpenSSL would
                // prompt on the controlling terminal, which would hang a server.
                return PEM_read_bio_PrivateKey(bio, nil, pemPassphraseCallback, &request)
            }
        }

        guard let pkey = loaded else {
            switch outcome {
            case .notAsked:
                throw CryptoError.openSSL(.invalidKey, "no private key found in pem")
            case .missing:
                throw CryptoError.openSSL(.invalidKey, "private key is encrypted and no passphrase was given")
            case .supplied:
                throw CryptoError.openSSL(.invalidKey, "could not decrypt private key: wrong passphrase or damaged pem")
            }
        }
        // OAEP needs a plain RSA key; RSA-PSS keys refuse encryption padding and other types cannot do it.
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
            EVP_PKEY_free(pkey)
            throw CryptoError.openSSL(.invalidKey, "private key is not an rsa key")
        }
        self.pkey = pkey
        self.bits = Int(EVP_PKEY_get_bits(pkey))
        self.byteCount = Int(EVP_PKEY_get_size(pkey))
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// RSA-OAEP decryption, SHA-256 as both the OAEP and the MGF1 hash, empty label.
    /// Throws `decryptionFailed` when the ciphertext is not exactly the key size or does not decrypt.
    func decryptOAEPSHA256(_ ciphertext: [UInt8]) throws -> [UInt8] {
        // RFC 8017 7.1.2 step 1b: a ciphertext of any other length is a decryption error.
        guard ciphertext.count == byteCount else {
            throw CryptoError.openSSL(.decryptionFailed, "rsa ciphertext length does not match the key size")
        }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else {
            throw CryptoError.openSSL(.decryptionFailed, "could not create rsa context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_decrypt_init(ctx) == 1,
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1,
              EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1,
              // OpenSSL would default MGF1 to the OAEP hash; set it so the contract does not hang on a default.
              EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1
        else {
            throw CryptoError.openSSL(.decryptionFailed, "could not configure rsa-oaep-sha256")
        }

        // The output buffer must hold a full modulus even though the message (an AES key) is short:
        // OpenSSL refuses a smaller buffer before it decrypts anything.
        var plaintext = [UInt8](repeating: 0, count: byteCount)
        var length = plaintext.count
        let status = plaintext.withUnsafeMutableBufferPointer { out in
            ciphertext.withUnsafeBufferPointer { input in
                EVP_PKEY_decrypt(ctx, out.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1, length <= plaintext.count else {
            throw CryptoError.openSSL(.decryptionFailed, "rsa-oaep decryption failed")
        }
        plaintext.removeSubrange(length...)
        return plaintext
    }
}

/// Whether OpenSSL asked for the passphrase, and what it got: turns one NULL result into a useful message.
private enum PassphraseRequest {
    case notAsked, missing, supplied
}

/// What `PEM_read_bio_PrivateKey` hands back to ``pemPassphraseCallback`` through its `u` argument.
private struct PassphraseSource {
    var secret: UnsafeRawBufferPointer?
    var outcome: PassphraseRequest
}

/// Calls `body` with the bytes of `array`, or nil when there is no array.
private func withOptionalBytes<R>(_ array: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBytes { body($0) }
}

/// `pem_password_cb`: copies the passphrase into OpenSSL's buffer. Returns -1 (refuse) when there is
/// none or it does not fit, rather than truncating it into a different passphrase.
private func pemPassphraseCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32, _ userdata: UnsafeMutableRawPointer?
) -> Int32 {
    guard let userdata else { return -1 }
    let source = userdata.assumingMemoryBound(to: PassphraseSource.self)
    guard let secret = source.pointee.secret else {
        source.pointee.outcome = .missing
        return -1
    }
    source.pointee.outcome = .supplied
    guard let buffer, let length = Int32(exactly: secret.count), length <= size else { return -1 }
    if let base = secret.baseAddress, length > 0 {
        UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: Int(length))
    }
    return length
}
