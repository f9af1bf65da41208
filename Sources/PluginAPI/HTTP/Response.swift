import FoundationEssentials

/// An HTTP response from a handler. The kernel adds `Date`, `Content-Length`,
/// `X-Request-Id` and connection headers; handlers set only what is theirs.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A body produced over time instead of `body` (see `Response.stream`); nil for the usual
    /// complete body.
    public var stream: ResponseStream?

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An `application/json` response from raw JSON bytes.
    public static func json(bytes: [UInt8], status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }

    /// An `application/json` response from an `Encodable` value, keys sorted for stable output.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(bytes: Array(try encoder.encode(value)), status: status)
    }

    /// The kernel's error shape: `{"error":{"code":"…","message":"…"}}`.
    public static func error(status: Int, code: String, message: String) -> Response {
        json(bytes: Array(ErrorBody.render(code: code, message: message).utf8), status: status)
    }
}

/// Renders the JSON error body without Foundation's encoder (used on hot error paths too).
public enum ErrorBody {
    public static func render(code: String, message: String) -> String {
        "{\"error\":{\"code\":\"\(escape(code))\",\"message\":\"\(escape(message))\"}}"
    }

    /// Escapes a string for a JSON string literal.
    public static func escape(_ s: String) -> String {
        // Most values need nothing escaped: check the bytes once and return them as they are.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + scalar.value.zeroPadded(4, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
