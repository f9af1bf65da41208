/// A libphonenumber pattern, compiled for matching strings of ASCII digits.
///
/// The kernel links FoundationEssentials only (no `NSRegularExpression`), and libphonenumber's
/// metadata needs a small subset of regular expressions: digits, `\d`, classes like `[2-58]`,
/// groups `( )` and `(?: )`, alternation `|`, the quantifiers `?`, `{n}` and `{n,m}`, and `$`.
/// This compiles exactly that subset (anything else is a `DigitPatternError`) and matches with
/// the same backtracking order as Python's and Java's engines, so a prefix match ends where
/// libphonenumber's does and captures the same groups.
struct DigitPattern: Sendable {
    indirect enum Node: Sendable {
        /// One digit from the set (bit n: digit n).
        case digit(UInt16)
        case sequence([Node])
        /// The first alternative that lets the rest match wins.
        case alternation([Node])
        /// `( )` with its 1-based group number, or `(?: )` with nil.
        case group(Node, capture: Int?)
        /// Greedy: as many repetitions as possible first.
        case repetition(Node, min: Int, max: Int)
        /// `$`: the end of the input.
        case end
    }

    let root: Node
    /// How many capturing groups the pattern has.
    let groupCount: Int
    /// The pattern as written, for error messages.
    let source: String

    init(_ source: String) throws(DigitPatternError) {
        var parser = Parser(bytes: Array(source.utf8))
        let root = try parser.parseAlternation()
        guard parser.position == parser.bytes.count else {
            throw DigitPatternError(source: source, position: parser.position, "unbalanced \")\"")
        }
        self.root = root
        self.groupCount = parser.groupCount
        self.source = source
    }
}

/// A pattern outside the subset `DigitPattern` supports, or malformed.
struct DigitPatternError: Error, CustomStringConvertible {
    var source: String
    var position: Int
    var message: String

    init(source: String, position: Int, _ message: String) {
        self.source = source
        self.position = position
        self.message = message
    }

    var description: String { "pattern \(source) at offset \(position): \(message)" }
}

extension DigitPattern {
    /// Recursive descent over the pattern's bytes: alternation → sequence → quantified atom.
    fileprivate struct Parser {
        let bytes: [UInt8]
        var position = 0
        var groupCount = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        private var source: String { String(decoding: bytes, as: UTF8.self) }

        private func error(_ message: String) -> DigitPatternError {
            DigitPatternError(source: source, position: position, message)
        }

        private var next: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func parseAlternation() throws(DigitPatternError) -> Node {
            var alternatives = [try parseSequence()]
            while next == UInt8(ascii: "|") {
                position += 1
                alternatives.append(try parseSequence())
            }
            return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
        }

        private mutating func parseSequence() throws(DigitPatternError) -> Node {
            var items: [Node] = []
            while let byte = next, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                let atom = try parseAtom()
                items.append(try parseQuantifier(of: atom))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func parseAtom() throws(DigitPatternError) -> Node {
            guard let byte = next else { throw error("unexpected end") }
            position += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .digit(1 << UInt16(byte - UInt8(ascii: "0")))
            case UInt8(ascii: "\\"):
                guard next == UInt8(ascii: "d") else { throw error("only \\d is supported after a backslash") }
                position += 1
                return .digit(0x3FF)
            case UInt8(ascii: "["):
                return .digit(try parseClass())
            case UInt8(ascii: "$"):
                return .end
            case UInt8(ascii: "("):
                var capture: Int?
                if next == UInt8(ascii: "?") {
                    guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ":") else {
                        throw error("only (?: groups are supported")
                    }
                    position += 2
                } else {
                    groupCount += 1
                    capture = groupCount
                }
                let inner = try parseAlternation()
                guard next == UInt8(ascii: ")") else { throw error("missing \")\"") }
                position += 1
                return .group(inner, capture: capture)
            default:
                position -= 1
                throw error("unsupported character \"\(String(decoding: [byte], as: UTF8.self))\"")
            }
        }

        /// `[…]` after its `[`: digits, ranges `a-b` and `\d`; no negation.
        private mutating func parseClass() throws(DigitPatternError) -> UInt16 {
            var set: UInt16 = 0
            while let byte = next, byte != UInt8(ascii: "]") {
                position += 1
                if byte == UInt8(ascii: "\\") {
                    guard next == UInt8(ascii: "d") else { throw error("only \\d is supported in a class") }
                    position += 1
                    set |= 0x3FF
                    continue
                }
                guard let low = Self.digitValue(byte) else { throw error("only digits are supported in a class") }
                if next == UInt8(ascii: "-"), position + 1 < bytes.count, let high = Self.digitValue(bytes[position + 1]) {
                    guard low <= high else { throw error("reversed range") }
                    position += 2
                    for d in low...high { set |= 1 << UInt16(d) }
                } else {
                    set |= 1 << UInt16(low)
                }
            }
            guard next == UInt8(ascii: "]"), set != 0 else { throw error("unterminated or empty class") }
            position += 1
            return set
        }

        private mutating func parseQuantifier(of atom: Node) throws(DigitPatternError) -> Node {
            guard let byte = next else { return atom }
            if byte == UInt8(ascii: "?") {
                position += 1
                try rejectStackedQuantifier()
                return .repetition(atom, min: 0, max: 1)
            }
            guard byte == UInt8(ascii: "{") else { return atom }
            position += 1
            let min = try parseCount()
            var max = min
            if next == UInt8(ascii: ",") {
                position += 1
                max = try parseCount()
            }
            guard next == UInt8(ascii: "}"), min <= max else { throw error("malformed {n,m}") }
            position += 1
            try rejectStackedQuantifier()
            return .repetition(atom, min: min, max: max)
        }

        /// Lazy (`??`) and possessive quantifiers are not in the subset.
        private func rejectStackedQuantifier() throws(DigitPatternError) {
            if let byte = next, byte == UInt8(ascii: "?") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "{") {
                throw error("stacked quantifiers are not supported")
            }
        }

        private mutating func parseCount() throws(DigitPatternError) -> Int {
            var value = 0
            var digits = 0
            while let byte = next, let d = Self.digitValue(byte), digits < 3 {
                value = value * 10 + d
                digits += 1
                position += 1
            }
            guard digits > 0 else { throw error("expected a count") }
            return value
        }

        private static func digitValue(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
    }
}
