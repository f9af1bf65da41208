import Foundation
import Glibc

// A blocking HTTP/1.1 server on 127.0.0.1 for tests of outbound HTTP: one thread per
// connection, keep-alive, Content-Length framing. The kernel's client tests drive it directly;
// the plugin tests script it as the Graph API, Wasender and Chatwoot.

/// What the fake server received.
public struct FakeRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// What the fake server answers: after `delayMs`, with Content-Length or chunked framing.
public struct FakeReply: Sendable {
    public var status: Int = 200
    public var headers: [(String, String)] = []
    public var body: [UInt8] = []
    public var delayMs: Int = 0
    public var chunked = false

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], delayMs: Int = 0, chunked: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayMs = delayMs
        self.chunked = chunked
    }
}

/// A blocking HTTP/1.1 server on 127.0.0.1: one thread accepting, one thread per connection,
/// keep-alive, requests framed by Content-Length. Counts accepted connections so tests can
/// see reuse. Just enough HTTP for the client's tests; not a model of anything.
public final class FakeHTTPServer: @unchecked Sendable {
    struct Failure: Error { var message: String }

    public let port: Int
    private let listenFD: Int32
    private let handler: @Sendable (FakeRequest) -> FakeReply
    /// Written as soon as a connection is accepted, before reading anything.
    private let greeting: [UInt8]
    private let lock = NSLock()
    private var accepted = 0
    private var open: Set<Int32> = []
    private var stopped = false

    public init(greeting: [UInt8] = [], handler: @escaping @Sendable (FakeRequest) -> FakeReply) throws {
        self.handler = handler
        self.greeting = greeting
        (listenFD, port) = try Self.bindLoopback(listen: true)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A port nothing listens on: bound, then closed.
    public static func unusedPort() throws -> Int {
        let (fd, port) = try bindLoopback(listen: false)
        close(fd)
        return port
    }

    public var acceptedConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted
    }

    /// Stops accepting and drops every connection; threads exit on their own.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        // shutdown wakes the blocked accept and reads; each thread closes its own fd, so no fd
        // number is closed twice or reused under a thread's feet.
        _ = shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in open { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func bindLoopback(listen shouldListen: Bool) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket: errno \(errno)") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !shouldListen || listen(fd, 256) == 0 else {
            close(fd)
            throw Failure(message: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            lock.lock()
            if stopped {
                lock.unlock()
                if fd >= 0 { close(fd) }
                close(listenFD)
                return
            }
            guard fd >= 0 else {
                lock.unlock()
                continue
            }
            accepted += 1
            open.insert(fd)
            lock.unlock()
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            lock.lock()
            open.remove(fd)
            close(fd)
            lock.unlock()
        }
        if !greeting.isEmpty { guard write(fd, greeting) else { return } }
        while let request = readRequest(fd, &buffer) {
            let reply = handler(request)
            if reply.delayMs > 0 { usleep(UInt32(reply.delayMs) * 1000) }
            guard write(fd, encode(reply, head: request.method == "HEAD")) else { return }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> FakeRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = Self.find(separator, in: buffer) { headEnd = end }
            if let end = headEnd {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count == 3 else { return nil }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
                let total = end + 4 + length
                if buffer.count >= total {
                    let request = FakeRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                                              body: Array(buffer[(end + 4)..<total]))
                    buffer.removeFirst(total)
                    return request
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private func encode(_ reply: FakeReply, head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(reply.status) Fake\r\n"
        for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
        text += reply.chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(reply.body.count)\r\n\r\n"
        var bytes = Array(text.utf8)
        if head { return bytes }
        guard reply.chunked else { return bytes + reply.body }
        var offset = 0
        while offset < reply.body.count {
            let size = min(4096, reply.body.count - offset)
            bytes += Array("\(String(size, radix: 16))\r\n".utf8) + reply.body[offset..<(offset + size)] + [13, 10]
            offset += size
        }
        return bytes + Array("0\r\n\r\n".utf8)
    }

    /// Writes everything; false when the peer has gone (MSG_NOSIGNAL: no SIGPIPE).
    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }
}

