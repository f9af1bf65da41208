import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Wasender

/// The `wasender` channel against a fake Wasender API on loopback, with the real libcurl client.
@Suite("wasender sending", .serialized)
struct SendTests {
    static let phone = "+212600000001"
    static let text = "Bonjour Yassine, votre rendez-vous est confirmé pour demain 10h."

    @Test(arguments: WasenderHost.backends)
    func aSendPostsToAndTextWithTheKeyAndStoresTheMsgId(backend: String) async throws {
        let host = try await WasenderHost.start(backend: backend)
        defer { Task { await host.stop() } }
        host.api.script(FakeWasender.json(try Fixture.bytes("wasender_send_response.json")))
        try await host.send(Self.phone, ChannelMessage(text: Self.text))
        try await host.kernel.runDueJobs()
        let seen = try #require(host.api.requests.first)
        #expect(seen.method == "POST")
        #expect(seen.target == "/api/send-message")
        #expect(seen.authorization == "Bearer \(WasenderHost.apiKey)")
        // Exactly the documented request.
        let expected = try JSONSerialization.jsonObject(with: Data(try Fixture.bytes("wasender_send_request.json"))) as? [String: String]
        #expect(seen.body as? [String: String] == expected)
        #expect(try await host.messages().map(\.status) == ["sent"])
        #expect(try await host.messages().first?.provider == "1048576")
    }

    @Test func mediaGoesUnderItsKindsKey() async throws {
        let host = try await WasenderHost.start(rateLimit: "256/60s")
        defer { Task { await host.stop() } }
        try await host.send(Self.phone, ChannelMessage(text: "Votre facture", mediaURL: "https://files.example.com/f/facture.pdf"))
        try await host.send(Self.phone, ChannelMessage(mediaURL: "https://files.example.com/p/photo.JPG?x=1"))
        try await host.kernel.runDueJobs()
        let bodies = host.api.requests.map(\.body)
        #expect(bodies.count == 2)
        #expect(bodies.contains { $0["documentUrl"] as? String == "https://files.example.com/f/facture.pdf" && $0["text"] as? String == "Votre facture" })
        #expect(bodies.contains { $0["imageUrl"] as? String == "https://files.example.com/p/photo.JPG?x=1" && $0["text"] == nil })
    }

    /// Two jobs due in the same second under `1/60s`: one goes now, the other a minute later.
    @Test(arguments: WasenderHost.backends)
    func theRateLimitHoldsAcrossTwoJobsInTheSameSecond(backend: String) async throws {
        let host = try await WasenderHost.start(rateLimit: "1/60s", backend: backend)
        defer { Task { await host.stop() } }
        try await host.send(Self.phone, ChannelMessage(text: "one"))
        try await host.send("+212600000002", ChannelMessage(text: "two"))
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 1)
        host.clock.advance(by: 30)
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 1)
        host.clock.advance(by: 31)
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 2)
        #expect(try await host.messages().map(\.status) == ["sent", "sent"])
        #expect(Set(try await host.messages().compactMap(\.provider)).count == 2)
    }

    /// A 429 waits for the body's `retry_after` (60 s), not the 1 s backoff.
    @Test func a429WaitsForRetryAfter() async throws {
        let host = try await WasenderHost.start(rateLimit: "256/60s")
        defer { Task { await host.stop() } }
        host.api.script(FakeWasender.json(try Fixture.bytes("wasender_send_rate_limited_429.json"), status: 429), FakeWasender.success(77))
        try await host.send(Self.phone, ChannelMessage(text: "hello"))
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 1)
        #expect(try await host.messages().map(\.status) == ["queued"])
        host.clock.advance(by: 30)
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 1)
        host.clock.advance(by: 31)
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 2)
        #expect(try await host.messages().first?.provider == "77")
        #expect(await host.metrics().contains("switchboard_wasender_rate_limited"))
    }

    /// A refused key fails at once (no retry can help), alerts, and never shows the key.
    @Test func a401FailsAtOnceAndAlerts() async throws {
        let host = try await WasenderHost.start(rateLimit: "256/60s")
        defer { Task { await host.stop() } }
        host.api.script(FakeWasender.json(try Fixture.bytes("wasender_error_auth.json"), status: 401))
        try await host.send(Self.phone, ChannelMessage(text: "hello"))
        try await host.kernel.runDueJobs()
        host.clock.advance(by: 3600)
        try await host.kernel.runDueJobs()
        #expect(host.api.requests.count == 1)
        let message = try #require(try await host.messages().first)
        #expect(message.status == "failed")
        #expect(message.error?.contains("API key is required") == true)
        #expect(message.error?.contains(WasenderHost.apiKey) == false)
        #expect(await host.metrics().contains("switchboard_wasender_auth_errors"))
    }

    @Test func a5xxIsRetriedAnd4xxIsNot() {
        #expect(WasenderError.handling(httpStatus: 429) == .retry)
        #expect(WasenderError.handling(httpStatus: 503) == .retry)
        #expect(WasenderError.handling(httpStatus: 408) == .retry)
        #expect(WasenderError.handling(httpStatus: 403) == .alert)
        #expect(WasenderError.handling(httpStatus: 422) == .fail)
        #expect(WasenderClient.messageID(Array(#"{"success":true,"data":{"msgId":"abc"}}"#.utf8)) == "abc")
        #expect(WasenderClient.messageID(Array(#"{"success":false,"data":{"msgId":1}}"#.utf8)) == nil)
    }
}
