import Foundation

/// Child processes for the process-level test: the built `switchboard` binary and `python3`,
/// output collected in temp files, always terminated by `stop()`.
final class ChildProcess {
    let process = Process()
    private let outURL: URL
    private let errURL: URL

    /// Starts `executable` (a path, or a name looked up on PATH through /usr/bin/env).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws {
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let tmp = FileManager.default.temporaryDirectory
        outURL = tmp.appendingPathComponent("mf-out-\(UUID().uuidString)")
        errURL = tmp.appendingPathComponent("mf-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = tmp.appendingPathComponent("mf-in-\(UUID().uuidString)")
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
            try? FileManager.default.removeItem(at: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Waits for the exit (killed after `timeout` seconds); returns the status.
    @discardableResult
    func wait(timeout: TimeInterval = 30) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then waits.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Runs to completion and returns (status, stdout, stderr).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
                    timeout: TimeInterval = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, stdin: stdin)
        let status = child.wait(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }

    /// The port of the server's `"listening"` log line.
    func waitForPort(timeout: TimeInterval = 60) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in stderr.split(separator: "\n") where line.contains("\"listening\"") {
                if let range = line.range(of: "\"port\":\""), let end = line[range.upperBound...].firstIndex(of: "\""),
                   let port = Int(line[range.upperBound..<end]) {
                    return port
                }
            }
            if !process.isRunning { throw TestFailure("server exited: \(stderr)") }
            usleep(10_000)
        }
        throw TestFailure("server did not log its port: \(stderr)")
    }

    /// `.build/<config>/<name>`, found next to the test bundle.
    static func builtBinary(_ name: String) throws -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        for path in [".build/debug/\(name)", ".build/release/\(name)"] where FileManager.default.isExecutableFile(atPath: path) {
            return FileManager.default.currentDirectoryPath + "/" + path
        }
        throw TestFailure("\(name) binary not found; run swift build --build-tests first")
    }
}
