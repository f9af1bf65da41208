import PluginAPI
import Synchronization

/// An outbound HTTP client for tests: records every request and answers from a script.
/// Rules are matched in the order they were added; a request no rule matches fails with a
/// connect error (as an unreachable host would), so a test notices calls it did not expect.
public final class RecordingHTTPClient: HTTPClient, Sendable {
    /// A scripted answer: a response, or a transport error.
    public enum Answer: Sendable {
        case response(OutboundResponse)
        case failure(OutboundHTTPError.Kind)

        /// `200` with a JSON body.
        public static func json(_ body: String, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> Answer {
            var h = headers
            h.set("Content-Type", "application/json")
            return .response(OutboundResponse(status: status, headers: h, body: Array(body.utf8)))
        }

        /// A bare status with an optional text body.
        public static func status(_ code: Int, _ body: String = "", headers: HTTPHeaders = HTTPHeaders()) -> Answer {
            .response(OutboundResponse(status: code, headers: headers, body: Array(body.utf8)))
        }
    }

    private struct Rule {
        var method: HTTPMethod?
        var urlPrefix: String
        var answers: [Answer]
        var repeats: Bool
    }

    private struct State {
        var rules: [Rule] = []
        var recorded: [OutboundRequest] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers requests whose URL starts with `urlPrefix` (and whose method matches, when
    /// given): with `answers` in turn, the last one repeating.
    public func respond(to method: HTTPMethod? = nil, _ urlPrefix: String, with answers: Answer...) {
        state.withLock { $0.rules.append(Rule(method: method, urlPrefix: urlPrefix, answers: answers, repeats: true)) }
    }

    /// Every request made so far, in order.
    public var requests: [OutboundRequest] { state.withLock { $0.recorded } }

    /// Forgets recorded requests (not the rules).
    public func clearRequests() {
        state.withLock { $0.recorded = [] }
    }

    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let answer: Answer? = state.withLock { s in
            s.recorded.append(request)
            guard let i = s.rules.firstIndex(where: { ($0.method == nil || $0.method == request.method) && request.url.hasPrefix($0.urlPrefix) }) else {
                return nil
            }
            let next = s.rules[i].answers.first
            if s.rules[i].answers.count > 1 { s.rules[i].answers.removeFirst() }
            return next
        }
        switch answer {
        case .response(let response)?:
            return response
        case .failure(let kind)?:
            throw OutboundHTTPError(kind, request: request, "scripted failure")
        case nil:
            throw OutboundHTTPError(.connect, request: request, "no scripted answer for \(request.method) \(request.safeURL)")
        }
    }
}
