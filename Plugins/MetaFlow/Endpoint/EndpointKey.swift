import FoundationEssentials
import PluginAPI

/// The endpoint's RSA private key, read from `private_key_path` once and kept. `start()`
/// loads it so a bad key stops the server at boot; a host that never calls `start()`
/// (PluginTesting) loads it at the first request. A failed load is not cached: fixing the
/// file is enough, no restart needed.
actor EndpointKey {
    let path: String
    let passphrase: String?
    let crypto: any CryptoProvider
    private var loaded: (any PrivateKey)?

    init(path: String, passphrase: String?, crypto: any CryptoProvider) {
        self.path = path
        // An empty passphrase means none (Meta's example defaults PASSPHRASE to "").
        self.passphrase = (passphrase?.isEmpty ?? true) ? nil : passphrase
        self.crypto = crypto
    }

    /// The key, loading it when needed.
    func key() throws(FlowEndpointError) -> any PrivateKey {
        if let loaded { return loaded }
        // Foundation's read errors are long; the two common causes get a plain message.
        guard FileManager.default.fileExists(atPath: path) else { throw FlowEndpointError(.keyUnavailable, "\(path): no such file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw FlowEndpointError(.keyUnavailable, "\(path): not readable by this user")
        }
        let pem: [UInt8]
        do {
            pem = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw FlowEndpointError(.keyUnavailable, "\(path): cannot read the file: \(error)")
        }
        do {
            let key = try crypto.loadPrivateKey(pem: pem, passphrase: passphrase)
            loaded = key
            return key
        } catch {
            // The provider's message says what is wrong (encrypted without a passphrase, a wrong
            // one, not PEM) and never contains key material or the passphrase.
            throw FlowEndpointError(.keyUnavailable, "\(path): not a usable PEM private key: \(error)")
        }
    }
}
