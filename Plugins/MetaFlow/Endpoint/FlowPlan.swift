/// What the endpoint does for one decrypted request: how the response record changes,
/// what the answer is, and whether the token must be acceptable first. Worked out from the
/// request and the flow's config alone (`FlowRouter`), before any storage.
struct FlowPlan: Sendable {
    /// The change to the response record of the request's flow_token.
    enum Change: Sendable, Equatable {
        /// Nothing stored (ping, error notices, BACK).
        case none
        /// Create the record when it does not exist yet (INIT).
        case open
        /// Create when new, then merge these answers in (a submitted screen).
        case merge([String: JSONValue])
        /// Merge, then mark the response completed (the last screen).
        case complete([String: JSONValue])

        /// The answers the change brings, if any.
        var answers: [String: JSONValue] {
            switch self {
            case .none, .open: [:]
            case .merge(let answers), .complete(let answers): answers
            }
        }
    }

    /// The plaintext answer before encryption.
    enum Answer: Sendable, Equatable {
        /// Sent as it is.
        case json(JSONValue)
        /// `SUCCESS` with `extension_message_response.params`: the merged answers, the
        /// flow's `completion_params` and the flow_token (built once the answers are merged).
        case completion
        /// Not routable: refused after the answers are stored, so nothing typed is lost.
        case refuse(FlowEndpointError)
    }

    var change: Change
    var answer: Answer
    /// Whether `strict_tokens`/`token_ttl` apply (everything but pings and error notices).
    var checksToken: Bool

    static func reply(_ json: JSONValue) -> FlowPlan { FlowPlan(change: .none, answer: .json(json), checksToken: false) }
}

extension JSONValue {
    /// `{"screen": id, "data": data}`: show a screen.
    static func screen(_ id: String, data: [String: JSONValue]) -> JSONValue {
        .object(["screen": .string(id), "data": .object(data)])
    }
}
