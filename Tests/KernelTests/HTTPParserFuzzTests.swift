import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// A small, seeded generator, so every run (and every CI machine) sees the same inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
}

/// Bounded random testing of the pure parsers (`HeadParser`, `ChunkedDecoder`) and of the
/// server with mutated requests. Fixed seeds; a few seconds in all.
extension HTTPSocketSuites {
    @Suite("HTTP parser fuzz")
    struct HTTPParserFuzzTests {
        enum Parsed {
            case head(RequestHead, consumed: Int)
            case incomplete
            case refused(HTTPParseError)
        }

        static func parse(_ bytes: [UInt8], prefix: Int? = nil) -> Parsed {
            bytes.withUnsafeBufferPointer { all -> Parsed in
                let buf = UnsafeBufferPointer(rebasing: all[0..<(prefix ?? all.count)])
                do throws(HTTPParseError) {
                    switch try HeadParser.parse(buf, limits: HTTPLimits()) {
                    case .head(let h, let consumed): return .head(h, consumed: consumed)
                    case .incomplete: return .incomplete
                    }
                } catch {
                    return .refused(error)
                }
            }
        }

        /// Everything the parser decided about a head, for comparisons.
        static func summary(_ h: RequestHead) -> String {
            let fields = h.headers.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1}")
            return "\(h.method) \(h.path) ?\(h.query) 1.\(h.versionMinor) \(h.framing) continue=\(h.expectsContinue) keepAlive=\(h.keepAlive) [\(fields)]"
        }

        static let headStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]
        static let bodyStatuses: Set<Int> = [400, 413, 431]

        // MARK: - inputs

        static let seeds: [String] = [
            "GET /testkit/hello HTTP/1.1\r\nHost: t\r\n\r\n",
            "POST /testkit/echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "POST /testkit/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: v\r\n\r\n",
            "GET http://example.com/testkit/query?a=1&b=2 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /testkit/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "PUT /testkit/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
            "GET /testkit/items/42?x=%20y HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc\r\nAccept: */*\r\nUser-Agent: fuzz/1.0 (x; y)\r\n\r\n",
            "DELETE /testkit/items/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: keep-alive, close\r\n\r\n",
        ]

        static let specialBytes: [UInt8] = [13, 10, 0, 32, 58, 9, 44, 34, 59, 0x7f, 0x80, 0xff, 11, 12]
        static let extraLines: [String] = [
            "Transfer-Encoding: chunked\r\n", "Content-Length: 10\r\n", "Content-Length: 5\r\n", "Host: x\r\n",
            "Expect: 100-continue\r\n", "Expect: nope\r\n", " folded\r\n", "\tfolded\r\n", "Connection: close\r\n",
            "Content-Length: -1\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: chunked, gzip\r\n",
            "Transfer-Encoding : chunked\r\n", "X: \u{0}\r\n", ": v\r\n", "\r\n", "\n", "X-Long: " + String(repeating: "L", count: 300) + "\r\n",
        ]

        /// Applies 1 to 4 random mutations.
        static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
            var b = input
            for _ in 0..<rng.int(1..<5) {
                switch rng.int(0..<11) {
                case 0 where !b.isEmpty: // bit flip
                    b[rng.int(0..<b.count)] ^= UInt8(1) << UInt8(rng.int(0..<8))
                case 1 where !b.isEmpty: // random byte
                    b[rng.int(0..<b.count)] = UInt8(rng.int(0..<256))
                case 2: // special byte inserted
                    b.insert(rng.pick(specialBytes), at: rng.int(0..<(b.count + 1)))
                case 3 where !b.isEmpty: // deletion
                    b.remove(at: rng.int(0..<b.count))
                case 4 where !b.isEmpty: // truncation
                    b = Array(b[0..<rng.int(0..<b.count)])
                case 5: // duplicated header line
                    let lines = lineRanges(b)
                    if lines.count > 2 {
                        let r = lines[rng.int(1..<(lines.count - 1))]
                        b.insert(contentsOf: b[r], at: r.upperBound)
                    }
                case 6: // extra header line after the request line
                    let lines = lineRanges(b)
                    let at = lines.first?.upperBound ?? 0
                    b.insert(contentsOf: Array(rng.pick(extraLines).utf8), at: min(at, b.count))
                case 7: // a CRLF made bare
                    if let i = b.indices.dropLast().filter({ b[$0] == 13 && b[$0 + 1] == 10 }).randomElement(using: &rng) {
                        if rng.chance(50) { b.remove(at: i) } else { b.remove(at: i + 1) }
                    }
                case 8 where !b.isEmpty: // a slice repeated
                    let start = rng.int(0..<b.count)
                    let end = min(b.count, start + rng.int(1..<40))
                    b.insert(contentsOf: b[start..<end], at: end)
                case 9 where rng.chance(10): // something long: target or header past the limits
                    let at = min(b.count, rng.pick([5, 15, 40]))
                    b.insert(contentsOf: [UInt8](repeating: UInt8(ascii: rng.chance(50) ? "a" : "/"), count: rng.pick([8200, 9000, 17_000])), at: at)
                default: // swap two bytes
                    if b.count > 1 {
                        let i = rng.int(0..<b.count), j = rng.int(0..<b.count)
                        b.swapAt(i, j)
                    }
                }
            }
            return b
        }

        /// Ranges of lines including their CRLF.
        static func lineRanges(_ b: [UInt8]) -> [Range<Int>] {
            var result: [Range<Int>] = []
            var start = 0
            var i = 0
            while i + 1 < b.count {
                if b[i] == 13 && b[i + 1] == 10 {
                    result.append(start..<(i + 2))
                    start = i + 2
                    i += 2
                } else {
                    i += 1
                }
            }
            return result
        }

        /// A valid chunked body with its decoded bytes.
        static func chunkedBody(_ rng: inout SplitMix64) -> (wire: [UInt8], decoded: [UInt8]) {
            var wire: [UInt8] = []
            var decoded: [UInt8] = []
            for _ in 0..<rng.int(0..<5) {
                let size = rng.int(1..<24)
                let data = (0..<size).map { _ in UInt8(rng.int(0..<256)) }
                var line = rng.chance(50) ? String(size, radix: 16) : String(size, radix: 16).uppercased()
                if rng.chance(20) { line = "00" + line }
                if rng.chance(25) { line += rng.pick([";a", ";a=b", ";name=\"quoted value\"", " ;x=1;y"]) }
                wire += Array((line + "\r\n").utf8) + data + [13, 10]
                decoded += data
            }
            wire += Array((rng.chance(20) ? "0;end\r\n" : "0\r\n").utf8)
            if rng.chance(30) { wire += Array("X-Trailer: v\r\n".utf8) }
            wire += [13, 10]
            return (wire, decoded)
        }

        /// Feeds `wire` to a decoder the way a connection does: `pieces` at a time, always
        /// from the first unconsumed byte. Checks consumption and limits on the way.
        static func decode(_ wire: [UInt8], maxBody: Int, piece: (inout SplitMix64) -> Int, _ rng: inout SplitMix64)
            -> (body: [UInt8], consumed: Int, error: HTTPParseError?, done: Bool, problem: String?) {
            var decoder = ChunkedDecoder(maxBody: maxBody, maxTrailerBytes: 16 * 1024)
            var body: [UInt8] = []
            var consumedTotal = 0
            var available = 0
            while available < wire.count {
                available = min(wire.count, available + max(1, piece(&rng)))
                let window = available - consumedTotal
                let result: Result<Int, HTTPParseError> = wire.withUnsafeBufferPointer { all in
                    let buf = UnsafeBufferPointer(rebasing: all[consumedTotal..<available])
                    do throws(HTTPParseError) {
                        return .success(try decoder.consume(buf, into: &body))
                    } catch {
                        return .failure(error)
                    }
                }
                switch result {
                case .failure(let error):
                    return (body, consumedTotal, error, false, nil)
                case .success(let n):
                    if n < 0 || n > window { return (body, consumedTotal, nil, false, "consumed \(n) of \(window)") }
                    if body.count > maxBody { return (body, consumedTotal, nil, false, "body \(body.count) over \(maxBody)") }
                    consumedTotal += n
                    if decoder.state == .done { return (body, consumedTotal, nil, true, nil) }
                }
            }
            return (body, consumedTotal, nil, false, nil)
        }

        // MARK: - (a) mutated heads and bodies, straight to the parsers

        @Test func mutatedHeadsNeverCrashAndFailCleanly() {
            var rng = SplitMix64(seed: 0x5EED_0001)
            let seeds = Self.seeds.map { Array($0.utf8) }
            var problems: [String] = []
            var outcomes = (heads: 0, incomplete: 0, refused: [Int: Int]())
            for i in 0..<20_000 {
                let input: [UInt8]
                if i % 10 == 9 {
                    input = (0..<rng.int(0..<300)).map { _ in UInt8(rng.int(0..<256)) }
                } else {
                    input = Self.mutate(rng.pick(seeds), &rng)
                }
                switch Self.parse(input) {
                case .head(let h, let consumed):
                    outcomes.heads += 1
                    if consumed <= 0 || consumed > input.count { problems.append("consumed \(consumed) of \(input.count): \(input)") }
                    if case .length(let n) = h.framing, n <= 0 { problems.append("length framing \(n)") }
                    if h.path.isEmpty { problems.append("empty path") }
                    if h.versionMinor != 0 && !h.headers.contains("host") { problems.append("1.1 head without host") }
                    if h.framing == .chunked {
                        // The rest goes to the chunked decoder, in random pieces.
                        let rest = Array(input[consumed...])
                        let r = Self.decode(rest, maxBody: rng.int(0..<64), piece: { $0.int(1..<16) }, &rng)
                        if let p = r.problem { problems.append("decoder: \(p)") }
                        if let e = r.error, !Self.bodyStatuses.contains(e.status) { problems.append("decoder status \(e.status)") }
                    }
                case .incomplete:
                    outcomes.incomplete += 1
                case .refused(let error):
                    outcomes.refused[error.status, default: 0] += 1
                    if !Self.headStatuses.contains(error.status) || error.code.isEmpty || error.message.isEmpty {
                        problems.append("refused with \(error.status) \(error.code) \(error.message)")
                    }
                }
                if problems.count > 10 { break }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
            // The mutations reach every kind of outcome.
            #expect(outcomes.heads > 1000)
            #expect(outcomes.incomplete > 500)
            #expect(outcomes.refused[400, default: 0] > 1000)
            #expect(outcomes.refused[414, default: 0] > 0)
            #expect(outcomes.refused[431, default: 0] > 0)
        }

        @Test func mutatedChunkedBodiesNeverCrashAndFailCleanly() {
            var rng = SplitMix64(seed: 0x5EED_0002)
            var problems: [String] = []
            var refused = 0, done = 0
            for _ in 0..<20_000 {
                var (wire, _) = Self.chunkedBody(&rng)
                wire = Self.mutate(wire, &rng)
                let maxBody = rng.chance(50) ? 1 << 20 : rng.int(0..<40)
                let r = Self.decode(wire, maxBody: maxBody, piece: { $0.chance(30) ? 1 : $0.int(1..<64) }, &rng)
                if let p = r.problem { problems.append(p) }
                if let e = r.error {
                    refused += 1
                    if !Self.bodyStatuses.contains(e.status) { problems.append("status \(e.status) \(e.message)") }
                }
                if r.done { done += 1 }
                if r.consumed > wire.count { problems.append("consumed past the input") }
                if problems.count > 10 { break }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
            #expect(refused > 1000)
            #expect(done > 1000)
        }

        // MARK: - (b) whole vs byte by byte

        /// A valid random request: its bytes, what the parser must find, and where the head ends.
        static func validRequest(_ rng: inout SplitMix64) -> (bytes: [UInt8], expected: String, headLength: Int) {
            let tchars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
            let pchars = Array("abcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=:@")
            func token(_ n: Int, _ rng: inout SplitMix64) -> String { String((0..<n).map { _ in rng.pick(tchars) }) }
            let method = rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND"])
            var path = ""
            for _ in 0..<rng.int(1..<5) { path += "/" + String((0..<rng.int(0..<8)).map { _ in rng.pick(pchars) }) }
            let query = rng.chance(40) ? String((0..<rng.int(0..<20)).map { _ in rng.pick(pchars + ["=", "&", "?", "/"]) }) : nil
            let minor = rng.chance(85) ? 1 : 0
            var target = path + (query.map { "?" + $0 } ?? "")
            if rng.chance(10) { target = "http://example.com" + target }
            var fields: [(String, String)] = []
            if minor == 1 || rng.chance(50) { fields.append((rng.pick(["Host", "host", "HOST"]), rng.pick(["t", "example.com:8080", ""]))) }
            for _ in 0..<rng.int(0..<7) {
                let value = String((0..<rng.int(0..<20)).map { _ in Character(UnicodeScalar(UInt8(rng.int(0x21..<0x7f)))) })
                let inner = rng.chance(30) ? value + " \t" + value : value
                fields.append(("X-" + token(rng.int(1..<10), &rng), inner))
            }
            var framing = "none"
            var bodyBytes: [UInt8] = []
            switch rng.int(0..<3) {
            case 1:
                let n = rng.int(0..<30)
                fields.append(("Content-Length", "\(n)"))
                bodyBytes = (0..<n).map { _ in UInt8(rng.int(0..<256)) }
                framing = n > 0 ? "length(\(n))" : "none"
            case 2 where minor == 1:
                fields.append(("Transfer-Encoding", rng.pick(["chunked", "Chunked", "chunked "])))
                bodyBytes = chunkedBody(&rng).wire
                framing = "chunked"
            default: break
            }
            var keepAlive = minor == 1
            if rng.chance(30) {
                let c = rng.pick(["close", "keep-alive", "Keep-Alive", "upgrade, close"])
                fields.append(("Connection", c))
                if c.lowercased().contains("close") { keepAlive = false } else if minor == 0 { keepAlive = true }
            }
            var expectsContinue = false
            if rng.chance(15) {
                fields.append(("Expect", "100-continue"))
                expectsContinue = minor == 1 && framing != "none"
            }
            fields.shuffle(using: &rng)
            var head = (rng.chance(10) ? "\r\n" : "") + "\(method) \(target) HTTP/1.\(minor)\r\n"
            for (name, value) in fields {
                head += name + ":" + rng.pick(["", " ", "\t", "  "]) + value + rng.pick(["", "", " ", "\t"]) + "\r\n"
            }
            head += "\r\n"
            let trimmed = fields.map { ($0.0, $0.1.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))) }
            let expected = "\(method) \(path.isEmpty ? "/" : path) ?\(query ?? "") 1.\(minor) \(framing) continue=\(expectsContinue) keepAlive=\(keepAlive) ["
                + trimmed.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{1}") + "]"
            return (Array(head.utf8) + bodyBytes, expected, head.utf8.count)
        }

        @Test func wholeAndByteByByteParsesAgree() {
            var rng = SplitMix64(seed: 0x5EED_0003)
            var problems: [String] = []
            for _ in 0..<2_000 {
                let (bytes, expected, headLength) = Self.validRequest(&rng)
                let text = String(decoding: bytes.prefix(headLength), as: UTF8.self)
                guard case .head(let whole, let consumed) = Self.parse(bytes) else {
                    problems.append("valid request not parsed whole: \(Self.parse(bytes)) \(text.debugDescription)")
                    continue
                }
                if consumed != headLength { problems.append("consumed \(consumed), head is \(headLength): \(text.debugDescription)") }
                if Self.summary(whole) != expected { problems.append("parsed \(Self.summary(whole).debugDescription), expected \(expected.debugDescription)") }
                // Growing prefixes: incomplete until the head is whole, then the same head.
                for n in 1...consumed {
                    let prefix = Self.parse(bytes, prefix: n)
                    if n < consumed {
                        if case .incomplete = prefix { continue }
                        problems.append("prefix \(n)/\(consumed) gave \(prefix): \(text.debugDescription)")
                        break
                    }
                    if case .head(let h, let c) = prefix, c == consumed, Self.summary(h) == Self.summary(whole) { continue }
                    problems.append("prefix \(n)/\(consumed) gave \(prefix): \(text.debugDescription)")
                }
                if problems.count > 10 { break }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
        }

        @Test func chunkedWholeAndByteByByteAgree() {
            var rng = SplitMix64(seed: 0x5EED_0004)
            var problems: [String] = []
            for _ in 0..<2_000 {
                let (wire, decoded) = Self.chunkedBody(&rng)
                let extra = Array("GET / HTTP/1.1\r\n".utf8)
                let whole = Self.decode(wire + extra, maxBody: 1 << 20, piece: { _ in Int.max / 2 }, &rng)
                let bytewise = Self.decode(wire + extra, maxBody: 1 << 20, piece: { _ in 1 }, &rng)
                let exact = Self.decode(wire, maxBody: decoded.count, piece: { $0.int(1..<8) }, &rng)
                for (name, r) in [("whole", whole), ("bytewise", bytewise), ("exact limit", exact)] {
                    if !r.done || r.body != decoded || r.consumed != wire.count || r.error != nil || r.problem != nil {
                        problems.append("\(name): done \(r.done) consumed \(r.consumed)/\(wire.count) error \(String(describing: r.error)) \(String(decoding: wire, as: UTF8.self).debugDescription)")
                    }
                }
                if !decoded.isEmpty {
                    let over = Self.decode(wire, maxBody: decoded.count - 1, piece: { $0.int(1..<8) }, &rng)
                    if over.error?.status != 413 { problems.append("one byte over the limit: \(String(describing: over.error))") }
                }
                if problems.count > 10 { break }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
        }

        // MARK: - (c) mutated requests over sockets

        @Test func mutatedRequestsOverSocketsGetAnswersOrCloses() async throws {
            try await withTestServer(adjust: {
                $0.server.headerTimeout = ConfigDuration(milliseconds: 500)
                $0.server.bodyTimeout = ConfigDuration(milliseconds: 500)
            }) { server in
                var rng = SplitMix64(seed: 0x5EED_0005)
                let seeds = Self.seeds.map { Array($0.utf8) }
                var problems: [String] = []
                var answered = 0
                // Three rounds of 100 connections open at once: each waits for the server in parallel.
                for _ in 0..<3 {
                    var round: [(RawClient, [UInt8])] = []
                    for _ in 0..<100 {
                        let input = Self.mutate(rng.pick(seeds), &rng)
                        let client = try server.connect(timeoutMs: 3000)
                        try? client.send(input)
                        client.shutdownWrite()
                        round.append((client, input))
                    }
                    for (client, input) in round {
                        do {
                            let answers = try client.readUntilClosed()
                            if !answers.isEmpty { answered += 1 }
                            for a in answers {
                                guard (100...599).contains(a.status) else { problems.append("status \(a.status)"); continue }
                                if a.status >= 200 {
                                    if a.headerCount("date") != 1 || a.headerCount("content-length") != 1 { problems.append("headers of \(a.status)") }
                                    if a.status >= 400, (try? JSONSerialization.jsonObject(with: Data(a.body))) == nil { problems.append("error body not JSON") }
                                }
                            }
                        } catch {
                            problems.append("\(error) for \(String(decoding: input, as: UTF8.self).debugDescription)")
                        }
                        if problems.count > 10 { break }
                    }
                }
                #expect(problems.isEmpty, "\(problems.prefix(10))")
                #expect(answered > 150)
                // Still serving.
                let client = try server.connect()
                let health = try client.exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(health.status == 200)
            }
        }
    }
}
