import PluginAPI

/// Why an operator's request (CLI or admin API) was not carried out. The CLI exits 2 for
/// `invalidParameter` (usage) and 1 otherwise; the admin API answers 400, 404 or 409.
struct AdminError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        /// A filter or argument is malformed; `parameter` names it (`since`, `status`, `id`).
        case invalidParameter(String)
        /// The item or job does not exist.
        case notFound
        /// The action is refused in the item's or job's current state; `code` is the API's
        /// machine-readable reason (`plugin_disabled`, `not_retryable`, …).
        case refused(code: String)
    }

    var kind: Kind
    /// Lower-case, says what and why; for `invalidParameter` it does not repeat the name.
    var detail: String

    static func invalid(_ parameter: String, _ detail: String) -> AdminError {
        AdminError(kind: .invalidParameter(parameter), detail: detail)
    }

    static func notFound(_ detail: String) -> AdminError { AdminError(kind: .notFound, detail: detail) }

    static func refused(_ code: String, _ detail: String) -> AdminError { AdminError(kind: .refused(code: code), detail: detail) }

    /// `since: expected …` for a parameter, the detail otherwise.
    var description: String {
        if case .invalidParameter(let name) = kind { return "\(name): \(detail)" }
        return detail
    }
}

extension AdminError: HTTPResponseError {
    var status: Int {
        switch kind {
        case .invalidParameter: 400
        case .notFound: 404
        case .refused: 409
        }
    }

    var message: String { description }

    var code: String {
        switch kind {
        case .invalidParameter: "bad_request"
        case .notFound: "not_found"
        case .refused(let code): code
        }
    }
}
