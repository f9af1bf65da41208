import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Kernel

/// A third-party-style plugin describing its routes through the registrar.
struct DescribedPlugin: Plugin {
    static let id = "described"
    /// Which mistake to make, if any: `undeclared` describes a route it never declares,
    /// `badParameter` names a path parameter its pattern does not have.
    struct Config: Decodable { var mistake: String? }
    let mistake: String?

    init(context: any PluginContext) throws { mistake = try context.config(Config.self).mistake }

    func register(_ registrar: any Registrar) throws {
        let thing = JSONSchema.object(["id": .integer(minimum: 1), "name": .string(), "note": .string().nullable()])
        registrar.route(.get, "/things/:id", doc: RouteDoc(
            summary: "One thing", security: .admin, parameters: [.path("id", .integer(minimum: 1))],
            responses: [.json(200, "the thing", thing), .error(404, "no such thing")])) { _ in .json(bytes: Array("{}".utf8)) }
        registrar.route(.post, "/ping") { _ in .json(bytes: Array("{}".utf8)) }
        registrar.describe(.post, "/ping", RouteDoc(summary: "Ping", security: .none, responses: [.json(200, "pong", .object([:]))]))
        switch mistake {
        case "undeclared":
            registrar.describe(.get, "/missing", RouteDoc(summary: "Nothing", security: .admin, responses: [.error(404, "never")]))
        case "badParameter":
            registrar.route(.get, "/other/:id") { _ in .json(bytes: Array("{}".utf8)) }
            registrar.describe(.get, "/other/:id", RouteDoc(summary: "Other", security: .admin, parameters: [.path("thing", .string())],
                                                             responses: [.error(404, "never")]))
        default:
            break
        }
    }
}

@Suite struct OpenAPIDocumentTests {
    /// Paths are the router's patterns in `{param}` syntax, every operation has answers, a
    /// unique id and its path parameters; admin operations name the bearer scheme and list 401.
    @Test func theDocumentMatchesTheRouter() async throws {
        let host = try await AllPlugins.host()
        let document = try await AllPlugins.document(host)
        #expect(document["openapi"] as? String == "3.1.0")
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        let scheme = schemes?[OpenAPIDocument.adminScheme] as? [String: Any]
        #expect(scheme?["type"] as? String == "http")
        #expect(scheme?["scheme"] as? String == "bearer")
        let registered = Set(host.kernel.routeTable.map { "\($0.method) \(RouteDocCheck.templated($0.pattern))" })
        let operations = AllPlugins.operations(document)
        #expect(operations.count >= 20)
        var ids: Set<String> = []
        for (key, operation) in operations {
            #expect(registered.contains(key), "\(key) is described but not routed")
            #expect(ids.insert(operation["operationId"] as? String ?? "").inserted, "\(key): operationId missing or repeated")
            let responses = operation["responses"] as? [String: Any] ?? [:]
            #expect(!responses.isEmpty, "\(key) lists no responses")
            for (status, answer) in responses {
                #expect(status.count == 3, "\(key): status \(status)")
                #expect((answer as? [String: Any])?["description"] is String, "\(key) \(status): no description")
            }
            let path = String(key.split(separator: " ")[1])
            let templated = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
            let parameters = operation["parameters"] as? [[String: Any]] ?? []
            for name in templated {
                let parameter = parameters.first { $0["name"] as? String == name && $0["in"] as? String == "path" }
                #expect(parameter?["required"] as? Bool == true, "\(key): path parameter \(name) missing or optional")
            }
            if AllPlugins.isAdmin(operation) { #expect(responses["401"] != nil, "\(key): admin without 401") }
        }
        // What issue 8 names, present with the plugins enabled.
        for key in ["GET /api/admin/inbox", "POST /api/admin/jobs/{id}/retry", "GET /api/admin/phones/report", "POST /metaflow/send",
                    "POST /metaflow/send/bulk", "GET /metaflow/responses", "GET /metaflow/responses.csv", "GET /openapi.json",
                    "GET /cloudtalk/calls", "POST /cloudtalk/calls/{call}/follow-up", "GET /integrity", "GET /integrity/stream",
                    "GET /integrity/review", "POST /integrity/review/assign", "POST /chatwoot/labels/sync"] {
            #expect(operations[key].map(AllPlugins.isAdmin) == true, "\(key) missing or not admin")
        }
        await host.stop()
    }

    /// A disabled plugin registers nothing, so its routes are not in the document; a
    /// third-party plugin's descriptions are, under its mount point and tag.
    @Test func onlyEnabledPluginsAreDescribed() async throws {
        let config = #"{"admin": {"token": "\#(AllPlugins.adminToken)"}, "plugins": {"described": {"enabled": true, "config": {}}}}"#
        let host = try PluginTestHost(plugins: AllPlugins.builtIn + [DescribedPlugin.self], config: config)
        try await host.start()
        let operations = AllPlugins.operations(try await AllPlugins.document(host))
        #expect(!operations.keys.contains { $0.contains("/metaflow/") || $0.contains("/chatwoot/") })
        #expect(operations["GET /api/admin/inbox"] != nil)
        let thing = try #require(operations["GET /described/things/{id}"])
        #expect(AllPlugins.isAdmin(thing))
        #expect(thing["tags"] as? [String] == ["described"])
        let parameter = (thing["parameters"] as? [[String: Any]])?.first
        #expect((parameter?["schema"] as? [String: Any])?["type"] as? String == "integer")
        let ping = try #require(operations["POST /described/ping"])
        #expect((ping["security"] as? [Any])?.isEmpty == true)
        await host.stop()
    }

    @Test(arguments: [("undeclared", "no such route"), ("badParameter", "path parameter thing")])
    func aWrongDescriptionStopsTheBoot(mistake: String, expected: String) throws {
        let config = #"{"plugins": {"described": {"enabled": true, "config": {"mistake": "\#(mistake)"}}}}"#
        do {
            _ = try PluginTestHost(plugins: [DescribedPlugin.self], config: config)
            Issue.record("booted with a wrong description (\(mistake))")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
            #expect("\(error)".contains("plugin described"), "\(error)")
        }
    }

    /// Nullable types become a `"null"` type member (and enum member); objects require every
    /// listed property and forbid others unless told.
    @Test func schemasRenderAsJSONSchema2020() {
        #expect(JSONSchema.string(enum: ["a", "b"]).nullable().rendered.jsonText()
                == #"{"type":["string","null"],"enum":["a","b",null]}"#)
        #expect(JSONSchema.object(["id": .integer(minimum: 1), "note": .string().nullable()]).rendered.jsonText()
                == #"{"type":"object","properties":{"id":{"type":"integer","format":"int64","minimum":1},"note":{"type":["string","null"]}},"required":["id","note"],"additionalProperties":false}"#)
        #expect(JSONSchema.object(["a": .boolean], required: [], additional: .allowed).rendered.jsonText()
                == #"{"type":"object","properties":{"a":{"type":"boolean"}}}"#)
        #expect(JSONSchema.map(of: .integer(format: nil)).rendered.jsonText() == #"{"type":"object","additionalProperties":{"type":"integer"}}"#)
        #expect(JSONSchema.oneOf([.string(), .integer(format: nil)]).nullable().rendered.jsonText()
                == #"{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}"#)
        #expect(RouteDocCheck.templated("/api/admin/inbox/:id/replay") == "/api/admin/inbox/{id}/replay")
    }
}
