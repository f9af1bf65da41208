import Foundation
import MetaFlow
import PluginAPI
import PluginTesting
import Testing
import TestPlugins

/// `switchboard phones report|pending|show|assign` against a SQLite file that a plugin (the
/// test host's `phonekit`) filled through `context.phones`, as an operator runs them.
@Suite("switchboard phones storage commands", .serialized)
struct PhonesStorageCLITests {
    static let config = #"{"plugins": {"phonekit": {"enabled": true, "config": {"strategies": ["token_pattern"]}}}}"#

    /// A config directory with a database holding: one subject resolved by observed evidence,
    /// one by the token pattern, one in conflict and one pending.
    static func seeded() async throws -> URL {
        let dir = try BinaryRunner.configDirectory("{}")
        let url = "sqlite:\(dir.path)/switchboard.db"
        let json = #"{"storage": {"url": "\#(url)"}, "plugins": {"phonekit": {"enabled": true, "config": {"strategies": ["token_pattern"]}}}}"#
        try json.write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        let host = try PluginTestHost(plugins: [PhoneKitPlugin.self], config: Self.config, storageURL: url)
        try await host.start()
        let phones = host.phones
        let a = try phones.normalize("+212610059159", region: nil)
        let b = try phones.normalize("+212600000002", region: nil)
        try await host.store.write { db in
            try phones.learn(key: .flowToken("tok-a"), phone: a, source: "metaflow.nfm_reply", in: db)
            try phones.learn(key: .flowToken("tok-c"), phone: a, source: "metaflow.nfm_reply", in: db)
            try phones.learn(key: .flowToken("tok-c"), phone: b, source: "chatwoot.webhook", in: db)
        }
        _ = try await phones.resolve(key: .flowToken("tok-a"), subject: "kit/a")
        _ = try await phones.resolve(key: .flowToken("deepal-212600000001-x"), subject: "kit/pattern")
        _ = try await phones.resolve(key: .flowToken("tok-c"), subject: "kit/conflict")
        _ = try await phones.resolve(key: .flowToken("tok-none"), subject: "kit/pending")
        await host.stop()
        return dir
    }

    static func run(_ arguments: [String], _ dir: URL) throws -> BinaryRunner.Result {
        try BinaryRunner.run(arguments, directory: dir, binary: BinaryRunner.testHost)
    }

    @Test func reportCountsAndRates() async throws {
        let dir = try await Self.seeded()
        let json = try Self.run(["phones", "report", "--json"], dir)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["subjects"] as? Int == 4)
        #expect(report?["resolved"] as? Int == 2)
        #expect(report?["pending"] as? Int == 1)
        #expect(report?["conflict"] as? Int == 1)
        #expect(report?["capture_rate"] as? Double == 0.5)
        let sources = (report?["by_source"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }.sorted()
        #expect(sources == ["metaflow.nfm_reply", "phonekit.token_pattern"])
        #expect((report?["by_day"] as? [[String: Any]])?.first?["subjects"] as? Int == 4)
        let text = try Self.run(["phones", "report"], dir)
        #expect(text.status == 0)
        #expect(text.stdout.contains("capture rate 50.0%"))
        #expect(text.stdout.contains("phonekit.token_pattern"))
    }

    @Test func pendingListsTheReviewQueuesAndAssignSettlesThem() async throws {
        let dir = try await Self.seeded()
        let pending = try Self.run(["phones", "pending", "--json"], dir)
        #expect(pending.status == 0, "\(pending.stderr)")
        let lines = pending.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.contains { $0.contains("\"subject\":\"kit/conflict\"") && $0.contains("\"status\":\"conflict\"") })
        #expect(lines.contains { $0.contains("\"subject\":\"kit/pending\"") && $0.contains("\"status\":\"pending\"") })
        let onlyConflicts = try Self.run(["phones", "pending", "--status", "conflict"], dir)
        #expect(onlyConflicts.stdout.contains("kit/conflict"))
        #expect(!onlyConflicts.stdout.contains("kit/pending"))

        let show = try Self.run(["phones", "show", "kit/conflict"], dir)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("conflict"))
        #expect(show.stdout.contains("+212600000002"))

        let assign = try Self.run(["phones", "assign", "kit/conflict", "+212 600 00 00 02", "--note", "called back"], dir)
        #expect(assign.status == 0, "\(assign.stderr)")
        #expect(assign.stdout == "kit/conflict: +212600000002 (manual, resolved)\n")
        let assignPending = try Self.run(["phones", "assign", "kit/pending", "+212610059159", "--json"], dir)
        #expect(assignPending.stdout.contains("\"status\":\"resolved\""))
        let after = try Self.run(["phones", "pending"], dir)
        #expect(after.stdout == "no subjects waiting for a phone\n")
    }

    @Test func checkConfigRefusesAStrategyNoEnabledPluginRegisters() throws {
        let dir = try BinaryRunner.configDirectory(#"{"phone": {"strategies": ["phonekit.token_pattern", "chatwoot.conversation_search"]}, "plugins": {"phonekit": {"enabled": true, "config": {"strategies": ["token_pattern"]}}}}"#)
        let result = try BinaryRunner.run(["check-config"], directory: dir, binary: BinaryRunner.testHost)
        #expect(result.status == 2)
        #expect(result.stderr.contains("phone.strategies[1]: no enabled plugin registers the strategy \"chatwoot.conversation_search\""), "\(result.stderr)")
    }

    @Test(arguments: [
        (["phones", "assign", "kit/nobody", "+212610059159"], 1, "phones assign: no phone subject kit/nobody"),
        (["phones", "assign", "kit/a", "not a number"], 2, "phones assign: --phone: not a phone number"),
        (["phones", "assign", "kit/a"], 2, "phones assign: expected SUBJECT PHONE"),
        (["phones", "pending", "--status", "lost"], 2, "phones pending: --status: expected pending, resolved, unresolved, conflict or all"),
        (["phones", "show", "kit/nobody"], 1, "phones show: no phone subject kit/nobody"),
    ] as [([String], Int32, String)])
    func errorsExitWithOneLine(arguments: [String], status: Int32, message: String) async throws {
        let dir = try await Self.seeded()
        let result = try Self.run(arguments, dir)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}

/// `switchboard responses export --csv` over a database holding MetaFlow responses (filled
/// through the plugin's own route code in-process), as an operator runs it.
@Suite("switchboard responses export", .serialized)
struct ResponsesExportCLITests {
    static func seeded() async throws -> URL {
        let dir = try BinaryRunner.configDirectory("{}")
        let json = #"{"storage": {"url": "sqlite:\#(dir.path)/switchboard.db"}, "plugins": {"metaflow": {"enabled": true, "config": {}}}}"#
        try json.write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        let host = try PluginTestHost(plugins: [MetaFlowPlugin.self], config: json, storageURL: "sqlite:\(dir.path)/switchboard.db")
        try await host.start()
        try await host.store.write { db in
            try db.execute("""
                INSERT INTO metaflow_responses (flow, flow_token, phone, phone_source, answers, status, created_at, updated_at, completed_at)
                VALUES ('survey', 'ft_1', '+212610059159', 'metaflow.nfm_reply', '{"q1":"4","q2":["a","b"]}', 'completed', 1790000000000, 1790000000000, 1790000000000),
                       ('feedback', 'ft_2', NULL, NULL, '{"q1":"yes, really"}', 'in_progress', 1790000000001, 1790000000001, NULL)
                """)
        }
        await host.stop()
        return dir
    }

    @Test func exportsCSVToStdoutAndToAFile() async throws {
        let dir = try await Self.seeded()
        let all = try BinaryRunner.run(["responses", "export", "--csv"], directory: dir)
        #expect(all.status == 0, "\(all.stderr)")
        // (Reading stdout as UTF-8 text drops the byte-order mark; the file below keeps it.)
        #expect(all.stdout.hasPrefix("id,flow,flow_token,phone_number,phone_source,status,created_at,completed_at,q1,q2\r\n"))
        #expect(all.stdout.contains("+212610059159,metaflow.nfm_reply,completed"))
        #expect(all.stdout.contains(",\"yes, really\","))
        let one = try BinaryRunner.run(["responses", "export", "--csv", "--flow", "feedback", "--out", "out.csv"], directory: dir)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == "wrote 1 responses to out.csv\n")
        let bytes = try Data(contentsOf: dir.appendingPathComponent("out.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let written = String(decoding: bytes, as: UTF8.self)
        #expect(written.contains("ft_2") && !written.contains("ft_1"))
    }

    @Test func badFiltersAndAMissingPluginAreOneLineErrors() async throws {
        let dir = try await Self.seeded()
        let bad = try BinaryRunner.run(["responses", "export", "--csv", "--since", "yesterday"], directory: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("since: expected an RFC 3339 time"))
        let noCSV = try BinaryRunner.run(["responses", "export"], directory: dir)
        #expect(noCSV.status == 2)
        let other = try BinaryRunner.configDirectory(#"{"plugins": {}}"#)
        let disabled = try BinaryRunner.run(["responses", "export", "--csv"], directory: other)
        #expect(disabled.status == 2)
        #expect(disabled.stderr.contains("the metaflow plugin is not enabled"))
    }
}

/// `switchboard flows send --csv FILE --no-wait`: rows queued through MetaFlow's bulk send,
/// skipped rows reported with their lines, a re-run queuing nothing twice.
@Suite("switchboard flows send", .serialized)
struct FlowsSendCLITests {
    static func directory() throws -> URL {
        let dir = try BinaryRunner.configDirectory("{}")
        let json = #"""
        {"storage": {"url": "sqlite:\#(dir.path)/switchboard.db"},
         "plugins": {"metaflow": {"enabled": true, "config": {
           "access_token": "EAAG-test-token-0123456789", "phone_number_id": "106540352242922",
           "graph_base_url": "http://127.0.0.1:9/v21.0",
           "flows": {"survey": {"flow_id": "123", "body": "Conte como foi.", "first_screen": "Q1", "screens": {"Q1": {}}}}}}}}
        """#
        try json.write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        let csv = "phone_number,customer_name\n+212610059159,Amina\nnot a phone,Bad\n+212 6 10 05 91 59,Again\n+33612345678,Jean\n"
        try csv.write(to: dir.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func queuesReportsSkippedLinesAndNeverQueuesTwice() throws {
        let dir = try Self.directory()
        let first = try BinaryRunner.run(["flows", "send", "--csv", "rows.csv", "--no-wait"], directory: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("rows.csv:3: skipped:"))
        #expect(first.stdout.contains("rows.csv:4: skipped: same phone as line 2"))
        #expect(first.stdout.contains(": 2 queued, 0 already queued"))
        let again = try BinaryRunner.run(["flows", "send", "--csv", "rows.csv", "--no-wait"], directory: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains(": 0 queued, 2 already queued"))
    }

    @Test func aMissingFileOrOptionIsAnError() throws {
        let dir = try Self.directory()
        let missing = try BinaryRunner.run(["flows", "send", "--csv", "nope.csv", "--no-wait"], directory: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read nope.csv"))
        let noCSV = try BinaryRunner.run(["flows", "send"], directory: dir)
        #expect(noCSV.status == 2)
        #expect(noCSV.stderr.contains("--csv FILE is required"))
    }
}
