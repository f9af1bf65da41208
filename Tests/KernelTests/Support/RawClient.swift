import CShims
import Foundation

/// A blocking TCP client that speaks bytes, so tests can send exactly what an attacker or a
/// broken client would, and read exactly what the server answers.
final class RawClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// A parsed response.
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        func headerCount(_ name: String) -> Int { headers.filter { $0.0.lowercased() == name.lowercased() }.count }
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutMs: Int32 = 5000) throws {
        let fd = cshims_connect("127.0.0.1", Int32(port))
        guard fd >= 0 else { throw Failure(description: "connect failed: \(-fd)") }
        self.fd = fd
        _ = cshims_set_recv_timeout_ms(fd, timeoutMs)
    }

    deinit { _ = cshims_close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { cshims_write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            guard n > 0 else { throw Failure(description: "send failed (errno \(cshims_errno()))") }
            sent += n
        }
    }

    /// Reads more bytes into the buffer; returns false at EOF, reset or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { cshims_read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response. `head`: the request was HEAD (no body whatever Content-Length says).
    func read(head: Bool = false) throws -> Answer {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line \(statusLine)") }
                let headers = lines.map { line -> (String, String) in
                    let kv = line.split(separator: ":", maxSplits: 1)
                    return (String(kv[0]), kv.count > 1 ? String(kv[1]).trimmingCharacters(in: .whitespaces) : "")
                }
                var answer = Answer(status: status, headers: headers, body: [])
                let bodyStart = end + 4
                if status == 100 || head || status == 204 || status == 304 {
                    buffer.removeFirst(bodyStart)
                    return answer
                }
                guard let lengthText = answer.header("content-length"), let length = Int(lengthText) else {
                    throw Failure(description: "response without content-length: \(headText)")
                }
                while buffer.count < bodyStart + length {
                    guard fill() else { throw Failure(description: "connection ended inside a body") }
                }
                answer.body = Array(buffer[bodyStart..<(bodyStart + length)])
                buffer.removeFirst(bodyStart + length)
                return answer
            }
            guard fill() else { throw Failure(description: "connection ended before a response (buffered: \(buffer.count) bytes)") }
        }
    }

    /// True when the server closed the connection (EOF or reset) with nothing more to read.
    func isClosedByServer() -> Bool {
        if !buffer.isEmpty { return false }
        var byte: UInt8 = 0
        let n = cshims_read(fd, &byte, 1)
        if n > 0 { buffer.append(byte); return false }
        if n == 0 { return true }
        let e = cshims_errno()
        return e == ECONNRESET
    }

    /// Sends a request and reads its response.
    func exchange(_ request: String, head: Bool = false) throws -> Answer {
        try send(request)
        return try read(head: head)
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
