import Glibc

/// Recognises numeric IP addresses. `server.host` takes only literals so binding never
/// depends on name resolution at boot.
enum IPAddressLiteral {
    /// True for an IPv4 dotted quad or an IPv6 address (without brackets or zone), as
    /// `inet_pton` accepts them.
    static func isValid(_ text: String) -> Bool {
        // A C string ends at NUL: "127.0.0.1\u{0}junk" must not pass as "127.0.0.1".
        guard !text.utf8.contains(0) else { return false }
        var storage = in6_addr()
        return withUnsafeMutableBytes(of: &storage) { buffer in
            inet_pton(AF_INET, text, buffer.baseAddress) == 1 || inet_pton(AF_INET6, text, buffer.baseAddress) == 1
        }
    }
}
