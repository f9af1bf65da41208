import Foundation
import Kernel
import PluginAPI
import PluginTesting
import Testing
@testable import Chatwoot

/// `POST /chatwoot/labels/sync` (what `switchboard chatwoot labels sync` calls; the CLI itself
/// is tested in SwitchboardCLITests) against the fake's account labels.
@Suite("chatwoot labels sync", .serialized)
struct LabelsTests {
    static let sync = #", "reconcile_every": "0s", "sync": {"inbox_id": 3, "labels": {"*": ["whatsapp"], "wasender": ["Lead-Chaud", "whatsapp"]}}"#

    @Test func createsOnlyMissingLabelsAndNeedsTheAdmin() async throws {
        let host = try await ChatwootHost.start(extra: Self.sync)
        defer { Task { await host.stop() } }
        host.fake.withWorld { $0.labels = ["whatsapp", "vip"] }
        // From the network without the admin token: refused, nothing called.
        let refused = await host.kernel.respond(to: Request(method: .post, path: "/chatwoot/labels/sync", remoteAddress: "127.0.0.1"))
        #expect(refused.status == 401)
        #expect(host.fake.requests.isEmpty)

        let routes = LabelRoutes(client: makeClient(host.fake, http: host.http), labels: ["lead-chaud", "whatsapp"], authorized: { _ in true })
        let first = try await routes.sync()
        #expect(first.created == ["lead-chaud"] && first.existing == ["whatsapp"])
        #expect(host.fake.withWorld { $0.labels } == ["whatsapp", "vip", "lead-chaud"])
        let again = try await routes.sync()
        #expect(again.created.isEmpty && again.existing == ["lead-chaud", "whatsapp"])
        #expect(host.fake.requests.map(\.route) == ["GET /labels", "POST /labels", "GET /labels"])
    }
}
