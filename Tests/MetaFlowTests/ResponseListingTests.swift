import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import MetaFlow

/// `GET /metaflow/responses` and `/metaflow/responses.csv`: filters, paging, the admin token,
/// and a CSV a spreadsheet opens right.
@Suite("metaflow responses listing", .serialized)
struct ResponseListingTests {
    static let token = "admin-token-for-tests-0123456789"
    static let auth: HTTPHeaders = ["Authorization": "Bearer \(token)"]

    static func start(_ backend: String) async throws -> EndpointHost {
        let file = try SurveyConfig.file(.object([:]), top: ["admin": .object(["token": .string(token)])])
        let endpoint = try await EndpointHost.start(file, backend: backend)
        let phones = endpoint.host.phones
        let phone = try phones.normalize("+212610059159", region: nil)
        try await endpoint.host.store.write { db in
            for (i, flow) in ["survey", "survey", "feedback"].enumerated() {
                let answers: [String: JSONValue] = ["q1_rating": .integer(Int64(i + 3)), "q3_channels": .array([.string("whatsapp"), .string("phone")]),
                                                    "q4_comment": .string(i == 1 ? "=HYPERLINK(\"x\")" : "Atendimento rápido, obrigado! 🙏, \"top\"")]
                _ = try ResponseStore.upsert(flow: flow, token: "ft_\(i)", change: i == 2 ? .merge(answers) : .complete(answers),
                                             now: 1_790_000_000_000 + Int64(i), phones: phones, events: NoEvents(),
                                             log: NoLog(), in: db)
            }
            try phones.learn(key: .flowToken("ft_0"), phone: phone, source: "metaflow.nfm_reply", in: db)
        }
        try await endpoint.host.runDueJobs()
        return endpoint
    }

    static func json(_ endpoint: EndpointHost, _ target: String) async throws -> [String: Any] {
        let response = await endpoint.host.request(.get, target, headers: auth)
        #expect(response.status == 200, "\(target): \(String(decoding: response.body, as: UTF8.self))")
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    @Test(arguments: EndpointHost.backends)
    func filtersAndPages(backend: String) async throws {
        let endpoint = try await Self.start(backend)
        let all = try await Self.json(endpoint, "/metaflow/responses")["responses"] as? [[String: Any]] ?? []
        #expect(all.count == 3)
        let first = all.first ?? [:]
        #expect(first["flow_token"] as? String == "ft_0")
        #expect(first["phone_number"] as? String == "+212610059159")
        #expect(first["phone_source"] as? String == "metaflow.nfm_reply")
        #expect((first["answers"] as? [String: Any])?["q1_rating"] as? Int == 3)
        #expect((first["created_at"] as? String)?.hasPrefix("2026-") == true)
        #expect(try await Self.json(endpoint, "/metaflow/responses?flow=feedback")["responses"].map { ($0 as? [Any])?.count } == 1)
        #expect(try await Self.json(endpoint, "/metaflow/responses?status=completed")["responses"].map { ($0 as? [Any])?.count } == 2)
        #expect(try await Self.json(endpoint, "/metaflow/responses?has_phone=true")["responses"].map { ($0 as? [Any])?.count } == 1)
        #expect(try await Self.json(endpoint, "/metaflow/responses?since=2026-01-01T00:00:00Z")["responses"].map { ($0 as? [Any])?.count } == 3)
        // Paging: two, then the rest from `next`.
        let page = try await Self.json(endpoint, "/metaflow/responses?limit=2")
        #expect((page["responses"] as? [Any])?.count == 2)
        let next = page["next"] as? Int
        let rest = try await Self.json(endpoint, "/metaflow/responses?limit=2&after=\(next ?? 0)")
        #expect((rest["responses"] as? [[String: Any]])?.map { $0["flow_token"] as? String } == ["ft_2"])
        #expect(rest["next"] is NSNull)
        await endpoint.stop()
    }

    @Test func csvOpensRightInASpreadsheet() async throws {
        let endpoint = try await Self.start("sqlite")
        let response = await endpoint.host.request(.get, "/metaflow/responses.csv", headers: Self.auth)
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(Array(response.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: response.body.dropFirst(3), as: UTF8.self)
        let lines = text.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "id,flow,flow_token,phone_number,phone_source,status,created_at,completed_at,q1_rating,q3_channels,q4_comment")
        #expect(lines.count == 4)
        #expect(lines[1].contains("+212610059159,metaflow.nfm_reply,completed"))
        #expect(lines[1].hasSuffix(",3,whatsapp; phone,\"Atendimento rápido, obrigado! 🙏, \"\"top\"\"\""))
        // A formula typed into the Flow stays text.
        #expect(lines[2].contains(",\"'=HYPERLINK(\"\"x\"\")\""))
        await endpoint.stop()
    }

    @Test func theAdminTokenIsRequiredAndBadFiltersAreRefused() async throws {
        let endpoint = try await Self.start("sqlite")
        for target in ["/metaflow/responses", "/metaflow/responses.csv"] {
            #expect(await endpoint.host.request(.get, target).status == 401)
            #expect(await endpoint.host.request(.get, target, headers: ["Authorization": "Bearer wrong"]).status == 401)
        }
        for query in ["status=open", "has_phone=yes", "limit=0", "limit=5000", "since=yesterday", "colour=red", "after=-1",
                      "since=2026-02-30T10:00:00Z"] {
            let response = await endpoint.host.request(.get, "/metaflow/responses?" + query, headers: Self.auth)
            #expect(response.status == 400, "\(query)")
        }
        // RFC 3339 as the admin API reads it: lower-case separators, offsets and fractions too.
        for since in ["2026-11-22t10:00:00z", "2026-11-22T11:00:00.5%2B01:00", "30m"] {
            #expect(await endpoint.host.request(.get, "/metaflow/responses?since=" + since, headers: Self.auth).status == 200, "\(since)")
        }
        await endpoint.stop()
    }
}

/// A logger that drops everything (ResponseStore wants one).
/// Drops events: these rows are arranged directly, and no subscriber listens.
struct NoEvents: EventBus {
    func publish(_ name: String, payload: String, in connection: any SQLConnection) throws {}
}

struct NoLog: PluginAPI.Logger {
    func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {}
    func isEnabled(_ level: LogLevel) -> Bool { false }
}
