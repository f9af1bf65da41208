import CShims
import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// Parent of the socket-level HTTP suites (framing, limits, connections, fuzz): `.serialized`
/// is recursive, so none of their servers, timeouts and 1,000-connection tests overlap with
/// each other on a small machine. Each suite is declared in its own file as an extension.
@Suite("HTTP over sockets", .serialized)
enum HTTPSocketSuites {}

// RawClient is used from one test (or one helper thread) at a time.
extension RawClient: @unchecked Sendable {}

extension RawClient {
    /// True when bytes (or EOF) are waiting on the socket within `timeoutMs`.
    /// Looks at the socket only (not at bytes already buffered by `read`).
    func waitReadable(timeoutMs: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeoutMs) > 0
    }

    /// Half-closes: the server sees EOF, the client can still read.
    func shutdownWrite() { _ = cshims_shutdown_write(fd) }

    func setReceiveTimeout(ms: Int32) { _ = cshims_set_recv_timeout_ms(fd, ms) }

    /// Reads answers until the server closes: returns them, or throws if one is malformed or
    /// the server neither answers nor closes within the receive timeout.
    func readUntilClosed(limit: Int = 20) throws -> [Answer] {
        var answers: [Answer] = []
        while answers.count < limit {
            if isClosedByServer() { return answers }
            answers.append(try read())
        }
        throw Failure(description: "more than \(limit) answers")
    }
}

extension RawClient {
    /// Fixes the socket's receive buffer (no autotuning), so a server cannot dump a large
    /// answer into the kernel at once.
    func setReceiveBuffer(bytes: Int32) {
        var v = bytes
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads raw bytes straight from the socket (bypassing `read`'s buffer); nil at EOF, error or timeout.
    func readRaw(max: Int) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: max)
        let n = chunk.withUnsafeMutableBytes { cshims_read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return Array(chunk[0..<n])
    }

    /// Reads one response with a Content-Length, `pieceBytes` at a time with a pause after each
    /// piece. Returns its head and how many body bytes arrived before EOF or the end.
    func readResponseSlowly(pieceBytes: Int, pauseMs: UInt32) -> (head: String, bodyBytes: Int) {
        var pending: [UInt8] = []
        var head = ""
        var length = Int.max
        var body = 0
        while body < length {
            var piece = 0
            while piece < pieceBytes, body < length {
                guard let bytes = readRaw(max: 65_536) else { return (head, body) }
                piece += bytes.count
                if head.isEmpty {
                    pending += bytes
                    if let end = pending.firstRange(of: [13, 10, 13, 10]) {
                        head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                        let line = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        length = line.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                        body = pending.count - end.upperBound
                    }
                } else {
                    body += bytes.count
                }
            }
            usleep(pauseMs * 1000)
        }
        return (head, body)
    }

    /// Reads raw bytes until `expected` answers whose body is `text` arrived (counted by
    /// `\r\n\r\n<text>`), or EOF / timeout. Cheap for very long pipelines.
    func countBodies(_ text: String, expected: Int) -> Int {
        let needle = Array(("\r\n\r\n" + text).utf8)
        var carry: [UInt8] = []
        var found = 0
        while found < expected, let bytes = readRaw(max: 65_536) {
            let window = carry + bytes
            var i = 0
            while i + needle.count <= window.count {
                if window[i] == 13 && Array(window[i..<(i + needle.count)]) == needle { found += 1; i += needle.count } else { i += 1 }
            }
            carry = Array(window.suffix(needle.count - 1))
        }
        return found
    }
}

/// Resident memory of this process (VmRSS), in MiB.
func residentMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kib / 1024
}

/// The thread is blocked in epoll_wait / epoll_pwait / epoll_pwait2 (x86_64 and arm64 numbers).
func isInEpollWait(_ tid: String) -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/self/task/\(tid)/syscall", encoding: .utf8),
          let number = text.split(separator: " ").first else { return false }
    #if arch(x86_64)
    return ["232", "281", "441"].contains(String(number))
    #else
    return ["22", "441"].contains(String(number))
    #endif
}

/// Starts a server, runs `body`, and stops the server whatever happens.
func withTestServer<T>(
    plugins: [any Plugin.Type] = [TestKitPlugin.self],
    adjust: (inout SwitchboardConfig) -> Void = { _ in },
    _ body: (TestServer) async throws -> T
) async throws -> T {
    let server = try await TestServer.start(plugins: plugins, adjust: adjust)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs blocking socket work on its own thread, so a test can await it while other tasks
/// (a concurrent `stop()`) make progress on the cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.start()
    }
}

func monotonicSeconds() -> Double { Double(cshims_monotonic_ns()) / 1e9 }

/// Checks the kernel's error shape: status, JSON content type, exactly
/// `{"error":{"code":…,"message":…}}`, and the headers every answer carries.
func expectErrorShape(
    _ answer: RawClient.Answer, status: Int, code: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(answer.status == status, "status", sourceLocation: sourceLocation)
    expectFramingHeaders(answer, sourceLocation: sourceLocation)
    #expect(answer.header("content-type") == "application/json", sourceLocation: sourceLocation)
    guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
          object.count == 1, let error = object["error"] as? [String: Any], error.count == 2,
          let gotCode = error["code"] as? String, let message = error["message"] as? String else {
        Issue.record("not the JSON error shape: \(answer.text)", sourceLocation: sourceLocation)
        return
    }
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
    if let code { #expect(gotCode == code, sourceLocation: sourceLocation) }
}

/// Every answer has exactly one `Content-Length` (matching its body) and one `Date`.
func expectFramingHeaders(_ answer: RawClient.Answer, head: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(answer.headerCount("content-length") == 1, "one Content-Length", sourceLocation: sourceLocation)
    if !head { #expect(answer.header("content-length") == "\(answer.body.count)", sourceLocation: sourceLocation) }
    #expect(answer.headerCount("date") == 1, "one Date", sourceLocation: sourceLocation)
    if let date = answer.header("date") {
        #expect(date.wholeMatch(of: /[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/) != nil, "IMF-fixdate: \(date)", sourceLocation: sourceLocation)
    }
    #expect(answer.headerCount("transfer-encoding") == 0, sourceLocation: sourceLocation)
}

/// Sends `request` on a new connection and expects the error `status` (and `code`), a
/// `Connection: close`, then a real close with nothing more sent (a smuggled request is not answered).
func expectRejectedAndClosed(
    _ server: TestServer, _ request: [UInt8], status: Int, code: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let client = try server.connect(timeoutMs: 3000)
    try client.send(request)
    let answer = try client.read()
    expectErrorShape(answer, status: status, code: code, sourceLocation: sourceLocation)
    #expect(answer.header("connection") == "close", "Connection: close", sourceLocation: sourceLocation)
    #expect(client.isClosedByServer(), "connection closed after \(status)", sourceLocation: sourceLocation)
}

func expectRejectedAndClosed(
    _ server: TestServer, _ request: String, status: Int, code: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try expectRejectedAndClosed(server, Array(request.utf8), status: status, code: code, sourceLocation: sourceLocation)
}

/// A named raw request and the answer expected for it, for `@Test(arguments:)` tables.
struct RawCase: Sendable, CustomTestStringConvertible {
    var name: String
    var request: String
    var status: Int
    var code: String?

    init(_ name: String, _ request: String, _ status: Int = 400, _ code: String? = nil) {
        self.name = name
        self.request = request
        self.status = status
        self.code = code ?? Self.defaultCode(status)
    }

    var testDescription: String { name }

    static func defaultCode(_ status: Int) -> String? {
        switch status {
        case 400: "bad_request"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 414: "uri_too_long"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 501: "not_implemented"
        case 505: "http_version_not_supported"
        default: nil
        }
    }
}

/// Threads of this process, by id (`/proc/self/task`).
func processThreadIDs() -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [])
}

/// CPU time (seconds) used so far by the threads `ids` (utime + stime from /proc/self/task/*/stat).
func cpuSeconds(ofThreads ids: Set<String>) -> Double {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = 0.0
    for tid in ids {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        total += (user + system) / ticks
    }
    return total
}

/// Like `withTestServer`, also passing the server's event-loop threads: the threads that
/// appeared while it started. (Thread names cannot be used: `switchboard-loop-N` is longer than
/// the 15 bytes Linux allows a thread name, so the loops keep their creator's name.)
func withTestServerAndLoopThreads<T>(
    adjust: (inout SwitchboardConfig) -> Void = { _ in },
    _ body: (TestServer, Set<String>) async throws -> T
) async throws -> T {
    let before = processThreadIDs()
    let server = try await TestServer.start(adjust: adjust)
    let appeared = processThreadIDs().subtracting(before)
    // Other suites may start threads meanwhile: keep those waiting in epoll, as idle loops do.
    var loops = appeared
    for _ in 0..<50 {
        let waiting = appeared.filter(isInEpollWait)
        if waiting.count >= (server.kernel.config.server.eventLoops ?? 1) { loops = waiting; break }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    do {
        let result = try await body(server, loops)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
