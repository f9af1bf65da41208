import Foundation
import class Kernel.KernelServer
import class Kernel.CurlHTTPClient
import enum Kernel.ConfigLoader
import PluginAPI
import Synchronization
import PluginTesting
@testable import MetaFlow

/// A kernel with MetaFlow sending through the real outbound client (libcurl) to a `FakeGraph`
/// on loopback; jobs run only when the test calls `runDueJobs` (manual clock).
struct SendHost {
    static let adminToken = "test-admin-token-0123456789abcdef"
    static let accessToken = "EAAG-test-access-token-secret"
    static var admin: HTTPHeaders { ["Authorization": "Bearer \(adminToken)"] }

    let kernel: KernelServer
    let graph: FakeGraph
    let clock: ManualClock
    let http: CurlHTTPClient
    let url: String

    /// `sendWait` is generous by default: on a loaded CI machine the send job can take seconds
    /// to run, and the tests of the `sent` answer must not turn into `queued` for it.
    static func start(template: Bool = true, backend: String = "sqlite", webhook: Bool = false,
                      sendWait: String = "60s") async throws -> SendHost {
        let graph = try FakeGraph()
        var survey: [String: JSONValue] = [
            "flow_id": .string("1234567890123456"),
            "first_screen": .string("SURVEY_Q1"),
            "screens": .object(["SURVEY_Q1": .object([:])]),
            "cta": .string("Responder"),
            "body": .string("Conte como foi o seu atendimento."),
        ]
        if template { survey["template"] = .object(["name": .string("csat_survey_flow"), "language": .string("pt_BR")]) }
        var members: [String: JSONValue] = [
            "app_secret": .string(SurveyConfig.appSecret),
            "private_key_path": .string(try Fixtures.keyPath("keys/endpoint_private_pkcs8.pem")),
            "flows": .object(["survey": .object(survey)]),
            "access_token": .string(accessToken),
            "phone_number_id": .string("106540352242922"),
            "graph_base_url": .string(graph.baseURL),
            "send_wait": .string(sendWait),
        ]
        if webhook { members["verify_token"] = .string("verify-me-0123456789") }
        let metaflow: JSONValue = .object(members)
        let text = try SurveyConfig.file(metaflow, top: ["admin": .object(["token": .string(adminToken)])])
        var config = try ConfigLoader.parse(Array(text.utf8), environment: [:], knownPlugins: [MetaFlowPlugin.id])
        config.log.level = .error
        let clock = ManualClock()
        let http = CurlHTTPClient()
        let kernel = try KernelServer(config: config, plugins: [MetaFlowPlugin.self], clock: clock, http: http)
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        try await kernel.openForTesting(storageURL: url)
        return SendHost(kernel: kernel, graph: graph, clock: clock, http: http, url: url)
    }

    func stop() async {
        await kernel.closeForTesting()
        http.close()
        graph.stop()
        TestDatabase.remove(url)
    }

    func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = SendHost.admin, body: String = "") async -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return await kernel.respond(to: Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
                                                headers: headers, body: Array(body.utf8), remoteAddress: "127.0.0.1"))
    }

    /// Runs due jobs (the manual clock does not move) until `task` finishes: for routes that
    /// wait on a job, like `/metaflow/send`'s 5 s wait for the Graph call.
    func runJobs<T: Sendable>(until task: Task<T, Never>) async throws -> T {
        let finished = Atomic(false)
        let waiter = Task { let value = await task.value; finished.store(true, ordering: .sequentiallyConsistent); return value }
        while !finished.load(ordering: .sequentiallyConsistent) {
            try await kernel.runDueJobs()
            try await Task.sleep(for: .milliseconds(20))
        }
        return await waiter.value
    }

    func json(_ response: Response) throws -> [String: JSONValue] {
        guard let object = try JSONText.decode(JSONValue.self, from: response.body).objectValue else { throw TestFailure("not a JSON object") }
        return object
    }

    func query(_ sql: String, _ parameters: [SQLValue] = []) async throws -> [Row] { try await kernel.store.query(sql, parameters) }

    /// `metaflow_tokens` by send status.
    func statusCounts() async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for row in try await query("SELECT send_status, COUNT(*) AS n FROM metaflow_tokens GROUP BY send_status") {
            counts[try row.string("send_status")] = try row.int("n")
        }
        return counts
    }
}
