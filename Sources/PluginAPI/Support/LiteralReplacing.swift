extension String {
    /// Every occurrence of `target` replaced by `replacement`, matched literally (byte for byte
    /// in UTF-8, which is scalar for scalar), as Foundation's `replacingOccurrences(of:with:)`
    /// did; unchanged when `target` is empty or absent.
    ///
    /// The standard library's `replacing(_:with:)` on the string compares whole characters,
    /// so it would miss a `"\n"` inside `"\r\n"` (one character) or a secret whose last letter
    /// a combining mark follows; redaction and escaping must not miss those. It is also several
    /// times slower, and this runs for every field of every log line (redaction). Matching
    /// UTF-8 bytes is safe: a valid UTF-8 `target` can only match where a scalar starts.
    package func replacingLiteral(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var text = self
        var needle = target
        let replaced: [UInt8]? = text.withUTF8 { haystack in
            needle.withUTF8 { needle in Self.replacing(needle, in: haystack, with: replacement) }
        }
        guard let replaced else { return self }
        return String(decoding: replaced, as: UTF8.self)
    }

    /// The bytes of `haystack` with every non-overlapping `needle` (not empty) replaced, left
    /// to right; nil when there is none, so the common case allocates nothing.
    private static func replacing(
        _ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, with replacement: String
    ) -> [UInt8]? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var out: [UInt8] = []
        var found = false
        var copied = 0
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) {
                if !found { out.reserveCapacity(haystack.count) }
                found = true
                out.append(contentsOf: haystack[copied..<index])
                out.append(contentsOf: replacement.utf8)
                index += needle.count
                copied = index
            } else {
                index += 1
            }
        }
        guard found else { return nil }
        out.append(contentsOf: haystack[copied...])
        return out
    }
}
