import Foundation
import PluginAPI
import Testing
import TestPlugins
@testable import Kernel

/// `/api/admin/phones/…` over real sockets: the report, the review queue, one subject's
/// history, assignment and the normaliser; bad input is a 4xx naming the parameter.
@Suite("admin API: phones", .serialized)
struct PhoneAdminAPITests {
    static func start() async throws -> (TestServer, AdminClient) {
        let server = try await TestServer.start(plugins: [PhoneKitPlugin.self]) { config in
            config.admin.token = AdminClient.token
            config.plugins["phonekit"] = PluginEntry(enabled: true, config: .object([("strategies", .array([.string("token_pattern")]))]))
        }
        return (server, AdminClient(port: server.kernel.port))
    }

    @Test func reportQueueDetailAndAssignment() async throws {
        let (server, client) = try await Self.start()
        let phones = server.kernel.phones
        let number = try phones.normalize("+212610059159", region: nil)
        try await server.kernel.services.store.write { db in
            try phones.learn(key: .flowToken("tok-1"), phone: number, source: "metaflow.nfm_reply", in: db)
        }
        _ = try await phones.resolve(key: .flowToken("tok-1"), subject: "kit/1")
        _ = try await phones.resolve(key: .flowToken("deepal-212600000001-z"), subject: "kit/2")
        _ = try await phones.resolve(key: .flowToken("tok-3"), subject: "kit/3")

        let report = try await client.object("GET", "/api/admin/phones/report")
        #expect(report["subjects"] as? Int == 3)
        #expect(report["resolved"] as? Int == 2)
        #expect(report["pending"] as? Int == 1)
        #expect((report["capture_rate"] as? Double).map { abs($0 - 0.6667) < 0.0001 } == true)

        let queue = try await client.items("/api/admin/phones/subjects")
        #expect(queue.map { $0["subject"] as? String } == ["kit/3"])
        let all = try await client.items("/api/admin/phones/subjects?status=all&limit=2")
        #expect(all.count == 2)

        let detail = try await client.object("GET", "/api/admin/phones/subject?subject=kit%2F2")
        #expect(detail["phone"] as? String == "+212600000001")
        #expect(detail["source_kind"] as? String == "pattern")
        let attempts = detail["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.map { $0["outcome"] as? String } == ["miss", "hit"])

        let assigned = try await client.object("POST", "/api/admin/phones/assign",
                                               body: #"{"subject": "kit/3", "phone": "0610059159", "region": "MA", "note": "from the call log"}"#)
        #expect(assigned["status"] as? String == "resolved")
        #expect(assigned["source"] as? String == "manual")
        #expect(try await client.items("/api/admin/phones/subjects").isEmpty)

        let normalized = try await client.object("GET", "/api/admin/phones/normalize?number=%2B212%206-10%2005%2091%2059")
        #expect(normalized["e164"] as? String == "+212610059159")
        await server.stop()
    }

    @Test func badRequestsAreRefusedAndChangeNothing() async throws {
        let (server, client) = try await Self.start()
        _ = try await server.kernel.phones.resolve(key: .flowToken("tok-x"), subject: "kit/x")
        let cases: [(String, String, String?, Int, String)] = [
            ("GET", "/api/admin/phones/subjects?status=lost", nil, 400, "status"),
            ("GET", "/api/admin/phones/subjects?colour=red", nil, 400, "colour"),
            ("GET", "/api/admin/phones/subject?subject=kit%2Fnobody", nil, 404, "no phone subject"),
            ("POST", "/api/admin/phones/assign", #"{"subject": "kit/x"}"#, 400, "phone"),
            ("POST", "/api/admin/phones/assign", #"{"subject": "kit/x", "phone": "hello"}"#, 400, "not a phone number"),
            ("POST", "/api/admin/phones/assign", #"{"subject": "kit/x", "phone": "+212610059159", "extra": 1}"#, 400, "extra"),
            ("POST", "/api/admin/phones/assign", #"{"subject": "kit/nobody", "phone": "+212610059159"}"#, 404, "no phone subject"),
            ("POST", "/api/admin/phones/assign", "[1,", 400, "body"),
        ]
        for (method, target, body, status, fragment) in cases {
            let answer = try await client.send(method, target, body: Array((body ?? "").utf8))
            #expect(answer.status == status, "\(method) \(target): \(answer.text)")
            #expect(answer.text.contains(fragment), "\(method) \(target): \(answer.text)")
        }
        let unauthorized = try await client.send("GET", "/api/admin/phones/report", authorization: nil)
        #expect(unauthorized.status == 401)
        #expect(try await server.kernel.phones.resolution(subject: "kit/x")?.status == .pending)
        await server.stop()
    }
}
