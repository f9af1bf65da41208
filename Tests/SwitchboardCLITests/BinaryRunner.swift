import Foundation

/// Runs the built `switchboard` binary as a child process, the way an operator does.
enum BinaryRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// `.build/<config>/switchboard`, next to the test bundle.
    static func binaryURL() throws -> URL { try binaryURL(named: "switchboard") }

    /// The test host: the built-in plugins plus the test plugins (`Tests/TestHost`).
    static let testHost = "switchboard-test-host"

    /// `.build/<config>/<name>`, next to the test bundle.
    static func binaryURL(named name: String) throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for path in [".build/debug/\(name)", ".build/release/\(name)"] where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw Failure(description: "\(name) binary not found; run swift build --build-tests first")
    }

    /// Runs to completion (killed after `timeout` seconds), with `stdin` as its standard input.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, timeout: TimeInterval = 20,
                    binary: String = "switchboard", stdin: String? = nil) throws -> Result {
        let process = try start(arguments, environment: environment, directory: directory, binary: binary, stdin: stdin)
        let deadline = Date().addingTimeInterval(timeout)
        while process.process.isRunning && Date() < deadline { usleep(10_000) }
        if process.process.isRunning { process.process.terminate() }
        process.process.waitUntilExit()
        return process.finish()
    }

    /// A running child with its output collected to temp files.
    final class Running {
        let process: Process
        let outURL: URL
        let errURL: URL

        init(process: Process, outURL: URL, errURL: URL) {
            self.process = process
            self.outURL = outURL
            self.errURL = errURL
        }

        var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

        func finish() -> Result {
            let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
            return Result(status: process.terminationStatus, stdout: out, stderr: err)
        }

        /// Waits for a `"listening"` log line and returns its port.
        func waitForPort(timeout: TimeInterval = 60) throws -> Int {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                for line in stderrSoFar.split(separator: "\n") where line.contains("\"listening\"") {
                    if let range = line.range(of: "\"port\":\""), let end = line[range.upperBound...].firstIndex(of: "\""),
                       let port = Int(line[range.upperBound..<end]) {
                        return port
                    }
                }
                if !process.isRunning { throw Failure(description: "server exited: \(stderrSoFar)") }
                usleep(5_000)
            }
            throw Failure(description: "server did not log its port: \(stderrSoFar)")
        }
    }

    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                      binary: String = "switchboard", stdin: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = try binaryURL(named: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let tmp = FileManager.default.temporaryDirectory
        let outURL = tmp.appendingPathComponent("sb-out-\(UUID().uuidString)")
        let errURL = tmp.appendingPathComponent("sb-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = tmp.appendingPathComponent("sb-in-\(UUID().uuidString)")
            try stdin.write(to: inURL, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
            // The child keeps its own descriptor; the name can go now.
            try? FileManager.default.removeItem(at: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return Running(process: process, outURL: outURL, errURL: errURL)
    }

    /// A temporary directory with a `plugins.json` of the given text.
    static func configDirectory(_ json: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try json.write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        return dir
    }
}
