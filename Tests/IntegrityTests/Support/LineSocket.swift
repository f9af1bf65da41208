import Foundation
import Glibc

/// A blocking loopback TCP client for the event-stream tests: sends raw bytes, reads what
/// arrives until a marker or a deadline.
final class LineSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let fd: Int32
    private(set) var received: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw Failure(description: "connect failed (errno \(errno))") }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// `read(until:seconds:)` on a thread of its own: a blocking read must not hold one of the
    /// few cooperative threads the server's job engine needs to produce what is awaited.
    func waitFor(_ marker: String, seconds: Double = 30) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread { continuation.resume(returning: self.read(until: marker, seconds: seconds)) }.start()
        }
    }

    /// Reads until `marker` is in what was received (true), EOF or `seconds` pass (false).
    @discardableResult
    func read(until marker: String, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !text.contains(marker) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 0.05) * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return text.contains(marker) }
            received += chunk[0..<n]
        }
        return true
    }
}
