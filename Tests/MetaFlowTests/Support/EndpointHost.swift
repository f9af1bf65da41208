import Foundation
import PluginAPI
import PluginTesting
@testable import MetaFlow

/// PluginTestHost with MetaFlow enabled, on a fresh database of `backend` (deleted by `stop`).
struct EndpointHost {
    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }

    let host: PluginTestHost
    let url: String

    static func start(_ config: String, backend: String = "sqlite", clock: ManualClock = ManualClock()) async throws -> EndpointHost {
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        let host = try PluginTestHost(plugins: [MetaFlowPlugin.self], config: config, clock: clock, storageURL: url)
        try await host.start()
        return EndpointHost(host: host, url: url)
    }

    func stop() async {
        await host.stop()
        TestDatabase.remove(url)
    }

    /// Posts to the endpoint of the default flow (or `path`).
    func post(_ request: (body: [UInt8], headers: HTTPHeaders), path: String = "/metaflow/endpoint") async -> Response {
        await host.request(.post, path, headers: request.headers, body: request.body)
    }

    /// The response rows, oldest first.
    func responses() async throws -> [ResponseRow] {
        try await host.query("SELECT * FROM metaflow_responses ORDER BY id").map(ResponseRow.init)
    }
}

/// One `metaflow_responses` row.
struct ResponseRow {
    var id: Int64
    var flow: String
    var token: String
    var status: String
    var answers: JSONValue
    var phone: String?
    var phoneSource: String?
    var completedAt: Int64?

    init(_ row: Row) throws {
        id = try row.int("id")
        flow = try row.string("flow")
        token = try row.string("flow_token")
        status = try row.string("status")
        answers = try JSONText.decode(JSONValue.self, from: Array(try row.string("answers").utf8))
        phone = try row.optionalString("phone")
        phoneSource = try row.optionalString("phone_source")
        completedAt = try row.optionalInt("completed_at")
    }
}
