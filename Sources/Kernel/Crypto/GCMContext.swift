import COpenSSL
import PluginAPI

/// One AES-GCM operation (no AAD) over an `EVP_CIPHER_CTX` it owns; used by ``OpenSSLCrypto``.
/// Lives for a single seal or open, on a single thread.
final class GCMContext {
    private let ctx: OpaquePointer

    /// Sets up AES-128/192/256-GCM (chosen by the key length) with an IV of any length OpenSSL accepts.
    /// Throws `invalidInput` for a bad key or IV length.
    init(key: [UInt8], iv: [UInt8], encrypting: Bool) throws {
        let cipher: OpaquePointer?
        switch key.count {
        case 16: cipher = EVP_aes_128_gcm()
        case 24: cipher = EVP_aes_192_gcm()
        case 32: cipher = EVP_aes_256_gcm()
        default: throw CryptoError(.invalidInput, "aes-gcm key must be 16, 24 or 32 bytes")
        }
        guard OpenSSLCrypto.gcmIVLengths.contains(iv.count), let ivLength = Int32(exactly: iv.count) else {
            throw CryptoError(.invalidInput, "aes-gcm iv must be 1 to 128 bytes")
        }
        guard let ctx = EVP_CIPHER_CTX_new() else {
            throw CryptoError.openSSL(.invalidInput, "could not create cipher context")
        }
        self.ctx = ctx
        let mode: Int32 = encrypting ? 1 : 0
        // The IV length must be set after choosing the cipher but BEFORE the key and IV:
        // otherwise OpenSSL uses the 12-byte default and a 16-byte IV (WhatsApp Flows) silently
        // gives a different keystream.
        let ready = EVP_CipherInit_ex(ctx, cipher, nil, nil, nil, mode) == 1
            && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, ivLength, nil) == 1
            && key.withUnsafeBufferPointer { keyBytes in
                iv.withUnsafeBufferPointer { ivBytes in
                    EVP_CipherInit_ex(ctx, nil, nil, keyBytes.baseAddress, ivBytes.baseAddress, mode) == 1
                }
            }
        guard ready else {
            throw CryptoError.openSSL(.invalidInput, "could not initialise aes-gcm")
        }
    }

    deinit {
        EVP_CIPHER_CTX_free(ctx)
    }

    /// Encrypts or decrypts `input`; GCM is a stream mode, so the output has the input's length.
    func update(_ input: [UInt8]) throws -> [UInt8] {
        // Skipped when empty: a NULL output pointer would make OpenSSL read the input as AAD.
        guard !input.isEmpty else { return [] }
        guard let inputLength = Int32(exactly: input.count) else {
            throw CryptoError(.invalidInput, "aes-gcm input is too large")
        }
        var output = [UInt8](repeating: 0, count: input.count)
        var written: Int32 = 0
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                EVP_CipherUpdate(ctx, out.baseAddress, &written, inp.baseAddress, inputLength)
            }
        }
        guard status == 1, written == inputLength else {
            throw CryptoError.openSSL(.invalidInput, "aes-gcm update failed")
        }
        return output
    }

    /// Gives the tag to verify when decrypting; must come before ``finish()``.
    func setExpectedTag(_ tag: [UInt8]) throws {
        var tag = tag
        let status = tag.withUnsafeMutableBytes { bytes in
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(bytes.count), bytes.baseAddress)
        }
        guard status == 1 else {
            throw CryptoError.openSSL(.decryptionFailed, "could not set the aes-gcm tag")
        }
    }

    /// Completes the operation. When decrypting, throws `decryptionFailed` if the tag does not verify.
    func finish() throws -> [UInt8] {
        // GCM produces no output here; the buffer is a block wide only to honour the API contract.
        var output = [UInt8](repeating: 0, count: 16)
        var written: Int32 = 0
        let status = output.withUnsafeMutableBufferPointer { EVP_CipherFinal_ex(ctx, $0.baseAddress, &written) }
        guard status == 1, written >= 0, Int(written) <= output.count else {
            throw CryptoError.openSSL(.decryptionFailed, "aes-gcm authentication failed")
        }
        return Array(output[..<Int(written)])
    }

    /// The 16-byte tag after an encryption's ``finish()``.
    func tag() throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: OpenSSLCrypto.gcmTagLength)
        let status = tag.withUnsafeMutableBytes { bytes in
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(bytes.count), bytes.baseAddress)
        }
        guard status == 1 else {
            throw CryptoError.openSSL(.invalidInput, "could not read the aes-gcm tag")
        }
        return tag
    }
}

/// Owns a raw OpenSSL context used from one thread at a time.
@available(*, unavailable)
extension GCMContext: Sendable {}
