import Glibc
import PluginAPI

/// Writes responses as bytes from pre-rendered fragments: status lines are rendered once,
/// the `Date` header once a second (per event loop, see `DateCache`).
enum ResponseEncoder {
    /// Appends the response to `out`. `headOnly` omits the body (HEAD), keeping its length.
    /// The kernel owns framing: handler-set `Content-Length`, `Transfer-Encoding` and
    /// `Connection` headers are dropped and replaced.
    ///
    /// A streamed response (`response.stream`) gets `Transfer-Encoding: chunked` when
    /// `chunked` (HTTP/1.1), else no framing header (the body ends when the connection closes);
    /// its chunks are written later by the connection.
    static func encode(
        _ response: Response, requestID: String, keepAlive: Bool, http10KeepAlive: Bool,
        headOnly: Bool, date: [UInt8], into out: inout [UInt8], chunked: Bool = false
    ) {
        out.append(contentsOf: statusLine(response.status))
        out.append(contentsOf: date)
        for (name, value) in response.headers {
            // The kernel owns framing; a name that is not a token could split the response.
            if isFramingHeader(name) || name.isEmpty || !name.utf8.allSatisfy(HeadParser.isTokenChar) { continue }
            out.append(contentsOf: name.utf8)
            out.append(0x3a); out.append(0x20)
            appendSanitized(value, to: &out)
            out.append(0x0d); out.append(0x0a)
        }
        if !requestID.isEmpty {
            out.append(contentsOf: requestIDPrefix)
            out.append(contentsOf: requestID.utf8)
            out.append(0x0d); out.append(0x0a)
        }
        let bodyAllowed = allowsBody(response.status)
        if bodyAllowed && response.stream != nil {
            if chunked { out.append(contentsOf: transferEncodingChunked) }
        } else if bodyAllowed {
            out.append(contentsOf: contentLengthPrefix)
            appendDecimal(response.body.count, to: &out)
            out.append(0x0d); out.append(0x0a)
        }
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if http10KeepAlive {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(0x0d); out.append(0x0a)
        if bodyAllowed && !headOnly && response.stream == nil { out.append(contentsOf: response.body) }
    }

    /// Whether a response with `status` may carry a body (not 1xx, 204, 304).
    static func allowsBody(_ status: Int) -> Bool {
        !(status == 204 || status == 304 || (100..<200).contains(status))
    }

    /// Appends one chunk of chunked transfer coding (`<hex size>\r\n<bytes>\r\n`); `bytes` is
    /// not empty (an empty chunk ends the body).
    static func appendChunk(_ bytes: [UInt8], to out: inout [UInt8]) {
        var size = bytes.count
        var digits: [UInt8] = []
        repeat { digits.append(hexDigits[size & 0xf]); size >>= 4 } while size > 0
        out.append(contentsOf: digits.reversed())
        out.append(0x0d); out.append(0x0a)
        out.append(contentsOf: bytes)
        out.append(0x0d); out.append(0x0a)
    }

    /// The last chunk and the empty trailer section.
    static let lastChunk = Array("0\r\n\r\n".utf8)
    static let transferEncodingChunked = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A kernel error in the JSON error shape.
    static func errorResponse(_ status: Int, _ code: String, _ message: String) -> Response {
        Response.error(status: status, code: code, message: message)
    }

    static func isFramingHeader(_ name: String) -> Bool {
        switch name.utf8.count {
        case 14: HTTPHeaders.equalsIgnoringCase(name, "content-length")
        case 17: HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding")
        case 10: HTTPHeaders.equalsIgnoringCase(name, "connection")
        case 4: HTTPHeaders.equalsIgnoringCase(name, "date")
        case 12: HTTPHeaders.equalsIgnoringCase(name, "x-request-id")
        default: false
        }
    }

    /// Drops CR, LF and NUL from a handler-supplied value so it cannot split the response.
    static func appendSanitized(_ value: String, to out: inout [UInt8]) {
        for b in value.utf8 where b != 0x0d && b != 0x0a && b != 0 { out.append(b) }
    }

    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n < 10 { out.append(0x30 + UInt8(n)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = n
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[count] = 0x30 + UInt8(v % 10); v /= 10; count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }

    static let requestIDPrefix = Array("X-Request-Id: ".utf8)
    static let contentLengthPrefix = Array("Content-Length: ".utf8)
    static let connectionClose = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// `HTTP/1.1 <code> <reason>\r\n`, pre-rendered for every code from 100 to 599.
    static func statusLine(_ status: Int) -> [UInt8] {
        (100...599).contains(status) ? statusLines[status - 100] : statusLines[400]
    }

    private static let statusLines: [[UInt8]] = (100...599).map { Array("HTTP/1.1 \($0) \(reasonPhrase($0))\r\n".utf8) }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}

/// The `Date: …\r\n` header line, re-rendered at most once per second. One per event loop,
/// so no lock is shared between loops.
final class DateCache {
    private var second: Int = -1
    private(set) var line: [UInt8] = []

    /// The header line for the current second.
    func current() -> [UInt8] {
        var tv = timespec()
        clock_gettime(CLOCK_REALTIME, &tv)
        if tv.tv_sec != second {
            second = tv.tv_sec
            line = Array("Date: \(Self.httpDate(time_t(tv.tv_sec)))\r\n".utf8)
        }
        return line
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ t: time_t) -> String {
        var time = t
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
