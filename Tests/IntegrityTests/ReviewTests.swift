import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Integrity

/// The review queue on both backends: what is listed and what was tried, assignment (the
/// capture rate moves), dismissal with the operator's note, and the refusals.
@Suite("integrity review queue", .serialized)
struct ReviewTests {
    @Test(arguments: IntegrityHost.backends) func assignAndDismiss(backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend)
        try await host.run {
            try await host.seed(resolved: 2, pending: 1, unresolved: 2, conflicts: 1, label: "survey")
            let queue = try await host.json("/integrity/review")
            #expect(queue.status == 200)
            let items = try #require(queue.object["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["subject"] as? String }) == ["test/u0", "test/u1", "test/c0"])
            let unresolved = try #require(items.first { $0["subject"] as? String == "test/u0" })
            #expect(unresolved["status"] as? String == "unresolved")
            #expect(unresolved["tried"] as? String == "evidence: miss ×2")
            #expect(unresolved["flow"] as? String == "survey")
            let conflict = try #require(items.first { $0["subject"] as? String == "test/c0" })
            let disagreements = try #require(conflict["disagreements"] as? [[String: Any]])
            #expect(disagreements.first?["other_source"] as? String == "test.other")
            #expect(disagreements.first?["other_phone"] as? String == "+212610000002", "the review page shows phones in full")
            let pending = try await host.json("/integrity/review?status=pending")
            #expect((pending.object["items"] as? [[String: Any]])?.map { $0["subject"] as? String } == ["test/p0"])

            let before = try await host.report()
            #expect(before["capture_rate"] as? Double == 0.3333)

            // Assign: the subject is resolved, leaves the queue, the rate moves.
            let assigned = try await host.json(.post, "/integrity/review/assign",
                                               body: #"{"subject": "test/u0", "phone": "0610000099", "region": "MA", "note": "called the customer"}"#)
            #expect(assigned.status == 200)
            #expect(assigned.object["status"] as? String == "resolved" && assigned.object["phone"] as? String == "+212610000099")
            let after = try await host.report()
            #expect(after["capture_rate"] as? Double == 0.5)
            #expect(after["unresolved"] as? Int == 1)

            // Dismiss the conflict with a note: off the queue, the kernel's record unchanged.
            let dismissed = try await host.json(.post, "/integrity/review/dismiss", body: #"{"subject": "test/c0", "note": "test entry from staff"}"#)
            #expect(dismissed.status == 200 && dismissed.object["dismissed"] as? Bool == true)
            let queue2 = try await host.json("/integrity/review")
            #expect((queue2.object["items"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["test/u1"])
            let withDismissed = try await host.json("/integrity/review?include_dismissed=true")
            let shown = try #require((withDismissed.object["items"] as? [[String: Any]])?.first { $0["subject"] as? String == "test/c0" })
            #expect(shown["dismissed"] as? Bool == true && shown["dismissal_note"] as? String == "test entry from staff")
            let report = try await host.report()
            #expect(report["conflicts"] as? Int == 1 && report["dismissed"] as? Int == 1)
            #expect(report["reasons"] as? [String] == ["1 subject to review"], "the dismissed conflict no longer counts")

            // The subject's page: attempts, and the operator's actions with their notes.
            let detail = try await host.json("/integrity/review/subject?subject=test/u0")
            #expect(detail.status == 200)
            let actions = try #require(detail.object["actions"] as? [[String: Any]])
            #expect(actions.map { $0["action"] as? String } == ["assign"] && actions.first?["note"] as? String == "called the customer")
            #expect((detail.object["attempt_log"] as? [[String: Any]])?.count == 2)

            // Assigning a dismissed subject ends its dismissal.
            _ = try await host.json(.post, "/integrity/review/assign", body: #"{"subject": "test/c0", "phone": "+212610000001", "note": "confirmed"}"#)
            let settled = try await host.json("/integrity/review/subject?subject=test/c0")
            #expect(settled.object["status"] as? String == "resolved" && settled.object["dismissed"] as? Bool == false)
            #expect((settled.object["actions"] as? [[String: Any]])?.map { $0["action"] as? String } == ["dismiss", "assign"])
        }
    }

    @Test(arguments: IntegrityHost.backends) func refusals(backend: String) async throws {
        let host = try await IntegrityHost.start(backend: backend)
        try await host.run {
            try await host.seed(resolved: 1, unresolved: 1)
            let cases: [(String, String, Int, String)] = [
                ("/integrity/review/assign", #"{"subject": "test/u0", "phone": "12"}"#, 400, "bad_request"),
                ("/integrity/review/assign", #"{"subject": "test/none", "phone": "+212610000001"}"#, 404, "not_found"),
                ("/integrity/review/assign", #"{"subject": "test/u0"}"#, 400, "bad_request"),
                ("/integrity/review/assign", #"{"subject": "test/u0", "phone": "+212610000001", "extra": 1}"#, 400, "bad_request"),
                ("/integrity/review/dismiss", #"{"subject": "test/u0"}"#, 400, "bad_request"),
                ("/integrity/review/dismiss", #"{"subject": "test/r0", "note": "x"}"#, 409, "not_reviewable"),
                ("/integrity/review/dismiss", #"{"subject": "test/none", "note": "x"}"#, 404, "not_found"),
                ("/integrity/review/dismiss", "not json", 400, "bad_request"),
            ]
            for (path, body, status, code) in cases {
                let answer = try await host.json(.post, path, body: body)
                #expect(answer.status == status, "\(path) \(body)")
                #expect((answer.object["error"] as? [String: Any])?["code"] as? String == code, "\(path) \(body)")
            }
            // Nothing changed.
            let queue = try await host.json("/integrity/review")
            #expect((queue.object["items"] as? [[String: Any]])?.count == 1)
            for path in ["/integrity/review", "/integrity/review/subject?subject=test/u0", "/integrity/alerts", "/integrity/timeline"] {
                #expect((await host.request(.get, path, headers: [:])).status == 401, "\(path)")
            }
            for path in ["/integrity/review/assign", "/integrity/review/dismiss"] {
                #expect((await host.request(.post, path, headers: ["Authorization": "Bearer wrong"], body: "{}")).status == 401, "\(path)")
            }
            #expect((try await host.json("/integrity/review?status=resolved")).status == 400)
            #expect((try await host.json("/integrity/review?limit=0")).status == 400)
        }
    }
}
