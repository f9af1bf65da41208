import Foundation

// Support for the process-level durability tests (`DurabilityTests.swift`): a keep-alive HTTP
// client on raw sockets, HMAC-SHA256 for WebhookKit's signature, child processes that are
// always killed, databases inspected with `python3` (SQLite) and `psql` (PostgreSQL), and a
// private PostgreSQL cluster that a test may stop and start.

// MARK: - SHA-256 and HMAC (FIPS 180-4, RFC 2104); Foundation on Linux has neither

enum SHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let b = chunk + i * 4
                w[i] = UInt32(data[b]) << 24 | UInt32(data[b + 1]) << 16 | UInt32(data[b + 2]) << 8 | UInt32(data[b + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { v in [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        return hash(k.map { $0 ^ 0x5c } + hash(k.map { $0 ^ 0x36 } + data))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - HTTP

/// A complete answer: status line, headers and the whole `Content-Length` body.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: String
    var is2xx: Bool { (200..<300).contains(status) }
}

/// One keep-alive HTTP/1.1 connection on a blocking socket, reconnected on demand. `request`
/// returns nil when no complete answer arrived (refused, reset, closed early, timed out):
/// such a request is not acknowledged. Not thread-safe: one per thread.
final class KeepAliveClient {
    let port: Int
    let timeout: TimeInterval
    private var fd: Int32 = -1

    init(port: Int, timeout: TimeInterval = 5) {
        self.port = port
        self.timeout = timeout
    }

    deinit { disconnect() }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func connectIfNeeded() -> Bool {
        if fd >= 0 { return true }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return false }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(s); return false }
        fd = s
        return true
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) -> HTTPAnswer? {
        guard connectIfNeeded() else { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { disconnect(); return nil }
            sent += n
        }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        var headEnd: Int?
        var status = 0
        var length = 0
        var closeAfter = false
        while true {
            if headEnd == nil, let end = Self.find([13, 10, 13, 10], in: buffer) {
                headEnd = end + 4
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = text.components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    if name == "content-length" { length = Int(value) ?? 0 }
                    if name == "connection" && value.lowercased() == "close" { closeAfter = true }
                }
            }
            if let headEnd, buffer.count >= headEnd + length {
                let answer = HTTPAnswer(status: status, body: String(decoding: buffer[headEnd..<(headEnd + length)], as: UTF8.self))
                if closeAfter { disconnect() }
                return answer
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { disconnect(); return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// Signs and posts WebhookKit deliveries: `X-Signature: sha256=<hex HMAC(secret, body)>`.
struct WebhookKitSender {
    static let secret = "durability-secret"

    static func post(_ client: KeepAliveClient, delivery: String) -> HTTPAnswer? {
        let body = Array(#"{"delivery":"\#(delivery)","text":"hello from the durability tests"}"#.utf8)
        let signature = "sha256=" + SHA256.hex(SHA256.hmac(key: Array(secret.utf8), body))
        return client.request("POST", "/webhookkit/hook", headers: [
            ("Content-Type", "application/json"), ("X-Signature", signature), ("X-Delivery", delivery),
        ], body: body)
    }
}

// MARK: - small concurrency helpers

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withLock { $0 } }
}

/// Starts `count` threads running `body(index)`; `join` waits for them all.
final class ThreadGroup: @unchecked Sendable {
    private let group = DispatchGroup()

    func spawn(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<count {
            group.enter()
            let thread = Thread { [group] in
                body(index)
                group.leave()
            }
            thread.start()
        }
    }

    /// True when every thread finished within `timeout` seconds.
    func join(timeout: TimeInterval) -> Bool { group.wait(timeout: .now() + timeout) == .success }
}

// MARK: - child processes

/// Every child started here is SIGKILLed by `killAll` (called from a `defer`, so a failed
/// expectation or a thrown error cannot leave one running).
final class Children: @unchecked Sendable {
    private let running = Locked<[BinaryRunner.Running]>([])

    func serve(configDirectory: URL, extra: [String] = []) throws -> BinaryRunner.Running {
        let child = try BinaryRunner.start(["serve"] + extra, directory: configDirectory, binary: BinaryRunner.testHost)
        running.withLock { $0.append(child) }
        return child
    }

    func killAll() {
        for child in running.withLock({ list -> [BinaryRunner.Running] in defer { list = [] }; return list }) {
            if child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
            child.process.waitUntilExit()
            _ = child.finish()
        }
    }
}

extension BinaryRunner.Running {
    var pid: Int32 { process.processIdentifier }

    /// The last lines of stderr, for failure messages.
    func stderrTail(_ lines: Int = 8) -> String {
        stderrSoFar.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Runs a helper program (`python3`, `psql`, `pg_ctl`) to completion through `/usr/bin/env`,
/// its output collected in temp files (no pipe to fill up). Spawned with `posix_spawn`, not
/// Foundation's `Process`: that one learns of a child's exit when a socket inherited by the
/// child closes, so it never sees `pg_ctl start` end (the PostgreSQL server it leaves behind
/// inherits the socket). Descriptors above 2 are closed in the child for the same reason.
enum Command {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static func run(_ arguments: [String], directory: String? = nil, timeout: TimeInterval = 30) throws -> Output {
        let tmp = FileManager.default.temporaryDirectory
        let outPath = tmp.appendingPathComponent("sb-cmd-out-\(UUID().uuidString)").path
        let errPath = tmp.appendingPathComponent("sb-cmd-err-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        } else {
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        let argv = ["/usr/bin/env"] + (directory.map { ["-C", $0] } ?? []) + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &cArgs, environ)
        guard rc == 0 else { throw BinaryRunner.Failure(description: "cannot run \(arguments.first ?? ""): errno \(rc)") }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw BinaryRunner.Failure(description: "waitpid: errno \(errno)") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw BinaryRunner.Failure(description: "\(arguments.prefix(3).joined(separator: " ")) timed out after \(timeout)s")
            }
            usleep(5_000)
        }
        // WIFEXITED / WEXITSTATUS, spelled out (they are macros).
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exit,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Like `run`, but a non-zero exit is an error naming stderr.
    @discardableResult
    static func check(_ arguments: [String], directory: String? = nil, timeout: TimeInterval = 30) throws -> String {
        let output = try run(arguments, directory: directory, timeout: timeout)
        guard output.status == 0 else {
            throw BinaryRunner.Failure(description: "\(arguments.prefix(3).joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
        return output.stdout
    }
}

// MARK: - databases

/// A fresh database for one test: a SQLite file in a temp directory, or `sb_<random>` created
/// on the PostgreSQL server of `SWITCHBOARD_TEST_POSTGRES_URL`. `drop` removes it.
final class TestDatabase: Sendable {
    enum Backend: String, Sendable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }

        /// SQLite always; PostgreSQL when the environment names a server.
        static var available: [Backend] { TestDatabase.postgresBaseURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    }

    static var postgresBaseURL: String? {
        guard let url = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    let backend: Backend
    /// `storage.url` for the server.
    let storageURL: String
    private let sqlitePath: String?
    private let adminURL: String?
    private let name: String?

    private init(backend: Backend, storageURL: String, sqlitePath: String?, adminURL: String?, name: String?) {
        self.backend = backend
        self.storageURL = storageURL
        self.sqlitePath = sqlitePath
        self.adminURL = adminURL
        self.name = name
    }

    static func make(_ backend: Backend, postgresURL: String? = nil) throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-dur-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("switchboard.db").path
            return TestDatabase(backend: .sqlite, storageURL: "sqlite:\(path)", sqlitePath: path, adminURL: nil, name: nil)
        case .postgres:
            guard let base = postgresURL ?? postgresBaseURL else { throw BinaryRunner.Failure(description: "no PostgreSQL URL") }
            let name = "sb_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try Command.check(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", base, "-c", "CREATE DATABASE \(name)"])
            return TestDatabase(backend: .postgres, storageURL: withDatabase(base, name), sqlitePath: nil, adminURL: base, name: name)
        }
    }

    /// `postgres://user@host:port/db?x` with `db` replaced.
    static func withDatabase(_ url: String, _ database: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let main = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        guard let scheme = main.range(of: "://") else { return url }
        if let slash = main[scheme.upperBound...].firstIndex(of: "/") {
            return String(main[..<slash]) + "/" + database + query
        }
        return main + "/" + database + query
    }

    /// Rows as arrays of text fields (NULL as "").
    func query(_ sql: String) throws -> [[String]] {
        let output: String
        switch backend {
        case .sqlite:
            let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=30)
            for r in c.execute(sys.argv[2]):
                print('\\t'.join('' if v is None else str(v) for v in r))
            """
            output = try Command.check(["python3", "-c", script, sqlitePath!, sql])
        case .postgres:
            output = try Command.check(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", storageURL, "-c", sql])
        }
        return output.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Runs a statement that changes data, committed.
    func execute(_ sql: String) throws {
        switch backend {
        case .sqlite:
            let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=30)
            c.execute(sys.argv[2])
            c.commit()
            """
            _ = try Command.check(["python3", "-c", script, sqlitePath!, sql])
        case .postgres:
            _ = try Command.check(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", storageURL, "-c", sql])
        }
    }

    /// Whether a table exists yet (the server creates its tables at start).
    func count(_ sql: String) -> Int? { (try? query(sql))?.first?.first.flatMap { Int($0) } }

    func drop() {
        switch backend {
        case .sqlite:
            if let sqlitePath { try? FileManager.default.removeItem(at: URL(fileURLWithPath: sqlitePath).deletingLastPathComponent()) }
        case .postgres:
            if let adminURL, let name {
                _ = try? Command.run(["psql", "-X", "-q", "-d", adminURL, "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
            }
        }
    }
}

// MARK: - a private PostgreSQL cluster

/// A throwaway PostgreSQL cluster that a test may stop and start: created next to the
/// cluster of `SWITCHBOARD_TEST_POSTGRES_DATA` (a directory the server's user can write to)
/// with `SWITCHBOARD_TEST_POSTGRES_CTL` (pg_ctl, run as that user). The shared cluster is
/// left alone: other suites run against it at the same time.
final class PrivateCluster: Sendable {
    static var configured: Bool {
        let env = ProcessInfo.processInfo.environment
        return !(env["SWITCHBOARD_TEST_POSTGRES_DATA"] ?? "").isEmpty && !(env["SWITCHBOARD_TEST_POSTGRES_CTL"] ?? "").isEmpty
            && TestDatabase.postgresBaseURL != nil
    }

    let ctl: [String]
    let parent: String
    let data: String
    let logFile: String
    let port: Int

    /// `postgres://switchboard@127.0.0.1:<port>/postgres`.
    var adminURL: String { "postgres://switchboard@127.0.0.1:\(port)/postgres" }

    /// The options the server starts with, every time (same port).
    var serverOptions: String { "-p \(port) -c listen_addresses=127.0.0.1 -k \(parent) -c fsync=off" }

    init() throws {
        let env = ProcessInfo.processInfo.environment
        ctl = (env["SWITCHBOARD_TEST_POSTGRES_CTL"] ?? "").split(separator: " ").map(String.init)
        parent = URL(fileURLWithPath: env["SWITCHBOARD_TEST_POSTGRES_DATA"] ?? "/tmp/nowhere").deletingLastPathComponent().path
        let tag = UUID().uuidString.prefix(8).lowercased()
        data = "\(parent)/sb-restart-\(tag)"
        logFile = "\(parent)/sb-restart-\(tag).log"
        port = try Self.freePort()
        try Command.check(ctl + ["initdb", "-D", data, "-s", "-o", "-A trust -U switchboard -E UTF8 --locale=C -N"], directory: parent, timeout: 60)
        try start()
    }

    func start() throws {
        try Command.check(ctl + ["-D", data, "-w", "-t", "30", "-s", "-l", logFile, "-o", serverOptions, "start"], directory: parent, timeout: 40)
    }

    /// `pg_ctl -m fast stop`: sessions are disconnected, the server is gone when it returns.
    func stop() throws {
        try Command.check(ctl + ["-D", data, "-m", "fast", "-w", "-t", "30", "-s", "stop"], directory: parent, timeout: 40)
    }

    /// Stops it at once and removes its files.
    func destroy() {
        _ = try? Command.run(ctl + ["-D", data, "-m", "immediate", "-s", "stop"], directory: parent, timeout: 30)
        try? FileManager.default.removeItem(atPath: data)
        try? FileManager.default.removeItem(atPath: logFile)
    }

    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else { throw BinaryRunner.Failure(description: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
