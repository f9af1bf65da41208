import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Kernel

/// A plugin with one admin panel over its own routes.
struct PanelPlugin: Plugin {
    static let id = "panelkit"
    init(context: any PluginContext) throws {}
    func register(_ registrar: any Registrar) throws {
        registrar.route(.get, "/things") { _ in .text("{}") }
        registrar.route(.post, "/things/:thing_id/poke") { _ in .text("{}") }
        registrar.adminPanel(AdminPanel(id: "things", title: "Things", source: "/things", rowsKey: "things",
                                        columns: [.init("thing_id", title: "Thing"), .init("phone", title: "Phone", format: .phone),
                                                  .init("seen_at", title: "Seen", format: .time)],
                                        actions: [.init("Poke", path: "/things/:thing_id/poke", confirm: "Poke it?")]))
    }
}

/// A panel whose source and action are not routes of the plugin.
struct DanglingPanelPlugin: Plugin {
    static let id = "dangling"
    init(context: any PluginContext) throws {}
    func register(_ registrar: any Registrar) throws {
        registrar.route(.get, "/rows") { _ in .text("{}") }
        registrar.adminPanel(AdminPanel(id: "rows", title: "Rows", source: "/missing", rowsKey: "rows",
                                        columns: [.init("id", title: "Id")], actions: [.init("Go", path: "/rows/:id/go")]))
    }
}

@Suite("admin panels")
struct AdminPanelTests {
    static let token = "panel-admin-token-0123456789"

    @Test func panelsAreListedWithMountedPathsBehindTheAdminToken() async throws {
        let host = try PluginTestHost(plugins: [PanelPlugin.self],
                                      config: #"{"admin": {"token": "\#(Self.token)"}, "plugins": {"panelkit": {"enabled": true}}}"#)
        #expect(await host.request(.get, "/api/admin/panels").status == 401)
        let answer = await host.request(.get, "/api/admin/panels", headers: ["Authorization": "Bearer \(Self.token)"])
        #expect(answer.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let panels = try #require(object["panels"] as? [[String: Any]])
        #expect(panels.count == 1)
        let panel = try #require(panels.first)
        #expect(panel["id"] as? String == "panelkit.things")
        #expect(panel["plugin"] as? String == "panelkit")
        #expect(panel["source"] as? String == "/panelkit/things")
        #expect(panel["rows_key"] as? String == "things")
        let columns = try #require(panel["columns"] as? [[String: Any]])
        #expect(columns.map { $0["format"] as? String } == ["text", "phone", "time"])
        let actions = try #require(panel["actions"] as? [[String: Any]])
        #expect(actions.first?["path"] as? String == "/panelkit/things/:thing_id/poke")
        #expect(actions.first?["confirm"] as? String == "Poke it?")
    }

    @Test func aDisabledPluginHasNoPanel() async throws {
        let host = try PluginTestHost(plugins: [PanelPlugin.self],
                                      config: #"{"admin": {"token": "\#(Self.token)"}, "plugins": {"panelkit": {"enabled": false}}}"#)
        let answer = await host.request(.get, "/api/admin/panels", headers: ["Authorization": "Bearer \(Self.token)"])
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"panels":[]}"#)
    }

    @Test func aPanelOverRoutesThePluginLacksIsABootError() throws {
        #expect {
            _ = try PluginTestHost(plugins: [DanglingPanelPlugin.self], config: #"{"plugins": {"dangling": {"enabled": true}}}"#)
        } throws: { error in
            "\(error)".contains("admin panel dangling.rows: source GET /missing is not a route of the plugin")
        }
    }
}
