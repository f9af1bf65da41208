import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// What schemathesis found the bulk route accepting against its description: an empty batch
/// name, and JSON rows that are not objects or carry members of the wrong type. Each is now a
/// 400 that queues nothing; a row merely missing its phone is still skipped and reported.
@Suite("MetaFlow bulk refusals", .serialized)
struct BulkRefusalTests {
    @Test func malformedBulkInputIsRefusedAndQueuesNothing() async throws {
        let host = try await SendHost.start(template: false)
        let json: HTTPHeaders = ["Authorization": "Bearer \(SendHost.adminToken)", "Content-Type": "application/json"]
        let cases: [(String, HTTPHeaders, String, String)] = [
            ("/metaflow/send/bulk?flow=survey&batch=", SendHost.admin, "+5511987654321\n", "invalid_batch"),
            ("/metaflow/send/bulk?flow=survey", json, "[1]", "invalid_json"),
            ("/metaflow/send/bulk?flow=survey", json, #"[{"phone_number": true}]"#, "invalid_phone_number"),
            ("/metaflow/send/bulk?flow=survey", json, #"[{"phone_number": "+5511987654321", "customer_name": 7}]"#, "invalid_customer_name"),
        ]
        for (target, headers, body, code) in cases {
            let response = await host.request(.post, target, headers: headers, body: body)
            #expect(response.status == 400, "\(body): \(response.bodyText)")
            #expect(response.bodyText.contains(code), "\(body): \(response.bodyText)")
        }
        #expect(try await host.query("SELECT * FROM metaflow_tokens").isEmpty)
        let skipped = await host.request(.post, "/metaflow/send/bulk?flow=survey", headers: json, body: #"[{"customer_name": "Ana"}]"#)
        #expect(skipped.status == 200, "\(skipped.bodyText)")
        #expect(skipped.bodyText.contains(#""invalid":[{"#), "\(skipped.bodyText)")
        await host.stop()
    }
}
