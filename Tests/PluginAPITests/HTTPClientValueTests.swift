import Foundation
import PluginAPI
import Testing

/// The plugin-facing values of outbound HTTP: retry hints, transient statuses, safe URLs and
/// `sendChecked`, without any network.
@Suite("HTTP client values")
struct HTTPClientValueTests {
    private static let now = Date(timeIntervalSince1970: 784_111_767) // Sun, 06 Nov 1994 08:49:27 GMT

    @Test(arguments: [
        ("7", 7_000), ("0", 0), (" 120 ", 120_000),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 10_000),    // IMF-fixdate, 10 s after now
        ("Sunday, 06-Nov-94 08:49:37 GMT", 10_000),   // RFC 850
        ("Sun Nov  6 08:49:37 1994", 10_000),         // asctime
        ("Sun, 06 Nov 1994 08:00:00 GMT", 0),         // already past: retry now
        ("99999999999999999999999", 31_536_000_000),  // absurd: clamped to a year, not ignored
    ] as [(String, Int64)])
    func retryAfterHeader(value: String, ms: Int64) {
        let response = OutboundResponse(status: 429, headers: ["Retry-After": value])
        #expect(response.retryAfter(now: Self.now)?.milliseconds == ms)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"])
    func unusableRetryAfterHeader(value: String) {
        #expect(OutboundResponse(status: 429, headers: ["Retry-After": value]).retryAfter(now: Self.now) == nil)
    }

    @Test(arguments: [
        (#"{"retry_after": 60}"#, Int64(60_000)), (#"{"retry_after": "45"}"#, 45_000), (#"{"retry_after": 1.5}"#, 1_500),
        (#"  {"message": "x", "retry_after": 2}"#, 2_000),
    ] as [(String, Int64)])
    func retryAfterInJSONBody(body: String, ms: Int64) {
        #expect(OutboundResponse(status: 429, body: Array(body.utf8)).retryAfter(now: Self.now)?.milliseconds == ms)
    }

    @Test(arguments: [#"{"retry_after": true}"#, #"{"retry_after": "inf"}"#, #"{"retry_after": -3}"#, #"[{"retry_after": 5}]"#,
                      #"{"nested": {"retry_after": 5}}"#, "retry_after: 5", #"{"retry_after": 5"#])
    func noRetryAfterInOtherBodies(body: String) {
        #expect(OutboundResponse(status: 429, body: Array(body.utf8)).retryAfter(now: Self.now) == nil)
    }

    @Test func headerAndBodyTogetherTakeTheLonger() {
        let response = OutboundResponse(status: 429, headers: ["Retry-After": "5"], body: Array(#"{"retry_after": 30}"#.utf8))
        #expect(response.retryAfter(now: Self.now) == .seconds(30))
    }

    @Test(arguments: [(429, true), (500, true), (502, true), (503, true), (504, true), (599, true), (501, false), (505, false),
                      (200, false), (404, false), (408, false), (499, false)])
    func transientStatuses(status: Int, transient: Bool) {
        #expect(OutboundResponse(status: status).isTransientFailure == transient)
    }

    @Test(arguments: [
        ("https://api.example.com/v1/send?token=abc", "https://api.example.com/v1/send"),
        ("http://user:pa@ss@127.0.0.1:8080/x?y#z", "http://127.0.0.1:8080/x"),
        ("HTTPS://Example.com", "https://Example.com"),
        ("https://h/#frag?not-query", "https://h/"),
        ("not a url?secret=1", "[unparseable url]"),
    ])
    func safeURLKeepsSchemeHostAndPathOnly(url: String, safe: String) {
        #expect(OutboundRequest.get(url).safeURL == safe)
    }

    @Test func redactRemovesQueryUserinfoAndHeaderValues() {
        let request = OutboundRequest.get("https://bob:hunter22@h/p?access_token=xyz123", headers: ["Authorization": "Bearer abcdef"])
        let text = request.redact("failed https://bob:hunter22@h/p?access_token=xyz123 with Bearer abcdef and hunter22")
        #expect(!text.contains("xyz123"))
        #expect(!text.contains("hunter22"))
        #expect(!text.contains("abcdef"))
    }

    @Test func jsonConveniencesSetTheContentTypeOnce() {
        let post = OutboundRequest.post("https://h/p", json: Array("{}".utf8))
        #expect(post.method == .post)
        #expect(post.headers.values("Content-Type") == ["application/json"])
        let custom = OutboundRequest.put("https://h/p", json: [], headers: ["content-type": "application/merge-patch+json"])
        #expect(custom.headers.values("Content-Type") == ["application/merge-patch+json"])
    }

    @Test func sendCheckedThrowsForErrorStatusesOnly() async throws {
        let client = CannedClient(response: OutboundResponse(status: 503, headers: ["Retry-After": "3"], body: Array("busy".utf8)))
        let error = await #expect(throws: OutboundHTTPError.self) {
            try await client.sendChecked(.get("https://api.example.com/v1/x?token=secret"))
        }
        #expect(error?.kind == .status(503))
        #expect(error?.retryable == true)
        #expect(error?.retryAfter == .seconds(3))
        #expect(error?.response?.text == "busy")
        #expect(error?.description.contains("secret") == false)
        #expect(error?.description.hasPrefix("GET https://api.example.com/v1/x: ") == true)
        let ok = CannedClient(response: OutboundResponse(status: 204))
        #expect(try await ok.sendChecked(.get("https://h/")).status == 204)
    }

    @Test func errorKindsDefaultTheirRetryability() {
        let request = OutboundRequest.get("https://h/")
        #expect(OutboundHTTPError(.connect, request: request, "x").retryable)
        #expect(OutboundHTTPError(.timeout, request: request, "x").retryable)
        #expect(!OutboundHTTPError(.tooLarge, request: request, "x").retryable)
        #expect(!OutboundHTTPError(.invalidURL, request: request, "x").retryable)
        #expect(!OutboundHTTPError(.status(404), request: request, "x").retryable)
        #expect(OutboundHTTPError(.status(429), request: request, "x").retryable)
        #expect(OutboundHTTPError.Kind.tooLarge.description == "too_large")
    }
}

/// Answers every request with one response.
private struct CannedClient: HTTPClient {
    var response: OutboundResponse
    func send(_ request: OutboundRequest) async throws -> OutboundResponse { response }
}
