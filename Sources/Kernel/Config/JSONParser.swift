/// A strict RFC 8259 parser of our own. `JSONSerialization` loses member order, turns
/// integers into doubles past 2^53 and reports no line or column; config needs all three.
///
/// Rejected, each with a line and column: duplicate keys in one object, trailing commas,
/// comments, leading zeros, lone surrogates in `\u` escapes, unescaped control characters
/// and invalid UTF-8 in strings, numbers beyond the range of a double, nesting deeper than
/// `maximumDepth`, and anything after the value. A leading UTF-8 byte order mark is skipped,
/// as RFC 8259 §8.1 allows, because some editors write one.
public enum JSONParser {
    /// Arrays and objects nest at most this deep; deeper input is rejected rather than
    /// risking the stack on hostile or broken files.
    public static let maximumDepth = 64

    /// Parses one JSON document. Integers that fit `Int64` become `.integer`; every other
    /// number becomes `.double`. Pure: performs no I/O.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        return try reader.parseDocument()
    }
}

/// The parser's cursor over the input bytes.
private struct JSONReader {
    let bytes: [UInt8]
    /// Where the document starts, after a byte order mark (columns count from here on line 1).
    let start: Int
    var offset: Int
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        start = hasBOM ? 3 : 0
        offset = start
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        try skipWhitespace()
        let value = try parseValue()
        try skipWhitespace()
        guard offset == bytes.count else { throw error("unexpected content after the value") }
        return value
    }

    // MARK: values

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value")
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let literal = Array(word.utf8)
        guard bytes.count - offset >= literal.count, bytes[offset..<offset + literal.count].elementsEqual(literal) else {
            throw error("invalid literal (expected true, false or null)")
        }
        offset += literal.count
        return value
    }

    mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        offset += 1
        var members: [(key: String, value: JSONValue)] = []
        // Where each key first appeared, to name its line when it repeats.
        var firstOffsets: [String: Int] = [:]
        try skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard let byte = peek() else { throw error("unexpected end of input") }
            guard byte == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = offset
            let key = try parseString()
            if let first = firstOffsets[key] {
                throw error("duplicate key \"\(key)\" (first on line \(location(of: first).line))", at: keyOffset)
            }
            firstOffsets[key] = keyOffset
            try skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw expected("':'") }
            offset += 1
            try skipWhitespace()
            members.append((key: key, value: try parseValue()))
            if try closesAfterElement(UInt8(ascii: "}")) { return .object(members) }
        }
    }

    /// After an object member or array item: consumes `,` (refusing a trailing one) and returns
    /// false, or consumes `close` (leaving the container) and returns true.
    mutating func closesAfterElement(_ close: UInt8) throws(JSONSyntaxError) -> Bool {
        let closing = "'" + String(UnicodeScalar(close)) + "'"
        try skipWhitespace()
        switch peek() {
        case UInt8(ascii: ","):
            let comma = offset
            offset += 1
            try skipWhitespace()
            if peek() == close { throw error("trailing comma before \(closing)", at: comma) }
            return false
        case close:
            offset += 1
            depth -= 1
            return true
        default:
            throw expected("',' or \(closing)")
        }
    }

    mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        offset += 1
        var items: [JSONValue] = []
        try skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try parseValue())
            if try closesAfterElement(UInt8(ascii: "]")) { return .array(items) }
        }
    }

    mutating func enterContainer() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= JSONParser.maximumDepth else {
            throw error("nesting deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    // MARK: numbers

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let begin = offset
        var isInteger = true
        if peek() == UInt8(ascii: "-") { offset += 1 }
        switch peek() {
        case UInt8(ascii: "0"):
            offset += 1
            if let next = peek(), isDigit(next) { throw error("leading zeros are not allowed", at: offset - 1) }
        case let byte? where isDigit(byte):
            skipDigits()
        default:
            throw expected("a digit")
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard let byte = peek(), isDigit(byte) else { throw expected("a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard let byte = peek(), isDigit(byte) else { throw expected("a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
        // Integers stay exact while they fit; larger ones can only be doubles.
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw error("number out of range", at: begin) }
        return .double(double)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { offset += 1 }
    }

    // MARK: strings

    mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = offset
        offset += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string", at: open) }
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                // Every byte appended was checked (or produced) as UTF-8, so nothing is replaced.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x00..<0x20:
                throw error("unescaped control character in string")
            case 0x80...:
                try copyUTF8Sequence(into: &out)
            default:
                out.append(byte)
                offset += 1
            }
        }
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let backslash = offset
        offset += 1
        guard let byte = peek() else { throw error("unterminated string") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeAt: backslash)
            var value = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate only means something followed by a low one.
                guard bytes.count - offset >= 2, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error("lone surrogate in \\u escape", at: backslash)
                }
                let lowEscape = offset
                offset += 2
                let low = try parseHex4(escapeAt: lowEscape)
                guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in \\u escape", at: backslash) }
                value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw error("lone surrogate in \\u escape", at: backslash)
            default:
                break
            }
            guard let scalar = Unicode.Scalar(value) else { throw error("invalid \\u escape", at: backslash) }
            UTF8.encode(scalar) { out.append($0) }
        default:
            throw error("invalid escape sequence", at: backslash)
        }
    }

    mutating func parseHex4(escapeAt backslash: Int) throws(JSONSyntaxError) -> UInt16 {
        guard bytes.count - offset >= 4 else { throw error("invalid \\u escape (expected 4 hex digits)", at: backslash) }
        var unit: UInt16 = 0
        for byte in bytes[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape (expected 4 hex digits)", at: backslash)
            }
            unit = unit << 4 | UInt16(digit)
        }
        offset += 4
        return unit
    }

    /// Copies one multi-byte UTF-8 sequence, rejecting overlong forms, surrogates and
    /// values past U+10FFFF (the table in RFC 3629 §4).
    mutating func copyUTF8Sequence(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw error("invalid utf-8 in string")
        }
        guard bytes.count - offset >= length else { throw error("invalid utf-8 in string") }
        for index in 1..<length {
            let byte = bytes[offset + index]
            let range = index == 1 ? secondRange : 0x80...0xBF
            guard range.contains(byte) else { throw error("invalid utf-8 in string") }
        }
        out.append(contentsOf: bytes[offset..<offset + length])
        offset += length
    }

    // MARK: whitespace and errors

    func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skipWhitespace() throws(JSONSyntaxError) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "/"):
                // A '/' is never valid outside a string; say why instead of "expected a value".
                throw error("comments are not allowed")
            default:
                return
            }
        }
    }

    /// "expected X" at the current offset, or "unexpected end of input" when there is nothing left.
    func expected(_ what: String) -> JSONSyntaxError {
        peek() == nil ? error("unexpected end of input") : error("expected \(what)")
    }

    func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let (line, column) = location(of: position ?? offset)
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// Line and column of a byte offset, computed only when an error is reported.
    func location(of position: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[start..<min(max(position, start), bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Continuation bytes belong to the scalar already counted.
                column += 1
            }
        }
        return (line, column)
    }
}
