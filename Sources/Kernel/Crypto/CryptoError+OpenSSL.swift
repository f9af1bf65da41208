import COpenSSL
import PluginAPI

extension CryptoError {
    /// A `CryptoError` for a failed OpenSSL call. Empties this thread's OpenSSL error queue first,
    /// so a stale entry cannot be mistaken for the cause of a later, unrelated failure.
    /// The message is ours, never OpenSSL's: its strings may quote input bytes.
    static func openSSL(_ kind: Kind, _ message: String) -> CryptoError {
        ERR_clear_error()
        return CryptoError(kind, message)
    }
}
