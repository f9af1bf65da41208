import PluginAPI

/// Who may use the admin API, the admin UI and plugins' admin routes (`context.adminAuthorized`):
/// a request with `Authorization: Bearer <admin.token>` (scripts, the CLI's peers), or one with
/// a valid admin UI session cookie (`AdminSession`, the operator's browser). A cookie-borne
/// request that changes state must also come from our own pages (`CrossSiteCheck`); the
/// router refuses cross-site ones with 403 before any handler runs (`CrossSiteGuard`), and this
/// check does not count their cookie either. Tokens are compared as SHA-256 digests in
/// constant time, so neither their contents nor their lengths show in the timing. Without a
/// configured token nothing is authorized.
struct AdminTokenCheck: Sendable {
    /// How a request is (or is not) authorized.
    enum Access: Equatable {
        case bearer
        case session
        /// Refused, with the reason a 401 gives.
        case denied(String)
    }

    private let digest: [UInt8]?
    private let crypto: any CryptoProvider
    private let clock: any TimeSource
    let session: AdminSession?

    init(token: String?, crypto: any CryptoProvider, clock: any TimeSource) {
        digest = token.map { crypto.sha256(Array($0.utf8)) }
        self.crypto = crypto
        self.clock = clock
        session = AdminSession(token: token, crypto: crypto)
    }

    var isConfigured: Bool { digest != nil }

    func authorizes(_ request: Request) -> Bool {
        if case .denied = access(request) { return false }
        return true
    }

    func access(_ request: Request) -> Access {
        guard let digest else { return .denied("admin token not configured") }
        if let header = request.headers["authorization"] {
            guard let presented = AdminRoutes.bearerToken(header) else { return .denied("missing admin token (Authorization: Bearer …)") }
            guard matchesToken(presented, digest: digest) else { return .denied("invalid admin token") }
            return .bearer
        }
        if let value = AdminSession.cookie(AdminSession.cookieName, in: request.headers) {
            guard let session, session.isValid(value, now: clock.nowMillis / 1000) else {
                return .denied("admin session expired or invalid: log in again at /admin/login")
            }
            guard CrossSiteCheck.allows(request) else { return .denied("cross-site request refused") }
            return .session
        }
        return .denied("missing admin token (Authorization: Bearer …)")
    }

    /// Whether `presented` is the admin token.
    func matchesToken(_ presented: String) -> Bool {
        guard let digest else { return false }
        return matchesToken(presented, digest: digest)
    }

    private func matchesToken(_ presented: String, digest: [UInt8]) -> Bool {
        crypto.constantTimeEquals(crypto.sha256(Array(presented.utf8)), digest)
    }
}
