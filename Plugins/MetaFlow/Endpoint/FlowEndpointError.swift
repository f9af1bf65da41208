import PluginAPI

/// Why the Flow endpoint refuses a request, and the status Meta's client acts on (S2,
/// "Business Endpoint Error Codes"): 432 bad signature, 421 cannot decrypt (the client
/// re-fetches our public key and retries). Messages go to the log only and never hold key
/// material, a token or a body.
struct FlowEndpointError: Error, Equatable, CustomStringConvertible {
    enum Kind: String, Sendable {
        /// `X-Hub-Signature-256` missing or wrong: 432, empty body.
        case signature = "invalid_signature"
        /// Body, key, IV, tag or plaintext unusable: 421, empty body.
        case undecryptable = "undecryptable"
        /// `/metaflow/endpoint/<name>` names no configured flow: 404.
        case unknownFlow = "unknown_flow"
        /// Decrypted, but not a request we can route (unknown action or screen): 400.
        case unroutable = "unroutable"
        /// The private key cannot be loaded (missing file, wrong passphrase): 500.
        case keyUnavailable = "key_unavailable"
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var status: Int {
        switch kind {
        case .signature: 432
        case .undecryptable: 421
        case .unknownFlow: 404
        case .unroutable: 400
        case .keyUnavailable: 500
        }
    }

    /// The answer: empty for 421 and 432 (what Meta's examples send), the kernel's JSON error
    /// shape otherwise (with a generic message for 500: the details are in the log).
    var response: Response {
        switch kind {
        case .signature, .undecryptable: Response(status: status)
        case .keyUnavailable: .error(status: status, code: kind.rawValue, message: "the flow endpoint's private key is not available")
        case .unknownFlow, .unroutable: .error(status: status, code: kind.rawValue, message: message)
        }
    }

    var description: String { "\(status) \(kind.rawValue): \(message)" }
}
