extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace: space, tab, line feed, carriage
    /// return, vertical tab and form feed. Other characters, non-ASCII spaces included, are kept.
    ///
    /// Stands in for Foundation's `trimmingCharacters(in:)`, which FoundationEssentials (all the
    /// server links) lacks; the whitespace that matters here (HTTP's optional whitespace, SQL
    /// text, header values) is ASCII.
    public func trimmingASCIIWhitespace() -> String {
        // One forward pass (a generic UTF8View is not bidirectional), cutting on the bytes: an
        // ASCII byte always starts and ends a scalar, whereas slicing the characters would round
        // to grapheme boundaries ("\r\n", a space before a combining mark).
        let bytes = utf8
        var start: String.UTF8View.Index?
        var end = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if !Self.isASCIIWhitespace(bytes[index]) {
                if start == nil { start = index }
                end = next
            }
            index = next
        }
        guard let start else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
