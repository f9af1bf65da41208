import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// A set of strings shared between a test and the plugin's processor; tests use unique
/// tokens (UUIDs) so they never see each other's entries.
final class TokenSet: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: Set<String> = []

    func insert(_ token: String) { lock.withLock { _ = tokens.insert(token) } }
    func remove(_ token: String) { lock.withLock { _ = tokens.remove(token) } }
    /// True when `text` contains one of the tokens.
    func matches(_ text: String) -> Bool { lock.withLock { tokens.contains { text.contains($0) } } }
}

/// A plugin with one webhook, `POST /hooks/in`: verified by `X-Test-Signature: good`,
/// deduplicated by `X-Dedupe`. Its processor fails for good (`PermanentJobError`) on bodies
/// containing "boom" unless a healed token is in the body, and waits while a held token is.
struct AdminHookPlugin: Plugin {
    static let id = "hooks"
    static let healed = TokenSet()
    static let held = TokenSet()

    init(context: any PluginContext) throws {}

    func register(_ registrar: any Registrar) throws {
        registrar.webhook("/in", verify: { request in
            request.headers["x-test-signature"] == "good" ? .accept : .reject(reason: "bad test signature")
        }, dedupeKey: { request in
            request.headers["x-dedupe"]
        }, process: { item in
            let text = String(decoding: item.body, as: UTF8.self)
            let deadline = Date().addingTimeInterval(60)
            while AdminHookPlugin.held.matches(text) && Date() < deadline {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            if text.contains("boom") && !AdminHookPlugin.healed.matches(text) {
                throw PermanentJobError("boom in body")
            }
            return .done
        })
    }
}

/// Talks to a test server's admin API and webhook over real sockets, each call on its own
/// thread so the cooperative pool (where the job engine runs) is never blocked.
struct AdminClient {
    static let token = "admin-token-for-tests-0123456789"

    let port: Int

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Sends one request on a new connection and reads the answer.
    func send(_ method: String, _ target: String, authorization: String? = "Bearer \(AdminClient.token)",
              headers: [(String, String)] = [], body: [UInt8] = []) async throws -> RawClient.Answer {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        let port = self.port
        return try await onThread {
            let client = try RawClient(port: port)
            try client.send(request)
            return try client.read()
        }
    }

    /// A JSON object answer with the expected status.
    func object(_ method: String, _ target: String, status: Int = 200, body: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let answer = try await send(method, target, body: Array((body ?? "").utf8))
        #expect(answer.status == status, "\(method) \(target): \(answer.text)", sourceLocation: sourceLocation)
        guard let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            throw Failure(description: "not a JSON object: \(answer.text)")
        }
        return object
    }

    /// The `items` of a listing.
    func items(_ target: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [[String: Any]] {
        try await object("GET", target, sourceLocation: sourceLocation)["items"] as? [[String: Any]] ?? []
    }

    /// One inbox item (GET /api/admin/inbox/:id).
    func item(_ id: Int64) async throws -> [String: Any] {
        try await object("GET", "/api/admin/inbox/\(id)")
    }

    /// Posts to the test webhook; returns the stored item's id.
    @discardableResult
    func postWebhook(_ body: [UInt8], dedupe: String? = nil, extra: [(String, String)] = [], expect: String = "accepted",
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int64 {
        var headers = [("X-Test-Signature", "good")] + extra
        if let dedupe { headers.append(("X-Dedupe", dedupe)) }
        let answer = try await send("POST", "/hooks/in", authorization: nil, headers: headers, body: body)
        #expect(answer.status == 200, "webhook: \(answer.text)", sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        #expect(object?["status"] as? String == expect, sourceLocation: sourceLocation)
        guard let text = object?["id"] as? String, let id = Int64(text) else { throw Failure(description: "no id in \(answer.text)") }
        return id
    }

    /// Polls item `id` until its status is `status` (the engine runs jobs in the background).
    @discardableResult
    func waitForItem(_ id: Int64, status: String, timeout: Double = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try await item(id)
            if last["status"] as? String == status { return last }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw Failure(description: "inbox item \(id) did not become \(status) within \(timeout)s: \(last)")
    }

    /// Polls job `id` until its status is `status`.
    func waitForJob(_ id: Int64, status: String, timeout: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let jobs = try await items("/api/admin/jobs?after=\(id - 1)&limit=1")
            if jobs.first?["status"] as? String == status { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw Failure(description: "job \(id) did not become \(status) within \(timeout)s")
    }
}

/// The admin API over sockets against a real kernel with a webhook plugin: auth, listings
/// and their filters, show, replay, retry, rejections.
@Suite("admin API", .serialized)
struct AdminAPITests {
    /// Runs `body` against a server with `AdminHookPlugin` and the admin `token`, stopping it whatever happens.
    static func withServer(token: String? = AdminClient.token, backend: String = "sqlite",
                           _ body: (TestServer, AdminClient) async throws -> Void) async throws {
        let url = try await TestStorage.freshURL(for: backend)
        try await withTestServer(plugins: [AdminHookPlugin.self], adjust: { $0.admin.token = token; $0.storage.url = url }) { server in
            try await body(server, AdminClient(port: server.port))
        }
    }

    static let routes: [(String, String)] = [
        ("GET", "/api/admin/inbox"), ("GET", "/api/admin/inbox/1"), ("GET", "/api/admin/inbox/rejections"),
        ("POST", "/api/admin/inbox/1/replay"), ("POST", "/api/admin/inbox/replay"),
        ("GET", "/api/admin/jobs"), ("POST", "/api/admin/jobs/1/retry"),
    ]

    @Test func everyRouteNeedsTheAdminToken() async throws {
        try await Self.withServer { _, client in
            for (method, path) in Self.routes {
                for authorization in [nil, "Bearer wrong-token-0123456789abcdef", "Bearer \(AdminClient.token)x",
                                      "Basic \(AdminClient.token)", "Bearer"] as [String?] {
                    let answer = try await client.send(method, path, authorization: authorization)
                    expectErrorShape(answer, status: 401, code: "unauthorized")
                    #expect(answer.header("www-authenticate")?.hasPrefix("Bearer") == true)
                }
            }
            let ok = try await client.send("GET", "/api/admin/inbox")
            #expect(ok.status == 200)
            #expect(ok.text == #"{"items":[],"next":null}"#)
            // The scheme is case-insensitive.
            #expect(try await client.send("GET", "/api/admin/jobs", authorization: "bearer \(AdminClient.token)").status == 200)
        }
        try await Self.withServer(token: nil) { _, client in
            for (method, path) in Self.routes {
                let answer = try await client.send(method, path)
                expectErrorShape(answer, status: 401, code: "unauthorized")
                #expect(answer.text == #"{"error":{"code":"unauthorized","message":"admin token not configured"}}"#)
            }
        }
    }

    @Test func storageNotOpenIsA503() async throws {
        var config = TestStorage.config()
        config.admin.token = AdminClient.token
        config.plugins["hooks"] = PluginEntry(enabled: true, config: .object([]))
        let kernel = try KernelServer(config: config, plugins: [AdminHookPlugin.self])
        let request = Request(method: .get, path: "/api/admin/inbox", headers: ["Authorization": "Bearer \(AdminClient.token)"])
        let answer = await kernel.respond(to: request)
        #expect(answer.status == 503)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("storage_unavailable"))
        let refused = await kernel.respond(to: Request(method: .get, path: "/api/admin/inbox"))
        #expect(refused.status == 401)
    }

    @Test(arguments: TestStorage.backends)
    func listShowFiltersAndRejections(backend: String) async throws {
        try await Self.withServer(backend: backend) { server, client in
            let boom = "boom:\(UUID().uuidString)"
            let a = try await client.postWebhook(Array(#"{"n":1}"#.utf8), dedupe: "k1",
                                                 extra: [("Authorization", "Bearer provider-secret"), ("X-Custom", "yes")])
            let b = try await client.postWebhook(Array(boom.utf8))
            let c = try await client.postWebhook(Array(#"{"n":1,"again":true}"#.utf8), dedupe: "k1", expect: "duplicate")
            let d = try await client.postWebhook([0xFF, 0x00, 0x80])
            let rejected = try await client.send("POST", "/hooks/in", authorization: nil, headers: [("X-Test-Signature", "bad")],
                                                 body: Array("secret body".utf8))
            #expect(rejected.status == 401)
            try await client.waitForItem(a, status: "processed")
            try await client.waitForItem(b, status: "dead")
            try await client.waitForItem(d, status: "processed")

            // The listing: every field, oldest first.
            let all = try await client.items("/api/admin/inbox")
            #expect(all.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [a, b, c, d])
            let first = try #require(all.first)
            #expect(Set(first.keys).isSuperset(of: ["id", "plugin", "route", "dedupe_key", "status", "received_at", "processed_at",
                                                    "duplicate_of", "size", "error"]))
            #expect(first["plugin"] as? String == "hooks")
            #expect(first["route"] as? String == "/hooks/in")
            #expect(first["dedupe_key"] as? String == "k1")
            #expect(first["size"] as? Int == 7)
            #expect(first["error"] is NSNull)
            let received = try #require(first["received_at"] as? String)
            #expect(received.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(received)")
            #expect(first["processed_at"] is String)
            #expect(all[1]["dedupe_key"] is NSNull)
            #expect((all[1]["error"] as? String)?.contains("boom in body") == true)
            #expect((all[2]["duplicate_of"] as? NSNumber)?.int64Value == a)
            #expect(all[2]["status"] as? String == "duplicate")

            // Filters.
            func ids(_ query: String) async throws -> [Int64] {
                try await client.items("/api/admin/inbox?\(query)").compactMap { ($0["id"] as? NSNumber)?.int64Value }
            }
            #expect(try await ids("status=dead") == [b])
            #expect(try await ids("status=duplicate") == [c])
            #expect(try await ids("status=processed") == [a, d])
            #expect(try await ids("status=received") == [])
            #expect(try await ids("plugin=hooks") == [a, b, c, d])
            #expect(try await ids("plugin=other") == [])
            #expect(try await ids("since=1h") == [a, b, c, d])
            #expect(try await ids("since=2999-01-01T00:00:00Z") == [])
            #expect(try await ids("since=2000-01-01T00:00:00.000%2B02:00&status=dead") == [b])

            // Pages.
            let page1 = try await client.object("GET", "/api/admin/inbox?limit=2")
            #expect((page1["items"] as? [Any])?.count == 2)
            #expect((page1["next"] as? NSNumber)?.int64Value == b)
            let page2 = try await client.object("GET", "/api/admin/inbox?limit=2&after=\(b)")
            #expect((page2["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == [c, d])
            #expect(page2["next"] is NSNull)

            // Bad values are 400s naming the parameter.
            for (query, parameter) in [("status=bogus", "status"), ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
                                       ("since=tomorrow", "since"), ("after=-1", "after"), ("colour=red", "colour")] {
                let answer = try await client.send("GET", "/api/admin/inbox?\(query)")
                expectErrorShape(answer, status: 400, code: "bad_request")
                #expect(answer.text.contains("\(parameter):"), "\(query): \(answer.text)")
            }
            #expect(try await client.send("GET", "/api/admin/inbox?status=bogus").text.contains("received, processed, duplicate or dead"))

            // Show: headers without credentials, bodies as text or base64, the job.
            let shownA = try await client.item(a)
            let headers = shownA["headers"] as? [[String: String]] ?? []
            #expect(headers.contains { $0["name"] == "X-Custom" && $0["value"] == "yes" })
            #expect(!headers.contains { $0["name"]?.lowercased() == "authorization" })
            #expect(shownA["body_encoding"] as? String == "utf8")
            #expect(shownA["body"] as? String == #"{"n":1}"#)
            #expect((shownA["job"] as? [String: Any])?["status"] as? String == "done")
            let shownB = try await client.item(b)
            let jobB = try #require(shownB["job"] as? [String: Any])
            #expect(jobB["status"] as? String == "dead")
            #expect((jobB["last_error"] as? String)?.contains("boom in body") == true)
            let shownD = try await client.item(d)
            #expect(shownD["body_encoding"] as? String == "base64")
            #expect(shownD["body"] as? String == "/wCA")
            expectErrorShape(try await client.send("GET", "/api/admin/inbox/99999"), status: 404, code: "not_found")
            expectErrorShape(try await client.send("GET", "/api/admin/inbox/abc"), status: 400, code: "bad_request")

            // Rejections: where and why, never the body.
            let rejections = try await client.items("/api/admin/inbox/rejections")
            #expect(rejections.count == 1)
            let rejection = try #require(rejections.first)
            #expect(rejection["plugin"] as? String == "hooks")
            #expect(rejection["route"] as? String == "/hooks/in")
            #expect(rejection["reason"] as? String == "bad test signature")
            #expect(rejection["size"] as? Int == 11)
            #expect(rejection["remote_address"] as? String == "127.0.0.1")
            #expect(rejection["time"] is String)
            #expect(rejection["body"] == nil)
            #expect(try await client.items("/api/admin/inbox/rejections?plugin=other").isEmpty)
            #expect(try await client.items("/api/admin/inbox/rejections?since=2999-01-01T00:00:00Z").isEmpty)
            expectErrorShape(try await client.send("GET", "/api/admin/inbox/rejections?route=x"), status: 400)

            // Jobs.
            let jobs = try await client.items("/api/admin/jobs")
            #expect(jobs.count == 3)
            #expect(Set(jobs[0].keys) == ["id", "name", "queue", "status", "attempt", "max_attempts", "run_at", "last_error", "created_at", "finished_at"])
            let dead = try await client.items("/api/admin/jobs?status=dead")
            #expect(dead.count == 1)
            #expect(dead.first?["name"] as? String == "hooks.webhook/in")
            #expect(dead.first?["queue"] as? String == "hooks")
            #expect(dead.first?["attempt"] as? Int == 1)
            #expect(dead.first?["max_attempts"] as? Int == 10)
            #expect(dead.first?["finished_at"] is String)
            #expect(try await client.items("/api/admin/jobs?name=hooks.webhook/in&status=done").count == 2)
            #expect(try await client.items("/api/admin/jobs?name=other").isEmpty)
            let jobPage = try await client.object("GET", "/api/admin/jobs?limit=1")
            #expect(jobPage["next"] is NSNumber)
            expectErrorShape(try await client.send("GET", "/api/admin/jobs?status=failed"), status: 400, code: "bad_request")
        }
    }

    @Test(arguments: TestStorage.backends)
    func replayAndRetry(backend: String) async throws {
        try await Self.withServer(backend: backend) { server, client in
            let token = UUID().uuidString
            let boom = try await client.postWebhook(Array("boom:\(token)".utf8))
            let firstRun = try await client.waitForItem(boom, status: "dead")
            let firstJob = try #require((firstRun["job_id"] as? NSNumber)?.int64Value)

            // Replaying a dead item enqueues a new job; still broken, it dies again.
            let replayed = try await client.object("POST", "/api/admin/inbox/\(boom)/replay")
            #expect(replayed["result"] as? String == "queued")
            let secondJob = try #require((replayed["job_id"] as? NSNumber)?.int64Value)
            #expect(secondJob != firstJob)
            let secondRun = try await client.waitForItem(boom, status: "dead")
            #expect((secondRun["job_id"] as? NSNumber)?.int64Value == secondJob)

            // Fixed, a retry of its dead job processes it.
            AdminHookPlugin.healed.insert(token)
            let retried = try await client.object("POST", "/api/admin/jobs/\(secondJob)/retry")
            #expect(retried["id"] as? Int == Int(secondJob))
            #expect(["available", "running", "done"].contains(retried["status"] as? String ?? ""), "\(retried)")
            try await client.waitForItem(boom, status: "processed")
            // The item is marked processed inside the job; the job's own outcome is recorded just after.
            try await client.waitForJob(secondJob, status: "done")
            let notRetryable = try await client.send("POST", "/api/admin/jobs/\(secondJob)/retry")
            expectErrorShape(notRetryable, status: 409, code: "not_retryable")
            #expect(notRetryable.text.contains("is done"))
            expectErrorShape(try await client.send("POST", "/api/admin/jobs/99999/retry"), status: 404, code: "not_found")
            // The first dead job may be retried too: it holds the same unique key, free again.
            _ = try await client.object("POST", "/api/admin/jobs/\(firstJob)/retry")
            try await client.waitForJob(firstJob, status: "done")

            // Duplicates are not replayed; unknown items are 404s.
            let original = try await client.postWebhook(Array("dup".utf8), dedupe: "d-\(token)")
            let duplicate = try await client.postWebhook(Array("dup".utf8), dedupe: "d-\(token)", expect: "duplicate")
            expectErrorShape(try await client.send("POST", "/api/admin/inbox/\(duplicate)/replay"), status: 409, code: "duplicate_item")
            expectErrorShape(try await client.send("POST", "/api/admin/inbox/99999/replay"), status: 404, code: "not_found")
            try await client.waitForItem(original, status: "processed")

            // An item whose job still runs is left alone, and said so.
            let hold = "hold:\(UUID().uuidString)"
            AdminHookPlugin.held.insert(hold)
            let held = try await client.postWebhook(Array(hold.utf8))
            let heldJob = try #require((try await client.item(held)["job_id"] as? NSNumber)?.int64Value)
            try await client.waitForJob(heldJob, status: "running")
            let again = try await client.object("POST", "/api/admin/inbox/\(held)/replay")
            #expect(again["result"] as? String == "already_queued")
            #expect(again["job_status"] as? String == "running")
            #expect((again["job_id"] as? NSNumber)?.int64Value == heldJob)

            // Replay by time: every non-duplicate since then, the running one left alone.
            let bulk = try await client.object("POST", "/api/admin/inbox/replay", body: #"{"since": "1h", "plugin": "hooks"}"#)
            #expect(bulk["matched"] as? Int == 3)
            #expect(bulk["queued"] as? Int == 2)
            #expect((bulk["already_queued"] as? [NSNumber])?.map(\.int64Value) == [held])
            AdminHookPlugin.held.remove(hold)
            for id in [boom, original, held] { try await client.waitForItem(id, status: "processed") }

            // An item's first job has no unique key: its retry is refused while a replay's job runs for the item.
            let token2 = UUID().uuidString, hold2 = "hold:\(UUID().uuidString)"
            let broken = try await client.postWebhook(Array("boom:\(token2) \(hold2)".utf8))
            let brokenFirst = try #require((try await client.waitForItem(broken, status: "dead")["job_id"] as? NSNumber)?.int64Value)
            AdminHookPlugin.held.insert(hold2)
            let replayJob = try #require((try await client.object("POST", "/api/admin/inbox/\(broken)/replay")["job_id"] as? NSNumber)?.int64Value)
            try await client.waitForJob(replayJob, status: "running")
            let refused = try await client.send("POST", "/api/admin/jobs/\(brokenFirst)/retry")
            expectErrorShape(refused, status: 409, code: "already_queued")
            #expect(refused.text.contains("job \(replayJob) for the same inbox item \(broken) is running"))
            AdminHookPlugin.healed.insert(token2)
            AdminHookPlugin.held.remove(hold2)
            try await client.waitForItem(broken, status: "processed")
            let none = try await client.object("POST", "/api/admin/inbox/replay", body: #"{"since": "2999-01-01T00:00:00Z"}"#)
            #expect(none["matched"] as? Int == 0)

            for (body, parameter) in [("{}", "since"), (#"{"since": "1h", "extra": 1}"#, "extra"), ("[1]", "body"), ("", "body"),
                                      (#"{"since": 5}"#, "since"), (#"{"since": "soon"}"#, "since")] {
                let answer = try await client.send("POST", "/api/admin/inbox/replay", body: Array(body.utf8))
                expectErrorShape(answer, status: 400, code: "bad_request")
                #expect(answer.text.contains("\(parameter):"), "\(body): \(answer.text)")
            }
            expectErrorShape(try await client.send("POST", "/api/admin/inbox/replay", body: Array(#"{"since": "1h", "plugin": "ghost"}"#.utf8)),
                             status: 409, code: "plugin_disabled")

            // Items of a plugin this configuration does not enable are refused, one or in bulk.
            let ghost = try await server.kernel.services.store.write { db in
                try db.query("""
                    INSERT INTO switchboard_inbox (plugin, route, headers, body, received_at, status)
                    VALUES ('ghost', '/ghost/hook', '[]', $1, $2, 'received') RETURNING id
                    """, [.blob([1]), .integer(server.kernel.services.clock.nowMillis)]).first?.int("id")
            }
            let ghostID = try #require(ghost)
            let refusedOne = try await client.send("POST", "/api/admin/inbox/\(ghostID)/replay")
            expectErrorShape(refusedOne, status: 409, code: "plugin_disabled")
            #expect(refusedOne.text.contains("plugin ghost is not enabled"))
            let refusedAll = try await client.send("POST", "/api/admin/inbox/replay", body: Array(#"{"since": "1h"}"#.utf8))
            expectErrorShape(refusedAll, status: 409, code: "plugin_disabled")
            #expect(refusedAll.text.contains("nothing replayed"))
        }
    }
}

/// Times and filters as the CLI and the admin API parse them.
@Suite("admin parameters")
struct AdminParametersTests {
    @Test func rfc3339FormatsAndParses() {
        #expect(RFC3339.format(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(millis: 1_795_860_000_123) == "2026-11-28T10:00:00.123Z")
        #expect(RFC3339.format(millis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.parse("2026-11-28T10:00:00.123Z") == 1_795_860_000_123)
        #expect(RFC3339.parse("2026-11-28T10:00:00Z") == 1_795_860_000_000)
        #expect(RFC3339.parse("2026-11-28t11:30:00.5+01:30") == 1_795_860_000_500)
        #expect(RFC3339.parse("2026-11-28 10:00:00.123456z") == 1_795_860_000_123)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        for bad in ["2026-11-28", "2026-11-28T10:00:00", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-28T24:00:00Z",
                    "2026-11-28T10:00:00.Z", "2026-11-28T10:00:00Zx", "26-11-28T10:00:00Z", ""] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        for millis: Int64 in [0, 951_782_400_000, 1_795_860_000_123, 4_102_444_799_999] {
            #expect(RFC3339.parse(RFC3339.format(millis: millis)) == millis)
        }
    }

    @Test func sinceTakesATimeOrADurationAgo() throws {
        #expect(try AdminParameters.time("since", "2h", now: 10_000_000) == 10_000_000 - 7_200_000)
        #expect(try AdminParameters.time("since", "1970-01-01T00:00:01Z", now: 0) == 1000)
        #expect(throws: AdminError.self) { try AdminParameters.time("since", "2 hours", now: 0) }
    }

    @Test func filtersRefuseBadValuesNamingTheParameter() throws {
        let filter = try AdminParameters.inboxFilter(["status": "dead", "plugin": "p", "limit": "5", "after": "9"], now: 0, limits: .paged)
        #expect(filter == AdminQueries.InboxFilter(since: nil, status: "dead", plugin: "p", after: 9, limit: 5))
        #expect(try AdminParameters.inboxFilter([:], now: 0, limits: .paged).limit == 100)
        #expect(try AdminParameters.inboxFilter([:], now: 0, limits: .unbounded).limit == nil)
        #expect(throws: AdminError.invalid("status", "expected available, running, done, dead or cancelled, got \"x\"")) {
            try AdminParameters.jobFilter(["status": "x"], limits: .paged)
        }
        #expect(throws: AdminError.invalid("limit", "expected 1…1000, got \"1001\"")) {
            try AdminParameters.jobFilter(["limit": "1001"], limits: .paged)
        }
        #expect(throws: AdminError.self) { try AdminParameters.checkKnown(["sinc": "1h"], allowed: AdminParameters.inboxKeys) }
    }
}

/// The CLI's text output: aligned tables, and stored text that cannot drive the terminal.
@Suite("CLI text output")
struct CLITextOutputTests {
    @Test func tablesAlignAndEscapeControlCharacters() {
        var table = TextTable(["ID", "KEY", "ERROR"])
        table.add(["1", "k\u{1B}[31m", "line one\nline two"])
        table.add(["12", "k", "-"])
        #expect(table.rendered == """
        ID  KEY          ERROR
        1   k\\u{1b}[31m  line one\\nline two
        12  k            -
        """)
        #expect(TextTable.safe("a\nb\tc\u{7}\u{9B}", multiline: true) == "a\nb\tc\\u{7}\\u{9b}")
        #expect(TextTable.short(String(repeating: "x", count: 100), limit: 10) == "xxxxxxxxx…")
        #expect(TextTable.short(nil) == "-")
    }

    @Test func showRendersFieldsJobHeadersAndBody() throws {
        let summary = try AdminQueries.InboxSummary(row: Row(
            columns: ["id", "plugin", "route", "dedupe_key", "status", "received_at", "processed_at", "duplicate_of", "job_id", "size", "error"],
            values: [.integer(7), .text("hooks"), .text("/hooks/in"), .null, .text("received"), .integer(0), .null, .null, .null, .integer(3), .null]))
        let item = AdminQueries.InboxDetail(summary: summary, headers: ["Content-Type": "text/plain"], body: [0xFF, 0x00, 0x80], job: nil)
        #expect(InboxCommand.render(item) == """
        id:            7
        plugin:        hooks
        route:         /hooks/in
        status:        received
        received_at:   1970-01-01T00:00:00.000Z
        processed_at:  -
        dedupe_key:    -
        duplicate_of:  -
        size:          3 bytes
        job:           -
        last_error:    -
        headers:
          Content-Type: text/plain
        body (base64, not valid utf-8):
        /wCA
        """)
    }
}
