import Foundation
import Testing

/// The `switchboard` binary as an operator runs it: exit codes, one-line errors, signals.
@Suite("switchboard CLI", .serialized)
struct CLITests {
    static let minimal = #"{"server": {"host": "127.0.0.1", "port": 0}, "log": {"level": "info"}, "plugins": {}}"#

    @Test func versionAndHelp() throws {
        let version = try BinaryRunner.run(["version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("switchboard "))
        for command in ["serve", "check-config", "plugins", "version"] {
            let help = try BinaryRunner.run([command, "--help"])
            #expect(help.status == 0, "\(command) --help")
            #expect(help.stdout.contains("usage: switchboard \(command)"))
        }
        let top = try BinaryRunner.run(["--help"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("check-config"))
    }

    @Test(arguments: [
        (["frobnicate"], "unknown command \"frobnicate\""),
        (["serve", "--bogus", "1"], "serve: unknown option --bogus"),
        (["serve", "--port"], "serve: option --port needs a value"),
        (["check-config", "extra"], "check-config: unexpected argument \"extra\""),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }

    @Test func checkConfigAcceptsTheShippedShapeAndNamesErrors() throws {
        let good = try BinaryRunner.configDirectory(Self.minimal)
        let ok = try BinaryRunner.run(["check-config"], directory: good)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("plugins.json: ok"))

        let bad = try BinaryRunner.configDirectory(#"{"server": {"port": 8080, "prot": 1}}"#)
        let result = try BinaryRunner.run(["check-config"], directory: bad)
        #expect(result.status == 2)
        #expect(result.stderr.contains("plugins.json: server.prot: unknown key"), "\(result.stderr)")

        let missing = try BinaryRunner.run(["check-config", "--config", "/nonexistent/plugins.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/plugins.json"), "\(missing.stderr)")

        let secret = try BinaryRunner.configDirectory(#"{"admin": {"token": "${SB_TEST_UNSET_TOKEN}"}}"#)
        let unset = try BinaryRunner.run(["check-config"], directory: secret)
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("SB_TEST_UNSET_TOKEN"), "\(unset.stderr)")
        #expect(unset.stderr.contains("admin.token"), "\(unset.stderr)")
    }

    @Test func pluginsListsEveryBuiltInPlugin() throws {
        let dir = try BinaryRunner.configDirectory(#"{"plugins": {"wasender": {"enabled": true, "config": {}}}}"#)
        let result = try BinaryRunner.run(["plugins"], directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        for id in ["metaflow", "chatwoot", "wasender", "cloudtalk", "integrity"] {
            #expect(result.stdout.contains(id))
        }
        #expect(result.stdout.contains("wasender\tenabled"))
        #expect(result.stdout.contains("metaflow\tdisabled"))
    }

    @Test func serveAnswersAndStopsGracefullyOnSIGTERM() throws {
        let dir = try BinaryRunner.configDirectory(Self.minimal)
        let server = try BinaryRunner.start(["serve"], directory: dir)
        let port = try server.waitForPort()
        let (status, body) = try HTTPGet.get(port: port, path: "/healthz")
        #expect(status == 200)
        #expect(body == "{\"status\":\"ok\"}")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        let result = server.finish()
        #expect(result.status == 0)
        #expect(result.stderr.contains("\"shutting down\""))
    }

    @Test func serveOnATakenPortFailsWithExitOne() throws {
        let dir = try BinaryRunner.configDirectory(Self.minimal)
        let first = try BinaryRunner.start(["serve"], directory: dir)
        let port = try first.waitForPort()
        let second = try BinaryRunner.run(["serve", "--port", "\(port)"], directory: dir)
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(second.stderr)")
        kill(first.process.processIdentifier, SIGINT)
        first.process.waitUntilExit()
        #expect(first.finish().status == 0)
    }

    @Test func serveRejectsBadOverrides() throws {
        let dir = try BinaryRunner.configDirectory(Self.minimal)
        let port = try BinaryRunner.run(["serve", "--port", "70000"], directory: dir)
        #expect(port.status == 2)
        #expect(port.stderr.contains("--port expects 0…65535"))
        let level = try BinaryRunner.run(["serve", "--log-level", "loud"], directory: dir)
        #expect(level.status == 2)
        let host = try BinaryRunner.run(["serve", "--host", "example.com"], directory: dir)
        #expect(host.status == 2)
    }
}

/// A one-shot HTTP GET over a fresh socket (Foundation's URLSession is not needed for this).
enum HTTPGet {
    static func get(port: Int, path: String) throws -> (Int, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw BinaryRunner.Failure(description: "connect failed") }
        let request = "GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let status = Int(parts[0].split(separator: " ")[1]) ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
