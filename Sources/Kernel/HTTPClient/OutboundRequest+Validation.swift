import PluginAPI

extension OutboundRequest {
    /// Rejects what must not reach the wire: a URL that is not absolute http(s) or contains
    /// whitespace or control bytes, a method or header name that is not a token, a header value
    /// with CR, LF or NUL (header injection), a body on HEAD, and non-positive limits.
    /// Messages name the header, never its value.
    func validate() throws(OutboundHTTPError) {
        let lower = url.lowercased()
        let schemeLength = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0 else { throw OutboundHTTPError(.invalidURL, request: self, "expected an absolute http or https url") }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7f }) else {
            throw OutboundHTTPError(.invalidURL, request: self, "url contains whitespace or control characters")
        }
        guard let first = url.utf8.dropFirst(schemeLength).first, first != UInt8(ascii: "/"), first != UInt8(ascii: "?"),
              first != UInt8(ascii: "#") else {
            throw OutboundHTTPError(.invalidURL, request: self, "url has no host")
        }
        guard Self.isToken(method.description) else { throw OutboundHTTPError(.invalidRequest, request: self, "method is not a valid token") }
        for (name, value) in headers {
            guard Self.isToken(name) else { throw OutboundHTTPError(.invalidRequest, request: self, "header name \"\(Self.printable(name))\" is not a valid token") }
            guard !value.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0 }) else {
                throw OutboundHTTPError(.invalidRequest, request: self, "header \(name) has a value with CR, LF or NUL")
            }
        }
        if method == .head && !body.isEmpty { throw OutboundHTTPError(.invalidRequest, request: self, "a HEAD request cannot carry a body") }
        for (label, limit) in [("timeout", timeout), ("connect timeout", connectTimeout)] {
            if let limit, limit.milliseconds <= 0 { throw OutboundHTTPError(.invalidRequest, request: self, "\(label) must be positive") }
        }
        if let cap = maxResponseBytes, cap <= 0 { throw OutboundHTTPError(.invalidRequest, request: self, "max response bytes must be positive") }
    }

    /// RFC 9110 token: visible ASCII except delimiters.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (0x21...0x7e).contains(byte) && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
        }
    }

    /// A rejected header name, shown with control bytes escaped so the message stays one line.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7f ? Character($0) : "?" })
    }
}
