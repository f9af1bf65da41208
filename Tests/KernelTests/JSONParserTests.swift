import Testing
@testable import Kernel

/// JSONParser and jsonText(): strict RFC 8259 parsing with line and column errors.
struct JSONParserTests {}

private func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// What parsing `bytes` throws, or nil when it succeeds.
private func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

// MARK: values

private let validDocuments: [(String, JSONValue)] = [
    ("null", .null),
    (" \t\r\n true \n", .bool(true)),
    ("false", .bool(false)),
    ("0", .integer(0)),
    ("-0", .integer(0)),
    ("42", .integer(42)),
    ("9223372036854775807", .integer(.max)),
    ("-9223372036854775808", .integer(.min)),
    ("9223372036854775808", .double(9_223_372_036_854_775_808)),
    ("1.5", .double(1.5)),
    ("1e3", .double(1000)),
    ("-2.5E-3", .double(-0.0025)),
    ("1.0", .double(1)),
    (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
    (#""\u00e9\ud83d\ude00\u0000""#, .string("é😀\u{0}")),
    ("\"é😀 ok\"", .string("é😀 ok")),
    ("[]", .array([])),
    ("{}", .object([])),
    (#"[1, [2, {"a": null}]]"#, .array([.integer(1), .array([.integer(2), .object([(key: "a", value: .null)])])])),
    ("\u{FEFF}{}", .object([])),
]

extension JSONParserTests {
    @Test(arguments: validDocuments)
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test func keepsMemberOrder() throws {
        let value = try parse(#"{"z": 1, "a": 2, "m": 3}"#)
        guard case .object(let members) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try parse(text) }
    }
}

// MARK: errors

private let invalidDocuments: [(String, Int, Int, String)] = [
    ("", 1, 1, "unexpected end of input"),
    ("   ", 1, 4, "unexpected end of input"),
    (#"{"a":1,}"#, 1, 7, "trailing comma before '}'"),
    ("[1,2,]", 1, 5, "trailing comma before ']'"),
    (#"{"a":1 "b":2}"#, 1, 8, "expected ',' or '}'"),
    ("[1 2]", 1, 4, "expected ',' or ']'"),
    (#"{"a" 1}"#, 1, 6, "expected ':'"),
    ("{a:1}", 1, 2, "expected a string key"),
    (#"{"a":1"#, 1, 7, "unexpected end of input"),
    ("// note\n{}", 1, 1, "comments are not allowed"),
    (#"{"a":1 /* note */}"#, 1, 8, "comments are not allowed"),
    ("01", 1, 1, "leading zeros are not allowed"),
    ("-012", 1, 2, "leading zeros are not allowed"),
    ("-", 1, 2, "unexpected end of input"),
    ("-a", 1, 2, "expected a digit"),
    ("1.x", 1, 3, "expected a digit after '.'"),
    ("1ex", 1, 3, "expected a digit in the exponent"),
    ("1e400", 1, 1, "number out of range"),
    (".5", 1, 1, "expected a value"),
    ("+1", 1, 1, "expected a value"),
    ("tru", 1, 1, "invalid literal (expected true, false or null)"),
    ("True", 1, 1, "expected a value"),
    (#""\ud800""#, 1, 2, #"lone surrogate in \u escape"#),
    (#""\udc00""#, 1, 2, #"lone surrogate in \u escape"#),
    (#""\ud800\u0041""#, 1, 2, #"lone surrogate in \u escape"#),
    (#""\u12G4""#, 1, 2, #"invalid \u escape (expected 4 hex digits)"#),
    (#""\x""#, 1, 2, "invalid escape sequence"),
    ("\"a\nb\"", 1, 3, "unescaped control character in string"),
    ("\"a\tb\"", 1, 3, "unescaped control character in string"),
    ("\"abc", 1, 1, "unterminated string"),
    ("{} x", 1, 4, "unexpected content after the value"),
    ("{}}", 1, 3, "unexpected content after the value"),
    ("{\"a\": 1,\n \"a\": 2}", 2, 2, #"duplicate key "a" (first on line 1)"#),
    ("{\n  \"é\": 1,\n  \"b\" 2}", 3, 7, "expected ':'"),
    ("[é]", 1, 2, "expected a value"),
]

extension JSONParserTests {
    @Test(arguments: invalidDocuments)
    func rejectsInvalidDocuments(text: String, line: Int, column: Int, message: String) {
        #expect(syntaxError(Array(text.utf8)) == JSONSyntaxError(line: line, column: column, message: message))
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],  // a byte that never starts UTF-8
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(syntaxError(bytes) == JSONSyntaxError(line: 1, column: 2, message: "invalid utf-8 in string"))
    }

    @Test func rejectsNestingPastTheLimit() {
        let depth = JSONParser.maximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(syntaxError(Array(text.utf8)) == JSONSyntaxError(line: 1, column: depth, message: "nesting deeper than 64 levels"))
    }

    @Test func describesErrorsWithLineAndColumn() {
        let text = "{\n  \"server\": {\n    \"port\": 8080 \"host\": \"::1\"\n  }\n}"
        #expect(syntaxError(Array(text.utf8))?.description == "line 3, column 18: expected ',' or '}'")
    }
}

// MARK: serialising

extension JSONParserTests {
    @Test func writesCompactTextInMemberOrder() {
        let value = JSONValue.object([
            (key: "b", value: .integer(-1)),
            (key: "a", value: .array([.bool(true), .null, .string("x\"y\n\u{1}")])),
            (key: "c", value: .double(1.5)),
            (key: "d", value: .object([])),
        ])
        #expect(value.jsonText() == #"{"b":-1,"a":[true,null,"x\"y\n\u0001"],"c":1.5,"d":{}}"#)
    }

    @Test(arguments: [
        #"{"server":{"host":"::1","port":8080},"list":[1,2.5,-0.001,1e+20,"é😀",false,null],"empty":[]}"#,
        #"[9223372036854775807,-9223372036854775808,9.223372036854776e+18]"#,
    ])
    func roundTripsThroughText(text: String) throws {
        let value = try parse(text)
        #expect(try parse(value.jsonText()) == value)
    }
}
