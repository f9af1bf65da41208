import PluginAPI

/// Whether a request carries `Authorization: Bearer <admin.token>`, for plugin routes that
/// are admin operations (`context.adminAuthorized`). Same comparison as `AdminRoutes`:
/// SHA-256 digests compared in constant time, so neither the token's contents nor its length
/// show in the timing. Without a configured token nothing is authorized.
struct AdminTokenCheck: Sendable {
    private let digest: [UInt8]?
    private let crypto: any CryptoProvider

    init(token: String?, crypto: any CryptoProvider) {
        digest = token.map { crypto.sha256(Array($0.utf8)) }
        self.crypto = crypto
    }

    func authorizes(_ request: Request) -> Bool {
        guard let digest, let presented = AdminRoutes.bearerToken(request.headers["authorization"]) else { return false }
        return crypto.constantTimeEquals(crypto.sha256(Array(presented.utf8)), digest)
    }
}
