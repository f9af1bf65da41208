import PluginAPI

/// Parses a request head (request line and header fields) from bytes, strictly per RFC 9112:
/// CRLF line endings only, single spaces in the request line, token method and field names,
/// no obs-fold, no whitespace before the colon, no CR/LF/NUL or other controls in values,
/// exactly one Host for HTTP/1.1, unambiguous body framing.
enum HeadParser {
    enum Outcome {
        /// The head is complete; `consumed` bytes include the final empty line.
        case head(RequestHead, consumed: Int)
        /// More bytes are needed.
        case incomplete
    }

    /// Looks for a complete head at the start of `buf`. Throws for anything malformed,
    /// as soon as it can be told (before the head is complete when possible).
    static func parse(_ buf: UnsafeBufferPointer<UInt8>, limits: HTTPLimits) throws(HTTPParseError) -> Outcome {
        // Skip up to a few empty lines before the request line (RFC 9112 §2.2 robustness).
        var start = 0
        while start + 1 < buf.count, buf[start] == cr, buf[start + 1] == lf, start < 8 { start += 2 }

        // 1. the request line
        guard let lineEnd = findLineEnd(buf, from: start) else {
            if buf.count - start > limits.maxTargetBytes + 64 { throw HTTPParseError(414, "uri_too_long", "request target longer than \(limits.maxTargetBytes) bytes") }
            try checkNoBareLF(buf, from: start)
            return .incomplete
        }
        var line = try requestLine(UnsafeBufferPointer(rebasing: buf[start..<lineEnd]), limits: limits)

        // 2. header fields, up to the empty line
        var headers = HTTPHeaders()
        var pos = lineEnd + 2
        let headerStart = pos
        while true {
            guard let end = findLineEnd(buf, from: pos) else {
                if buf.count - headerStart > limits.maxHeaderBytes { throw HTTPParseError(431, "headers_too_large", "header section larger than \(limits.maxHeaderBytes) bytes") }
                try checkNoBareLF(buf, from: pos)
                return .incomplete
            }
            if end - headerStart > limits.maxHeaderBytes { throw HTTPParseError(431, "headers_too_large", "header section larger than \(limits.maxHeaderBytes) bytes") }
            if end == pos { pos = end + 2; break }
            if headers.count >= limits.maxHeaderCount { throw HTTPParseError(431, "headers_too_large", "more than \(limits.maxHeaderCount) header fields") }
            let (name, value) = try field(UnsafeBufferPointer(rebasing: buf[pos..<end]))
            headers.add(name, value)
            pos = end + 2
        }

        // 3. semantics that decide framing and the connection
        try interpret(&line, headers: headers)
        return .head(line.head(headers: headers), consumed: pos)
    }

    // MARK: - request line

    struct Line {
        var method: HTTPMethod
        var path: String
        var query: String
        var minor: Int
        var framing: BodyFraming = .none
        var expectsContinue = false
        var keepAlive = true

        func head(headers: HTTPHeaders) -> RequestHead {
            RequestHead(method: method, path: path, query: query, versionMinor: minor, headers: headers,
                        framing: framing, expectsContinue: expectsContinue, keepAlive: keepAlive)
        }
    }

    static func requestLine(_ line: UnsafeBufferPointer<UInt8>, limits: HTTPLimits) throws(HTTPParseError) -> Line {
        guard let sp1 = line.firstIndex(of: space) else { throw .bad("malformed request line") }
        let methodBytes = UnsafeBufferPointer(rebasing: line[0..<sp1])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenChar) else { throw .bad("invalid method") }
        let rest = UnsafeBufferPointer(rebasing: line[(sp1 + 1)...])
        guard let sp2Rel = rest.lastIndex(of: space) else { throw .bad("malformed request line") }
        let target = UnsafeBufferPointer(rebasing: rest[rest.startIndex..<sp2Rel])
        let version = UnsafeBufferPointer(rebasing: rest[(sp2Rel + 1)...])
        if target.count > limits.maxTargetBytes { throw HTTPParseError(414, "uri_too_long", "request target longer than \(limits.maxTargetBytes) bytes") }
        guard !target.isEmpty else { throw .bad("empty request target") }
        for b in target where b <= 0x20 || b == 0x7f { throw .bad("invalid character in request target") }

        // HTTP-version = "HTTP/" DIGIT "." DIGIT
        guard version.count == 8, version[0] == 0x48, version[1] == 0x54, version[2] == 0x54, version[3] == 0x50,
              version[4] == slash, isDigit(version[5]), version[6] == dot, isDigit(version[7]) else {
            throw .bad("malformed http version")
        }
        guard version[5] == 0x31 else { throw HTTPParseError(505, "http_version_not_supported", "only HTTP/1.x is served") }
        let minor = Int(version[7] - 0x30)

        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        let (path, query) = try splitTarget(target, method: method)
        return Line(method: method, path: path, query: query, minor: minor, keepAlive: minor >= 1)
    }

    /// Origin-form (`/p?q`), absolute-form (`http://host/p?q`, its path used) and asterisk-form for OPTIONS.
    static func splitTarget(_ target: UnsafeBufferPointer<UInt8>, method: HTTPMethod) throws(HTTPParseError) -> (String, String) {
        var t = target[...]
        if t.first != slash {
            if t.count == 1, t.first == star {
                guard method == .options else { throw .bad("asterisk-form target is only for OPTIONS") }
                return ("*", "")
            }
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            guard let colon = t.firstIndex(of: UInt8(ascii: ":")), t.count > colon + 2,
                  t[colon + 1] == slash, t[colon + 2] == slash else {
                throw .bad("request target must be origin-form or absolute-form")
            }
            let scheme = String(decoding: t[t.startIndex..<colon], as: UTF8.self).lowercased()
            guard scheme == "http" || scheme == "https" else { throw .bad("unsupported scheme in request target") }
            let afterAuthority = t[(colon + 3)...]
            guard let authorityEnd = afterAuthority.firstIndex(where: { $0 == slash || $0 == question }) else {
                return ("/", "")
            }
            guard authorityEnd > afterAuthority.startIndex else { throw .bad("empty authority in request target") }
            t = afterAuthority[authorityEnd...]
            if t.first == question { return ("/", String(decoding: t.dropFirst(), as: UTF8.self)) }
        }
        if let q = t.firstIndex(of: question) {
            return (String(decoding: t[t.startIndex..<q], as: UTF8.self), String(decoding: t[(q + 1)...], as: UTF8.self))
        }
        return (String(decoding: t, as: UTF8.self), "")
    }

    // MARK: - header fields

    static func field(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw .bad("empty header line") }
        if first == space || first == tab { throw .bad("obsolete line folding is not accepted") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .bad("header field without a colon") }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        guard !name.isEmpty else { throw .bad("empty header field name") }
        if let last = name.last, last == space || last == tab { throw .bad("whitespace before the colon in a header field") }
        guard name.allSatisfy(isTokenChar) else { throw .bad("invalid character in header field name") }
        var vStart = colon + 1
        var vEnd = line.count
        while vStart < vEnd, line[vStart] == space || line[vStart] == tab { vStart += 1 }
        while vEnd > vStart, line[vEnd - 1] == space || line[vEnd - 1] == tab { vEnd -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[vStart..<vEnd])
        for b in value where !isFieldValueChar(b) {
            throw .bad(b == 0 ? "nul in header field value" : (b == cr || b == lf ? "cr or lf in header field value" : "control character in header field value"))
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: - framing and connection semantics

    static func interpret(_ line: inout Line, headers: HTTPHeaders) throws(HTTPParseError) {
        var hosts = 0
        var host = ""
        var contentLengths: [String] = []
        var transferEncodingFields = 0
        var transferCodings: [String] = []
        var connectionTokens: [String] = []
        var expect: String?
        for (name, value) in headers {
            switch name.utf8.count {
            case 4 where HTTPHeaders.equalsIgnoringCase(name, "host"):
                hosts += 1
                host = value
            case 14 where HTTPHeaders.equalsIgnoringCase(name, "content-length"): contentLengths.append(value)
            case 17 where HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding"):
                // Empty elements are kept (and refused below): a field that is present but lists
                // no coding, or odd lists like ", chunked", must not read as "no transfer-encoding".
                transferEncodingFields += 1
                transferCodings += value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces().lowercased() }
            case 10 where HTTPHeaders.equalsIgnoringCase(name, "connection"):
                connectionTokens += value.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
            case 6 where HTTPHeaders.equalsIgnoringCase(name, "expect"):
                if expect != nil { throw .bad("repeated expect header") }
                expect = value.lowercased()
            default: break
            }
        }
        if hosts > 1 { throw .bad("repeated host header") }
        if hosts == 0 && line.minor >= 1 { throw .bad("missing host header") }
        if hosts == 1 && !isValidHost(host) { throw .bad("invalid host header") }

        if transferEncodingFields > 0 {
            if !contentLengths.isEmpty { throw .bad("both transfer-encoding and content-length") }
            if line.minor == 0 { throw .bad("transfer-encoding in an HTTP/1.0 request") }
            if transferCodings.contains(where: \.isEmpty) { throw .bad("empty transfer coding") }
            guard transferCodings.last == "chunked" else { throw .bad("transfer-encoding whose last coding is not chunked") }
            if transferCodings.dropLast().contains("chunked") { throw .bad("chunked applied more than once") }
            if transferCodings.count > 1 {
                throw HTTPParseError(501, "not_implemented", "transfer coding \(transferCodings[0]) is not supported")
            }
            line.framing = .chunked
        } else if !contentLengths.isEmpty {
            if contentLengths.count > 1 { throw .bad("repeated content-length header") }
            let text = contentLengths[0]
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(isDigit), let n = Int(text) else {
                throw .bad(text.contains(",") ? "differing content-length values" : "invalid content-length")
            }
            line.framing = n > 0 ? .length(n) : .none
        }

        if let expect {
            guard expect == "100-continue" else { throw HTTPParseError(417, "expectation_failed", "only 100-continue is supported") }
            line.expectsContinue = line.minor >= 1 && line.framing != .none
        }

        if connectionTokens.contains("close") {
            line.keepAlive = false
        } else if line.minor == 0 {
            line.keepAlive = connectionTokens.contains("keep-alive")
        }
    }

    /// `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2), or empty.
    static func isValidHost(_ value: String) -> Bool {
        let b = Array(value.utf8)
        let colon = UInt8(ascii: ":"), percent = UInt8(ascii: "%")
        var i = 0
        /// Checks `b[i]` as a host character (with `%XX` escapes); moves `i` past it.
        func hostChar(_ extra: UInt8?) -> Bool {
            let c = b[i]
            if c == percent {
                guard i + 2 < b.count, ChunkedDecoder.hexValue(b[i + 1]) != nil, ChunkedDecoder.hexValue(b[i + 2]) != nil else { return false }
                i += 3
                return true
            }
            guard isUnreservedOrSubDelim(c) || c == extra else { return false }
            i += 1
            return true
        }
        if b.first == UInt8(ascii: "[") {
            // IP-literal: IPv6 (with an RFC 6874 zone) or IPvFuture.
            i = 1
            while i < b.count, b[i] != UInt8(ascii: "]") {
                guard hostChar(colon) else { return false }
            }
            guard i < b.count, i > 1 else { return false }
            i += 1
        } else {
            while i < b.count, b[i] != colon {
                guard hostChar(nil) else { return false }
            }
        }
        if i == b.count { return true }
        guard b[i] == colon else { return false }
        return b[(i + 1)...].allSatisfy(isDigit)
    }

    /// unreserved / sub-delims (RFC 3986 §2.2, §2.3).
    static func isUnreservedOrSubDelim(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~!$&'()*+,;=".utf8.contains(c)
        }
    }

    // MARK: - bytes

    /// Index of the CR of the next CRLF at or after `from`; throws on a bare LF or bare CR.
    static func findLineEnd(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i < buf.count {
            if buf[i] == lf {
                return (i > from && buf[i - 1] == cr) ? i - 1 : nil
            }
            i += 1
        }
        return nil
    }

    /// Reports a bare LF (without CR before it) or CR not followed by LF, which `findLineEnd` stops at.
    static func checkNoBareLF(_ buf: UnsafeBufferPointer<UInt8>, from: Int) throws(HTTPParseError) {
        var i = from
        while i < buf.count {
            if buf[i] == lf && (i == from || buf[i - 1] != cr) { throw .bad("bare lf in request head") }
            if buf[i] == cr && i + 1 < buf.count && buf[i + 1] != lf { throw .bad("bare cr in request head") }
            i += 1
        }
    }

    static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9
    static let slash = UInt8(ascii: "/"), dot = UInt8(ascii: "."), star = UInt8(ascii: "*"), question = UInt8(ascii: "?")

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// tchar per RFC 9110 §5.6.2.
    static func isTokenChar(_ b: UInt8) -> Bool { tokenTable[Int(b)] }

    static let tokenTable: [Bool] = (0..<256).map { b in
        switch UInt8(b) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(b))
        }
    }

    /// field-vchar, SP and HTAB (obs-text allowed); no other controls.
    static func isFieldValueChar(_ b: UInt8) -> Bool { b == tab || (b >= 0x20 && b != 0x7f) }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
