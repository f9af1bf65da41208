import PluginAPI
import Testing
@testable import Kernel

/// `flows keygen`'s key pairs load back through the provider the Flow endpoint uses; that the
/// halves match is shown end to end in MetaFlowTests (a Python client encrypts to public.pem).
@Suite struct RSAKeyGeneratorTests {
    let crypto = OpenSSLCrypto()

    @Test func unencryptedPairIsPKCS8AndSPKI() throws {
        let pair = try RSAKeyGenerator.generate(passphrase: nil)
        let privateText = String(decoding: pair.privatePEM, as: UTF8.self)
        #expect(privateText.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(String(decoding: pair.publicPEM, as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try crypto.loadPrivateKey(pem: pair.privatePEM, passphrase: nil).bits == 2048)
    }

    @Test func passphraseEncryptsThePrivateKey() throws {
        let pair = try RSAKeyGenerator.generate(passphrase: "keygen-test-passphrase")
        let privateText = String(decoding: pair.privatePEM, as: UTF8.self)
        #expect(privateText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(!privateText.contains("keygen-test-passphrase"))
        #expect(try crypto.loadPrivateKey(pem: pair.privatePEM, passphrase: "keygen-test-passphrase").bits == 2048)
        #expect(throws: CryptoError.self) { try crypto.loadPrivateKey(pem: pair.privatePEM, passphrase: nil) }
        #expect(throws: CryptoError.self) { try crypto.loadPrivateKey(pem: pair.privatePEM, passphrase: "wrong") }
    }

    @Test func everyPairIsNew() throws {
        #expect(try RSAKeyGenerator.generate(passphrase: nil).publicPEM != RSAKeyGenerator.generate(passphrase: nil).publicPEM)
    }
}
