/// An HTTP request method. Unknown but well-formed tokens are kept as `.other` so the router
/// can answer 405 or 501 rather than the parser rejecting them.
public enum HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, patch, delete, options
    case other(String)

    public init(_ token: String) {
        switch token {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "PATCH": self = .patch
        case "DELETE": self = .delete
        case "OPTIONS": self = .options
        default: self = .other(token)
        }
    }

    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .patch: "PATCH"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .other(let token): token
        }
    }
}
