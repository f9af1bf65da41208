import Foundation
import Testing

/// `migrate`, `inbox …` and `jobs …` as an operator runs them against a SQLite file, alone
/// and beside a running server. (The built-in plugins declare no webhooks yet, so these
/// commands see no inbox data here; listings with data are covered through the admin API in
/// KernelTests, which shares their queries and JSON.)
@Suite("switchboard storage commands", .serialized)
struct StorageCLITests {
    /// A config directory whose `plugins.json` uses a fresh SQLite file in it.
    static func sqliteDirectory() throws -> URL {
        let dir = try BinaryRunner.configDirectory("{}")
        let json = #"{"server": {"host": "127.0.0.1", "port": 0}, "storage": {"url": "sqlite:\#(dir.path)/switchboard.db"}, "plugins": {}}"#
        try json.write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func migrateAppliesOnceThenHasNothingToApply() throws {
        let dir = try Self.sqliteDirectory()
        let first = try BinaryRunner.run(["migrate"], directory: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == (1...7).map { "applied kernel \($0)\n" }.joined())
        let second = try BinaryRunner.run(["migrate"], directory: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == "nothing to apply\n")
    }

    @Test func emptyDatabaseListsNothing() throws {
        let dir = try Self.sqliteDirectory()
        let inbox = try BinaryRunner.run(["inbox", "list", "--json"], directory: dir)
        #expect(inbox.status == 0, "\(inbox.stderr)")
        #expect(inbox.stdout.isEmpty)
        let jobs = try BinaryRunner.run(["jobs", "list", "--json", "--status", "dead", "--limit", "5"], directory: dir)
        #expect(jobs.status == 0, "\(jobs.stderr)")
        #expect(jobs.stdout.isEmpty)
        let table = try BinaryRunner.run(["inbox", "list", "--since", "2h"], directory: dir)
        #expect(table.status == 0)
        #expect(table.stdout == "no matching inbox items\n")
        let replay = try BinaryRunner.run(["inbox", "replay", "--since", "2026-01-01T00:00:00Z"], directory: dir)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("no inbox items received since 2026-01-01T00:00:00.000Z"))
    }

    @Test(arguments: [
        (["inbox", "list", "--status", "bogus"], 2, "inbox list: --status: expected received, processed, duplicate or dead, got \"bogus\""),
        (["jobs", "list", "--status", "failed"], 2, "jobs list: --status: expected available, running, done, dead or cancelled"),
        (["inbox", "list", "--since", "yesterday"], 2, "inbox list: --since: expected an RFC 3339 time"),
        (["inbox", "list", "--limit", "0"], 2, "inbox list: --limit: expected a positive integer"),
        (["inbox", "show", "x"], 2, "inbox show: ID: expected a positive integer id"),
        (["inbox", "show"], 2, "inbox show: expected ID"),
        (["inbox", "replay"], 2, "inbox replay: expected an item ID or --since TIME"),
        (["inbox", "replay", "1", "--since", "1h"], 2, "inbox replay: give either an item ID or --since TIME"),
        (["inbox", "frob"], 2, "inbox: unknown subcommand \"frob\" (list, show, replay)"),
        (["jobs"], 2, "jobs: expected a subcommand (list, retry)"),
        (["jobs", "list", "--json=yes"], 2, "jobs list: option --json takes no value"),
        (["jobs", "retry", "999"], 1, "jobs retry: job 999 not found"),
        (["inbox", "show", "999"], 1, "inbox show: inbox item 999 not found"),
        (["inbox", "replay", "999"], 1, "inbox replay: inbox item 999 not found"),
    ] as [([String], Int32, String)])
    func errorsExitWithOneLine(arguments: [String], status: Int32, message: String) throws {
        let dir = try Self.sqliteDirectory()
        let result = try BinaryRunner.run(arguments, directory: dir)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func unreachableStorageExitsTwoWithoutThePassword() throws {
        let dir = try BinaryRunner.configDirectory(#"{"storage": {"url": "postgres://u:secretpw@127.0.0.1:1/db"}, "plugins": {}}"#)
        for arguments in [["migrate"], ["inbox", "list"], ["jobs", "retry", "1"]] {
            let result = try BinaryRunner.run(arguments, directory: dir)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("postgres://u:***@127.0.0.1:1/db"), "\(result.stderr)")
            #expect(!result.stderr.contains("secretpw"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
    }

    @Test func commandsWorkBesideARunningServer() throws {
        let dir = try Self.sqliteDirectory()
        let server = try BinaryRunner.start(["serve"], directory: dir)
        defer {
            if server.process.isRunning { kill(server.process.processIdentifier, SIGTERM) }
            server.process.waitUntilExit()
        }
        let port = try server.waitForPort()
        for arguments in [["inbox", "list", "--json"], ["jobs", "list"], ["migrate"], ["inbox", "replay", "--since", "1h"]] {
            let result = try BinaryRunner.run(arguments, directory: dir)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(try BinaryRunner.run(["migrate"], directory: dir).stdout == "nothing to apply\n")
        let (status, _) = try HTTPGet.get(port: port, path: "/readyz")
        #expect(status == 200)
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(server.finish().status == 0)
    }

    @Test func helpNamesEveryStorageCommand() throws {
        for command in [["migrate"], ["inbox", "list"], ["inbox", "show"], ["inbox", "replay"], ["jobs", "list"], ["jobs", "retry"]] {
            let help = try BinaryRunner.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.stdout.contains("usage: switchboard \(command.joined(separator: " "))"), "\(help.stdout)")
        }
        for group in ["inbox", "jobs"] {
            let help = try BinaryRunner.run([group, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("usage: switchboard \(group) "))
        }
        let top = try BinaryRunner.run(["--help"])
        for command in ["migrate", "inbox list", "inbox show", "inbox replay", "jobs list", "jobs retry"] {
            #expect(top.stdout.contains(command), "\(command)")
        }
    }
}
