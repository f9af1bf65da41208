import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// The response records the endpoint keeps, on every backend: created at a token's first INIT
/// or submit, answers of every screen merged, completed at SUCCESS, stored before the answer.
@Suite("flow response records", .serialized)
struct ResponseRecordTests {
    static let token = "ft_record_0001"

    static func start(_ backend: String, extra: [String: JSONValue] = [:], clock: ManualClock = ManualClock()) async throws -> (EndpointHost, FlowSealer) {
        var extra = extra
        if extra["flows"] == nil {
            var flows = try SurveyConfig.metaflow(keyPath: "").objectValue?["flows"]?.objectValue ?? [:]
            var survey = flows["survey"]?.objectValue ?? [:]
            survey["completion_params"] = .object(["campaign": .string("spring"), "q1_rating": .string("overridden by completion_params")])
            flows["survey"] = .object(survey)
            extra["flows"] = .object(flows)
        }
        let config = try SurveyConfig.file(try SurveyConfig.metaflow(keyPath: try Fixtures.keyPath("keys/endpoint_private_pkcs8.pem"), extra: extra))
        let endpoint = try await EndpointHost.start(config, backend: backend, clock: clock)
        return (endpoint, FlowSealer(vector: try Fixtures.vector("init")))
    }

    /// Sends `payload` and returns the status and the decrypted answer (nil when there is no body to decrypt).
    static func send(_ endpoint: EndpointHost, _ sealer: FlowSealer, _ payload: String) async throws -> (Int, JSONValue?) {
        let response = await endpoint.post(try sealer.request(payload))
        guard response.status == 200 || response.status == 427 else { return (response.status, nil) }
        return (response.status, try sealer.decrypt(response.body))
    }

    static func screen(_ answer: JSONValue?) -> String? { answer?.objectValue?["screen"]?.stringValue }

    @Test(arguments: EndpointHost.backends)
    func walkMergesEveryScreenAndCompletes(backend: String) async throws {
        let (endpoint, sealer) = try await Self.start(backend)
        let t = Self.token
        var (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT","flow_token":"\#(t)","screen":"","data":{}}"#)
        #expect(status == 200)
        #expect(Self.screen(answer) == "SURVEY_Q1")
        var rows = try await endpoint.responses()
        #expect(rows.count == 1)
        #expect(rows.first?.status == "in_progress")
        #expect(rows.first?.answers == .object([:]))
        #expect(rows.first?.flow == "survey")

        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q1","data":{"q1_rating":"4"},"flow_token":"\#(t)"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q2")
        #expect(answer?.objectValue?["data"] == .object(["question": .string("Would you recommend us?")]))
        // Abandoned here, the answer so far is already stored.
        #expect(try await endpoint.responses().first?.answers == .object(["q1_rating": .string("4")]))

        // `\/` escapes, an integer and an array: kept as they came.
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q2","data":{"q2_site":"https:\/\/example.com\/a","q2_count":3,"q2_list":["a","b"]},"flow_token":"\#(t)"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q3")
        // A screen without data is shown with {}.
        #expect(answer?.objectValue?["data"] == .object([:]))
        for screen in ["SURVEY_Q3", "SURVEY_Q4"] {
            (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"\#(screen)","flow_token":"\#(t)"}"#)
            #expect(status == 200)
        }
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q5","data":{"q5_opt_in":true,"q1_rating":"5"},"flow_token":"\#(t)"}"#)
        #expect(status == 200)
        let expectedAnswers: [String: JSONValue] = ["q1_rating": .string("5"), "q2_site": .string("https://example.com/a"), "q2_count": .integer(3),
                                                    "q2_list": .array([.string("a"), .string("b")]), "q5_opt_in": .bool(true)]
        var params = expectedAnswers
        params["campaign"] = .string("spring")
        params["q1_rating"] = .string("overridden by completion_params")
        params["flow_token"] = .string(t)
        #expect(answer == .object(["screen": .string("SUCCESS"), "data": .object(["extension_message_response": .object(["params": .object(params)])])]))
        rows = try await endpoint.responses()
        #expect(rows.count == 1)
        #expect(rows.first?.status == "completed")
        #expect(rows.first?.completedAt != nil)
        #expect(rows.first?.answers == .object(expectedAnswers))
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func backPingErrorsAndMissingTokensStoreNothing(backend: String) async throws {
        let (endpoint, sealer) = try await Self.start(backend)
        var (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"BACK","screen":"SURVEY_Q3","flow_token":"t1"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q2")
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"BACK","screen":"","flow_token":"t1"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q1")
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"BACK","flow_token":"t1"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q1")
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"ping"}"#)
        #expect(answer == FlowRouter.active)
        for field in ["error", "error_key", "error_message"] {
            (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT","flow_token":"t2","data":{"\#(field)":"x"}}"#)
            #expect(answer == FlowRouter.acknowledged)
        }
        // No flow_token: answered, not stored (there is no record to merge it into).
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT"}"#)
        #expect(Self.screen(answer) == "SURVEY_Q1")
        (status, answer) = try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q5","data":{"a":1}}"#)
        let flow = try #require(try Self.surveyFlow())
        #expect(answer == FlowRouter.completion(answers: ["a": .integer(1)], flow: flow, token: nil))
        #expect(status == 200)
        #expect(try await endpoint.responses().isEmpty)
        await endpoint.stop()
    }

    static func surveyFlow() throws -> FlowDefinition? {
        let config = try SurveyConfig.metaflow(keyPath: "")
        let data = try JSONText.bytes(config)
        var flow = try JSONText.decode(MetaFlowConfig.self, from: data).flows?["survey"]
        flow?.completionParams = ["campaign": .string("spring"), "q1_rating": .string("overridden by completion_params")]
        return flow
    }

    /// Decrypted but unusable: 421 for what cannot be read, 400 for what cannot be routed. An
    /// unknown screen's answers are kept all the same.
    @Test(arguments: EndpointHost.backends)
    func malformedRequests(backend: String) async throws {
        let (endpoint, sealer) = try await Self.start(backend)
        #expect(try await Self.send(endpoint, sealer, "not json").0 == 421)
        #expect(try await Self.send(endpoint, sealer, "[1,2]").0 == 421)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"DANCE","flow_token":"t"}"#).0 == 400)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","flow_token":"t"}"#).0 == 400)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"GONE","data":{"kept":"yes"},"flow_token":"t"}"#).0 == 400)
        #expect(try await endpoint.responses().first?.answers == .object(["kept": .string("yes")]))
        // Bad envelopes: not JSON, missing fields, bad base64, short IV; each signed correctly.
        let initBody = try Fixtures.vector("init").requestBody
        for body in ["nope", #"{"encrypted_flow_data":"AAAA"}"#,
                     #"{"encrypted_flow_data":"!!","encrypted_aes_key":"\#(initBody.encryptedAESKey)","initial_vector":"\#(initBody.initialVector)"}"#,
                     #"{"encrypted_flow_data":"AAAAAAAAAAAAAAAAAAAAAAAAAAAA","encrypted_aes_key":"\#(initBody.encryptedAESKey)","initial_vector":"AAAA"}"#] {
            let bytes = Array(body.utf8)
            let response = await endpoint.post((bytes, sealer.signed(bytes)))
            #expect(response.status == 421)
            #expect(response.body.isEmpty)
        }
        await endpoint.stop()
    }

    @Test(arguments: EndpointHost.backends)
    func strictTokensAndTTL(backend: String) async throws {
        let clock = ManualClock()
        let (endpoint, sealer) = try await Self.start(backend, extra: ["strict_tokens": .bool(true), "token_ttl": .string("1h")], clock: clock)
        let open = { (token: String) in #"{"version":"3.0","action":"INIT","flow_token":"\#(token)"}"# }
        var (status, answer) = try await Self.send(endpoint, sealer, open("never-issued"))
        #expect(status == 427)
        #expect(answer?.objectValue?["error_msg"]?.stringValue == FlowEndpoint.expiredMessage)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT"}"#).0 == 427)
        // Pings and error notices need no token.
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"ping"}"#).0 == 200)
        let now = clock.nowMillis
        try await endpoint.host.store.write { db in
            try db.execute("INSERT INTO metaflow_tokens (flow_token, flow, created_at) VALUES ($1, 'survey', $2)", "issued", now)
            try db.execute("INSERT INTO metaflow_tokens (flow_token, flow, created_at) VALUES ($1, 'survey', $2)", "old", now - 2 * 3_600_000)
        }
        (status, answer) = try await Self.send(endpoint, sealer, open("issued"))
        #expect(status == 200)
        #expect(try await Self.send(endpoint, sealer, open("old")).0 == 427)
        clock.advance(by: 2 * 3600)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"BACK","screen":"SURVEY_Q2","flow_token":"issued"}"#).0 == 427)
        #expect(try await endpoint.responses().map(\.token) == ["issued"])
        await endpoint.stop()
    }

    /// Without strict_tokens, unknown tokens are welcome (Chatwoot broadcasts), but token_ttl
    /// still ends a token first seen too long ago.
    @Test(arguments: EndpointHost.backends)
    func ttlWithoutStrictCountsFromFirstSeen(backend: String) async throws {
        let clock = ManualClock()
        let (endpoint, sealer) = try await Self.start(backend, extra: ["token_ttl": .string("30m")], clock: clock)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT","flow_token":"fresh"}"#).0 == 200)
        clock.advance(by: 20 * 60)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q1","data":{"q1_rating":"1"},"flow_token":"fresh"}"#).0 == 200)
        clock.advance(by: 20 * 60)
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q2","data":{"q2":"x"},"flow_token":"fresh"}"#).0 == 427)
        #expect(try await endpoint.responses().first?.answers == .object(["q1_rating": .string("1")]))
        await endpoint.stop()
    }

    /// A new record is tracked for phone resolution: evidence already known fills its phone at
    /// once; evidence learned later arrives as `phone.resolved`.
    @Test(arguments: EndpointHost.backends)
    func phonesFollowTheFlowToken(backend: String) async throws {
        let (endpoint, sealer) = try await Self.start(backend)
        let host = endpoint.host
        let phones = host.phones
        let known = try phones.normalize("+212610059159", region: nil)
        try await host.store.write { db in try phones.learn(key: .flowToken("known"), phone: known, source: "test.sent", in: db) }
        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"INIT","flow_token":"known"}"#).0 == 200)
        var rows = try await endpoint.responses()
        #expect(rows.first?.phone == "+212610059159")
        #expect(rows.first?.phoneSource == "test.sent")

        #expect(try await Self.send(endpoint, sealer, #"{"version":"3.0","action":"data_exchange","screen":"SURVEY_Q1","data":{"q1_rating":"2"},"flow_token":"later"}"#).0 == 200)
        rows = try await endpoint.responses()
        #expect(rows.last?.phone == nil)
        let subject = "metaflow/response/\(rows.last?.id ?? 0)"
        #expect(try await phones.resolution(subject: subject)?.status == .pending)
        let later = try phones.normalize("+212600000002", region: nil)
        try await host.store.write { db in try phones.learn(key: .flowToken("later"), phone: later, source: "test.nfm", in: db) }
        try await host.runDueJobs()
        rows = try await endpoint.responses()
        #expect(rows.last?.phone == "+212600000002")
        #expect(rows.last?.phoneSource == "test.nfm")
        await endpoint.stop()
    }
}
