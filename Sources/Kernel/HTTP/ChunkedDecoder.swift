/// Decodes a chunked request body incrementally (RFC 9112 §7.1): hex sizes with optional
/// extensions, CRLF after each chunk, optional trailer fields (validated, then dropped).
struct ChunkedDecoder {
    enum State: Equatable {
        case size
        case data(remaining: Int)
        case dataCRLF
        case trailers
        case done
    }

    private(set) var state: State = .size
    /// Bytes of trailer section seen so far (limited like headers).
    private var trailerBytes = 0
    let maxBody: Int
    let maxTrailerBytes: Int

    init(maxBody: Int, maxTrailerBytes: Int) {
        self.maxBody = maxBody
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Consumes what it can from `buf`, appending decoded data to `body`. Returns bytes consumed.
    /// Throws 400 for malformed framing and 413 once the body would exceed `maxBody`.
    mutating func consume(_ buf: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var pos = 0
        while pos < buf.count {
            switch state {
            case .size:
                guard let end = HeadParser.findLineEnd(buf, from: pos) else {
                    try HeadParser.checkNoBareLF(buf, from: pos)
                    if buf.count - pos > 4096 { throw .bad("chunk size line too long") }
                    return pos
                }
                let size = try Self.chunkSize(UnsafeBufferPointer(rebasing: buf[pos..<end]))
                if size > maxBody - body.count {
                    throw HTTPParseError(413, "payload_too_large", "request body larger than \(maxBody) bytes")
                }
                pos = end + 2
                state = size == 0 ? .trailers : .data(remaining: size)
            case .data(let remaining):
                let n = min(remaining, buf.count - pos)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: buf[pos..<(pos + n)]))
                pos += n
                state = remaining - n == 0 ? .dataCRLF : .data(remaining: remaining - n)
            case .dataCRLF:
                guard buf.count - pos >= 2 else {
                    if buf[pos] != HeadParser.cr { throw .bad("chunk data not followed by crlf") }
                    return pos
                }
                guard buf[pos] == HeadParser.cr, buf[pos + 1] == HeadParser.lf else { throw .bad("chunk data not followed by crlf") }
                pos += 2
                state = .size
            case .trailers:
                guard let end = HeadParser.findLineEnd(buf, from: pos) else {
                    try HeadParser.checkNoBareLF(buf, from: pos)
                    if trailerBytes + buf.count - pos > maxTrailerBytes { throw HTTPParseError(431, "headers_too_large", "trailer section too large") }
                    return pos
                }
                trailerBytes += end - pos + 2
                if trailerBytes > maxTrailerBytes { throw HTTPParseError(431, "headers_too_large", "trailer section too large") }
                if end == pos {
                    state = .done
                    return end + 2
                }
                // Validated like a header field; its value is not used.
                _ = try HeadParser.field(UnsafeBufferPointer(rebasing: buf[pos..<end]))
                pos = end + 2
            case .done:
                return pos
            }
        }
        return pos
    }

    /// chunk-size [ chunk-ext ]: 1*HEXDIG, then `;name[=value]` extensions (token or quoted string).
    static func chunkSize(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var i = 0
        while i < line.count, let digit = hexValue(line[i]) {
            if size > (Int.max >> 8) { throw .bad("chunk size overflows") }
            size = size << 4 | Int(digit)
            i += 1
            if i > 16 { throw .bad("chunk size overflows") }
        }
        guard i > 0 else { throw .bad("invalid chunk size") }
        // Extensions: BWS ";" name [ "=" value ]; only their characters are checked (no controls).
        var j = i
        while j < line.count, line[j] == HeadParser.space || line[j] == HeadParser.tab { j += 1 }
        if j < line.count {
            guard line[j] == UInt8(ascii: ";") else { throw .bad("invalid chunk size") }
            for b in UnsafeBufferPointer(rebasing: line[j...]) where !HeadParser.isFieldValueChar(b) {
                throw .bad("invalid character in chunk extension")
            }
        } else if j > i {
            throw .bad("invalid chunk size")
        }
        return size
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
