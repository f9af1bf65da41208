import Foundation
import Testing

/// `examples/plugins.*.json` on the real binary: each starts; the enabled plugins' routes
/// answer and every other plugin's route is a 404; a disabled plugin has no tables and no
/// jobs. Then plugin data across deployments: a plugin enabled later gets its tables then, a
/// disabled one keeps its data untouched, and re-enabling it resumes with that data.
@Suite("example deployments", .serialized)
struct DeploymentExampleTests {
    @Test(arguments: DeploymentExamples.names)
    func eachExampleStartsWithExactlyItsPluginsRoutesAndTables(name: String) throws {
        for backend in TestDatabase.Backend.available {
            let database = try TestDatabase.make(backend)
            defer { database.drop() }
            let env = DeploymentExamples.environment(privateKeyPath: try DeploymentExamples.privateKey(),
                                                     databaseURL: database.storageURL)
            let dir = try DeploymentExamples.configDirectory(name, storageURL: database.storageURL)
            let server = try BinaryRunner.start(["serve"], environment: env, directory: dir)
            defer {
                kill(server.process.processIdentifier, SIGTERM)
                server.process.waitUntilExit()
                _ = server.finish()
            }
            let port = try server.waitForPort(timeout: 20)
            let client = KeepAliveClient(port: port)
            try waitUntilReady(client, server: server)
            let enabled = DeploymentExamples.enabled[name] ?? []

            for plugin in DeploymentExamples.allPlugins {
                for (method, path) in DeploymentExamples.routes[plugin] ?? [] {
                    let answer = try #require(client.request(method, path, headers: [("Content-Type", "application/json")], body: Array("{}".utf8)),
                                              "\(name) \(backend): no answer to \(method) \(path)")
                    if enabled.contains(plugin) {
                        #expect(answer.status != 404, "\(name) \(backend): \(method) \(path) should exist: \(answer.status) \(answer.body)")
                        #expect(answer.status < 500, "\(name) \(backend): \(method) \(path): \(answer.status) \(answer.body)")
                    } else {
                        #expect(answer.status == 404, "\(name) \(backend): \(method) \(path) should be 404, got \(answer.status)")
                    }
                }
                let tables = try tableNames(database, prefix: plugin)
                if !enabled.contains(plugin) {
                    #expect(tables.isEmpty, "\(name) \(backend): disabled \(plugin) has tables \(tables)")
                } else if DeploymentExamples.withTables.contains(plugin) {
                    #expect(!tables.isEmpty, "\(name) \(backend): enabled \(plugin) has no tables")
                }
                let migrations = try database.query("SELECT count(*) FROM switchboard_migrations WHERE owner = '\(plugin)'")
                if !enabled.contains(plugin) { #expect(migrations.first?.first == "0", "\(name): \(plugin) migrations recorded") }
                let jobs = try database.query("SELECT count(*) FROM switchboard_jobs WHERE name LIKE '\(plugin).%'")
                if !enabled.contains(plugin) { #expect(jobs.first?.first == "0", "\(name): \(plugin) has jobs") }
            }
        }
    }

    @Test func pluginDataSurvivesDisablingAndResumesWhenReEnabled() throws {
        for backend in TestDatabase.Backend.available {
            let database = try TestDatabase.make(backend)
            defer { database.drop() }
            let env = DeploymentExamples.environment(privateKeyPath: try DeploymentExamples.privateKey(),
                                                     databaseURL: database.storageURL)
            // 1. Flows only: MetaFlow's tables appear; a response row is written.
            try serving("flows-only", database: database, env: env) { _ in
                let metaflow = try tableNames(database, prefix: "metaflow")
                let cloudtalk = try tableNames(database, prefix: "cloudtalk")
                #expect(!metaflow.isEmpty)
                #expect(cloudtalk.isEmpty)
            }
            try database.execute("""
                INSERT INTO metaflow_responses (flow_token, flow, status, answers, created_at, updated_at)
                VALUES ('kept-token', 'survey', 'completed', '{"q":"kept"}', 1, 1)
                """)
            let metaflowMigrations = try database.query("SELECT version, checksum FROM switchboard_migrations WHERE owner = 'metaflow' ORDER BY version")

            // 2. CloudTalk only: CloudTalk's tables are created now; MetaFlow's stay, untouched.
            try serving("cloudtalk-only", database: database, env: env) { client in
                let cloudtalk = try tableNames(database, prefix: "cloudtalk")
                #expect(!cloudtalk.isEmpty)
                #expect(client.request("GET", "/metaflow/responses")?.status == 404)
            }
            #expect(try database.query("SELECT answers FROM metaflow_responses WHERE flow_token = 'kept-token'") == [[#"{"q":"kept"}"#]])
            #expect(try database.query("SELECT version, checksum FROM switchboard_migrations WHERE owner = 'metaflow' ORDER BY version")
                    == metaflowMigrations)

            // 3. Flows again: nothing is migrated twice and the old row is served.
            try serving("flows-only", database: database, env: env) { client in
                let answer = client.request("GET", "/metaflow/responses?flow=survey",
                                            headers: [("Authorization", "Bearer \(env["SWITCHBOARD_ADMIN_TOKEN"] ?? "")")])
                #expect(answer?.status == 200)
                #expect(answer?.body.contains("kept-token") == true, "\(answer?.body ?? "no answer")")
            }
            #expect(try database.query("SELECT version, checksum FROM switchboard_migrations WHERE owner = 'metaflow' ORDER BY version")
                    == metaflowMigrations)
        }
    }

    // MARK: - helpers

    /// Starts the example on `database`, runs `body` once it is ready, stops it with SIGTERM.
    private func serving(_ name: String, database: TestDatabase, env: [String: String], _ body: (KeepAliveClient) throws -> Void) throws {
        let dir = try DeploymentExamples.configDirectory(name, storageURL: database.storageURL)
        let server = try BinaryRunner.start(["serve"], environment: env, directory: dir)
        defer {
            kill(server.process.processIdentifier, SIGTERM)
            server.process.waitUntilExit()
            _ = server.finish()
        }
        let client = KeepAliveClient(port: try server.waitForPort(timeout: 20))
        try waitUntilReady(client, server: server)
        try body(client)
    }

    private func waitUntilReady(_ client: KeepAliveClient, server: BinaryRunner.Running) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if client.request("GET", "/readyz")?.status == 200 { return }
            usleep(20_000)
        }
        throw BinaryRunner.Failure(description: "not ready: \(server.stderrTail())")
    }

    private func tableNames(_ database: TestDatabase, prefix: String) throws -> [String] {
        let sql = database.backend == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\(prefix)\\_%' ESCAPE '\\' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE '\(prefix)\\_%' ORDER BY 1"
        return try database.query(sql).compactMap(\.first)
    }
}
