import PluginAPI
import Testing

/// The small string helpers that stand in for full Foundation's (the server links only
/// FoundationEssentials).
@Test(arguments: [
    ("  token \t", "token"), ("\r\n a b \u{0B}\u{0C}", "a b"), ("", ""), (" \t\n ", ""),
    ("\u{00A0}x\u{00A0}", "\u{00A0}x\u{00A0}"), // non-ASCII spaces are kept
    (" \u{0301}x ", "\u{0301}x"),                // cut on bytes, not rounded to a grapheme
] as [(String, String)])
func trimsASCIIWhitespace(text: String, trimmed: String) {
    #expect(text.trimmingASCIIWhitespace() == trimmed)
    #expect(text[...].trimmingASCIIWhitespace() == trimmed)
}

@Test(arguments: [
    ("a-b-c", "-", "", "abc"),
    ("secret and secret", "secret", "[redacted]", "[redacted] and [redacted]"),
    ("aaa", "aa", "b", "ba"),                    // left to right, non-overlapping
    ("line\r\nnext", "\n", "\\n", "line\r\\nnext"), // inside "\r\n", one Character
    ("tok\u{0301}en", "tok", "***", "***\u{0301}en"), // before a combining mark
    ("unchanged", "zz", "y", "unchanged"),
    ("empty target", "", "y", "empty target"),
    ("é and e\u{0301}", "é", "E", "E and e\u{0301}"), // literal: no canonical equivalence
] as [(String, String, String, String)])
func replacesLiterally(text: String, target: String, replacement: String, expected: String) {
    let result = text.replacingLiteral(target, with: replacement)
    #expect(Array(result.utf8) == Array(expected.utf8))
}

@Test func zeroPadsLikePrintf() {
    #expect(7.zeroPadded(3) == "007")
    #expect(2026.zeroPadded(4) == "2026")
    #expect(12345.zeroPadded(3) == "12345")
    #expect((-5).zeroPadded(4) == "-005")
    #expect(UInt32(0x1f).zeroPadded(4, radix: 16) == "001f")
}

@Test func controlCharactersAreEscapedWithFourHexDigits() {
    #expect(ErrorBody.escape("a\u{01}b\u{1f}") == "a\\u0001b\\u001f")
}

@Test func hexTextDecodesBothCasesAndRefusesTheRest() {
    #expect(HexText.bytes("00ff7Fa0") == [0x00, 0xff, 0x7f, 0xa0])
    #expect(HexText.bytes("") == [])
    #expect(HexText.bytes("abc") == nil)
    #expect(HexText.bytes("zz") == nil)
    #expect(HexText.bytes("0g") == nil)
}

@Test func jsonDocumentKeepsIntegersAndRoundTrips() throws {
    let value = try JSONText.decode(JSONDocument.self, from: Array(#"{"a":4,"b":[true,null,"x"],"c":4.5}"#.utf8))
    #expect(value.objectValue?["a"] == .integer(4))
    #expect(try JSONText.string(value) == #"{"a":4,"b":[true,null,"x"],"c":4.5}"#)
}

@Suite("form decoding")
struct FormDecodingTests {
    @Test func formBodiesAndQueriesDecodeAlike() {
        let body = "From=%2B212610059159&Body=hello+there%21&Body=second&Empty=&Flag"
        let request = Request(method: .post, path: "/texto/inbound", query: body, headers: HTTPHeaders(), body: Array(body.utf8),
                              remoteAddress: "127.0.0.1")
        let expected = ["From": "+212610059159", "Body": "hello there!", "Empty": "", "Flag": ""]
        #expect(request.formItems == expected)
        #expect(request.queryItems == expected)
        #expect(FormDecoding.items("") == [:])
    }
}
