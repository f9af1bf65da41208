import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Kernel

/// A plugin with a real config, to show strict decoding through the kernel.
struct ConfiguredPlugin: Plugin {
    static let id = "configured"

    struct Config: Decodable {
        var greeting: String
        var retries: Int
        var window: ConfigDuration?
        var targets: [Target]

        struct Target: Decodable {
            var name: String
            var weight: Int?
        }
    }

    let config: Config

    init(context: any PluginContext) throws {
        config = try context.config(Config.self)
        guard config.retries >= 0 else { throw ConfigError(path: "plugins.configured.config.retries", "must not be negative") }
    }

    func register(_ registrar: any Registrar) throws {
        let greeting = config.greeting
        registrar.route(.get, "/greet/:name") { request in .text("\(greeting), \(request.parameters["name"] ?? "")") }
    }
}

/// Registers the same route twice: a boot error naming both.
struct ClashingPlugin: Plugin {
    static let id = "clashing"
    init(context: any PluginContext) throws {}
    func register(_ registrar: any Registrar) throws {
        registrar.route(.get, "/things/:id") { _ in .text("a") }
        registrar.route(.get, "/things/:name") { _ in .text("b") }
    }
}

struct ReservedPlugin: Plugin {
    static let id = "metrics"
    init(context: any PluginContext) throws {}
    func register(_ registrar: any Registrar) throws {}
}

@Suite("plugin boot")
struct PluginBootTests {
    static func config(_ pluginConfig: String, enabled: Bool = true) -> String {
        #"{"plugins": {"configured": {"enabled": \#(enabled), "config": \#(pluginConfig)}}}"#
    }

    @Test func validConfigIsDecodedAndRoutesWork() async throws {
        let host = try PluginTestHost(plugins: [ConfiguredPlugin.self],
                                      config: Self.config(#"{"greeting": "hi", "retries": 2, "window": "30s", "targets": [{"name": "a"}]}"#))
        let response = await host.request(.get, "/configured/greet/sam")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hi, sam")
        #expect(await host.request(.get, "/configured/greet").status == 404)
        #expect(await host.request(.post, "/configured/greet/sam").status == 405)
        let head = await host.request(.head, "/configured/greet/sam")
        #expect(head.status == 200 && head.body.isEmpty)
    }

    @Test(arguments: [
        (#"{"greeting": "hi", "retries": 2, "targets": [], "colour": 1}"#, "plugins.configured.config.colour: unknown key"),
        (#"{"greeting": "hi", "targets": []}"#, "plugins.configured.config.retries: missing required key"),
        (#"{"greeting": 5, "retries": 2, "targets": []}"#, "plugins.configured.config.greeting: expected a string, got an integer"),
        (#"{"greeting": "hi", "retries": "2", "targets": []}"#, "plugins.configured.config.retries: expected an integer, got a string"),
        (#"{"greeting": "hi", "retries": 2, "targets": [{"name": "a", "wieght": 1}]}"#, "plugins.configured.config.targets[0].wieght: unknown key"),
        (#"{"greeting": "hi", "retries": 2, "targets": [], "window": "soon"}"#, "plugins.configured.config.window: expected a duration like 500ms, 30s, 2m, 24h or 7d, got \"soon\""),
        (#"{"greeting": "hi", "retries": -1, "targets": []}"#, "plugins.configured.config.retries: must not be negative"),
    ])
    func strictConfigErrorsNameThePath(pluginConfig: String, message: String) throws {
        #expect {
            _ = try PluginTestHost(plugins: [ConfiguredPlugin.self], config: Self.config(pluginConfig))
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func aDisabledPluginIsNotDecodedAndRegistersNothing() async throws {
        let host = try PluginTestHost(plugins: [ConfiguredPlugin.self], config: Self.config(#"{"nonsense": true}"#, enabled: false))
        #expect(await host.request(.get, "/configured/greet/sam").status == 404)
        #expect(host.kernel.pluginIDs.isEmpty)
    }

    @Test func routeClashIsABootErrorNamingBoth() throws {
        #expect {
            _ = try PluginTestHost(plugins: [ClashingPlugin.self], config: #"{"plugins": {"clashing": {"enabled": true}}}"#)
        } throws: { error in
            let text = "\(error)"
            return text.contains("route clash") && text.contains("/clashing/things/:id") && text.contains("/clashing/things/:name")
                && text.contains("plugin clashing")
        }
    }

    @Test func reservedAndDuplicateIDsAreRejected() throws {
        #expect(throws: BootError.self) {
            _ = try PluginTestHost(plugins: [ReservedPlugin.self], config: "{}")
        }
        #expect {
            try KernelBuilder.validate(pluginTypes: [ConfiguredPlugin.self, ConfiguredPlugin.self])
        } throws: { "\($0)".contains("share the id \"configured\"") }
    }

    @Test func unknownPluginInConfigIsAnError() throws {
        #expect {
            _ = try PluginTestHost(plugins: [ConfiguredPlugin.self], config: #"{"plugins": {"confgured": {"enabled": true}}}"#)
        } throws: { "\($0)".contains("plugins.confgured: unknown plugin") }
    }

    @Test func secretsFromTheEnvironmentNeverReachTheLog() async throws {
        let pipe = Pipe()
        let fd = pipe.fileHandleForWriting.fileDescriptor
        let secret = "s3cr3t-admin-token-value"
        var config = try ConfigLoader.parse(Array(#"{"admin": {"token": "${ADMIN}"}, "server": {"port": 0}}"#.utf8),
                                            environment: ["ADMIN": secret], knownPlugins: [])
        config.log.level = .debug
        let kernel = try KernelServer(config: config, plugins: [], logFD: fd)
        kernel.log.info("about to leak \(secret)", ["field": "also \(secret)"])
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("about to leak [redacted]"))
        #expect(!text.contains(secret))
    }
}
