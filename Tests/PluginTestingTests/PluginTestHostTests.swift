import PluginAPI
import PluginTesting
import Testing
import TestPlugins

/// `PluginTesting` as a plugin author uses it: no sockets, a temporary database, a manual
/// clock, jobs run on demand, outbound HTTP recorded and answered from a script.
@Suite("plugin test host")
struct PluginTestHostTests {
    static let config = #"{"plugins": {"outboundkit": {"enabled": true, "config": {"base_url": "https://api.example.test"}}}}"#

    @Test func jobsRunOnDemandAndOutboundCallsAreScripted() async throws {
        let host = try PluginTestHost(plugins: [OutboundKitPlugin.self], config: Self.config)
        try await host.start()
        // The API is down once (503 asking for 30 s), then answers.
        host.http.respond(to: .post, "https://api.example.test/notify",
                          with: .status(503, "", headers: ["Retry-After": "30"]), .json(#"{"ok":true}"#))
        let queued = await host.request(.post, "/outboundkit/notify?text=hi")
        #expect(queued.status == 200)
        #expect(try await host.runDueJobs() == 1)
        #expect(host.http.requests.count == 1)
        #expect(host.http.requests.first.map { String(decoding: $0.body, as: UTF8.self) } == #"{"text":"hi"}"#)
        // The retry waits at least the 30 s the API asked for.
        #expect(try await host.runDueJobs() == 0)
        host.clock.advance(by: 29)
        #expect(try await host.runDueJobs() == 0)
        host.clock.advance(by: 60)
        #expect(try await host.runDueJobs() == 1)
        #expect(host.http.requests.count == 2)
        let jobs = try await host.query("SELECT status, attempt FROM switchboard_jobs")
        #expect(try jobs.first?.string("status") == "done")
        #expect(try jobs.first?.int("attempt") == 2)
        await host.stop()
    }

    @Test func aNonRetryableAnswerEndsTheJobAtOnce() async throws {
        let host = try PluginTestHost(plugins: [OutboundKitPlugin.self], config: Self.config)
        try await host.start()
        host.http.respond(to: .post, "https://api.example.test/", with: .status(400, "bad request"))
        _ = await host.request(.post, "/outboundkit/notify?text=x")
        #expect(try await host.runDueJobs() == 1)
        let jobs = try await host.query("SELECT status, last_error FROM switchboard_jobs")
        #expect(try jobs.first?.string("status") == "dead")
        await host.stop()
    }

    @Test func unscriptedCallsFailLikeAnUnreachableHost() async throws {
        let http = RecordingHTTPClient()
        do {
            _ = try await http.send(.get("https://nowhere.example.test/x?token=secret"))
            Issue.record("an unscripted call succeeded")
        } catch let error as OutboundHTTPError {
            #expect(error.retryable)
            #expect(!"\(error)".contains("secret"))
        }
        #expect(http.requests.count == 1)
    }
}
