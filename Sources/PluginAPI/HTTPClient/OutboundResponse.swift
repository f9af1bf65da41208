import FoundationEssentials

/// The answer to an `OutboundRequest`: the final response's status, headers and body (after
/// redirects, when they were followed; never a 1xx).
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// A response value (fakes and tests build these too); performs no I/O.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// 2xx.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// Worth retrying later: 429, or a 5xx other than 501 (not implemented) and 505 (version
    /// not supported), which will not change by waiting.
    public var isTransientFailure: Bool {
        status == 429 || ((500...599).contains(status) && status != 501 && status != 505)
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// How long the server asks us to wait, measured from now; see `retryAfter(now:)`.
    public var retryAfter: ConfigDuration? { retryAfter(now: Date()) }

    /// How long the server asks us to wait: the `Retry-After` header (delta-seconds, or an
    /// HTTP-date taken relative to `now`, zero when past) and a top-level `retry_after` in a
    /// JSON body (seconds, a number or a numeric string, as Wasender sends). When both are
    /// present the longer wins, so neither request is ignored. nil when neither is usable.
    /// Values are capped at one year. Parses the body, so read it once, not in a loop.
    public func retryAfter(now: Date) -> ConfigDuration? {
        let fromHeader = headers["Retry-After"].flatMap { Self.parseRetryAfterHeader($0, now: now) }
        let fromBody = Self.parseRetryAfterBody(body)
        switch (fromHeader, fromBody) {
        case let (a?, b?): return max(a, b)
        case let (a, b): return a ?? b
        }
    }

    /// The longest wait honoured; beyond it a value is clamped rather than dropped, so a
    /// server asking for "a very long time" is not retried at once.
    static let maxRetryAfterSeconds: Double = 365 * 86_400

    /// JSON bodies larger than this are not parsed for `retry_after`: a rate-limit answer is small.
    static let maxRetryAfterBodyBytes = 64 * 1024

    static func parseRetryAfterHeader(_ value: String, now: Date) -> ConfigDuration? {
        let text = value.trimmingASCIIWhitespace()
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // All digits: delta-seconds; a number too long for Int64 is "very long", not invalid.
            return duration(seconds: Double(text) ?? maxRetryAfterSeconds)
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        return duration(seconds: max(0, date.timeIntervalSince(now)))
    }

    static func parseRetryAfterBody(_ body: [UInt8]) -> ConfigDuration? {
        guard body.count <= maxRetryAfterBodyBytes,
              body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d }) == UInt8(ascii: "{"),
              let decoded = try? JSONDecoder().decode(RetryAfterBody.self, from: Data(body)),
              let seconds = decoded.seconds else { return nil }
        return duration(seconds: seconds)
    }

    /// Whole milliseconds, rounded up so "wait 0.0001 s" still waits; nil for negative or NaN.
    private static func duration(seconds: Double) -> ConfigDuration? {
        // +infinity (a digit string too long for Double) clamps to the cap like any long wait.
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        let clamped = min(seconds, maxRetryAfterSeconds)
        return ConfigDuration(milliseconds: Int64((clamped * 1000).rounded(.up)))
    }
}

/// The one field of a JSON error body `retryAfter` looks at; other keys are ignored.
private struct RetryAfterBody: Decodable {
    var seconds: Double?

    enum CodingKeys: String, CodingKey { case retryAfter = "retry_after" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let number = try? container.decode(Double.self, forKey: .retryAfter) {
            seconds = number
        } else if let text = (try? container.decode(String.self, forKey: .retryAfter))?.trimmingASCIIWhitespace(),
                  !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e }) {
            // Decimal digits only: Double("inf") or Double("0x1p4") would parse, but no server means those.
            seconds = Double(text)
        } else {
            seconds = nil
        }
    }
}
