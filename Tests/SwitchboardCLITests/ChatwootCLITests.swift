import Foundation
import Testing
import TestHTTPServer

/// `switchboard chatwoot labels sync` as an operator runs it, against a fake Chatwoot on loopback.
@Suite("switchboard chatwoot labels sync", .serialized)
struct ChatwootCLITests {
    final class Labels: @unchecked Sendable {
        private let lock = NSLock()
        private var titles = ["whatsapp"]
        private(set) var calls: [String] = []

        func answer(_ request: FakeRequest) -> FakeReply {
            lock.withLock {
                calls.append("\(request.method) \(request.target)")
                guard request.header("api_access_token") == "cw-token-SECRET" else { return Self.json(#"{"error":"Invalid Access Token"}"#, status: 401) }
                switch (request.method, request.target) {
                case ("GET", "/api/v1/accounts/7/labels"):
                    return Self.json(#"{"payload":[\#(titles.enumerated().map { #"{"id":\#($0.offset + 1),"title":"\#($0.element)"}"# }.joined(separator: ","))]}"#)
                case ("POST", "/api/v1/accounts/7/labels"):
                    let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
                    let title = ((body?["label"] as? [String: Any])?["title"] as? String ?? "").lowercased()
                    titles.append(title)
                    return Self.json(##"{"id":\##(titles.count),"title":"\##(title)","description":"","color":"#1f93ff","show_on_sidebar":true}"##)
                default:
                    return Self.json(#"{"error":"Resource could not be found"}"#, status: 404)
                }
            }
        }

        static func json(_ text: String, status: Int = 200) -> FakeReply {
            FakeReply(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
        }
    }

    static func config(_ dir: URL, chatwoot: String) -> String {
        #"{"storage": {"url": "sqlite:\#(dir.path)/switchboard.db"}, "plugins": {"chatwoot": {"enabled": true, "config": \#(chatwoot)}}}"#
    }

    @Test func createsTheMissingLabelsOnce() throws {
        let labels = Labels()
        let server = try FakeHTTPServer { labels.answer($0) }
        defer { server.stop() }
        let dir = try BinaryRunner.configDirectory("{}")
        let chatwoot = #"{"base_url": "http://127.0.0.1:\#(server.port)", "account_id": 7, "api_token": "cw-token-SECRET", "reconcile_every": "0s", "sync": {"inbox_id": 3, "labels": {"*": ["WhatsApp", "rdv-demande"], "wasender": ["lead_chaud"]}}}"#
        try Self.config(dir, chatwoot: chatwoot).write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)

        let first = try BinaryRunner.run(["chatwoot", "labels", "sync"], directory: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created 2 labels: lead_chaud, rdv-demande"), "\(first.stdout)")
        #expect(first.stdout.contains("already in chatwoot: 1 (whatsapp)"))
        #expect(!first.stdout.contains("SECRET") && !first.stderr.contains("SECRET"))
        let again = try BinaryRunner.run(["chatwoot", "labels", "sync", "--json"], directory: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains(#""created":[]"#), "\(again.stdout)")
        #expect(labels.calls.filter { $0.hasPrefix("POST") }.count == 2)
    }

    @Test func aBadTitleIsAConfigErrorAndNoAPIClientIsAUsageError() throws {
        let dir = try BinaryRunner.configDirectory("{}")
        let bad = #"{"base_url": "http://127.0.0.1:9", "account_id": 7, "api_token": "t", "sync": {"inbox_id": 3, "labels": {"*": ["rdv demande"]}}}"#
        try Self.config(dir, chatwoot: bad).write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        let refused = try BinaryRunner.run(["chatwoot", "labels", "sync"], directory: dir)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("plugins.chatwoot.config.sync.labels.*[0]"), "\(refused.stderr)")
        #expect(refused.stderr.contains("a space"))

        try Self.config(dir, chatwoot: "{}").write(to: dir.appendingPathComponent("plugins.json"), atomically: true, encoding: .utf8)
        let unconfigured = try BinaryRunner.run(["chatwoot", "labels", "sync"], directory: dir)
        #expect(unconfigured.status == 2)
        #expect(unconfigured.stderr.contains("no API client configured"), "\(unconfigured.stderr)")
        let help = try BinaryRunner.run(["chatwoot", "labels", "sync", "--help"])
        #expect(help.status == 0 && help.stdout.contains("usage: switchboard chatwoot labels sync"))
    }
}
