import Foundation
import PluginAPI
import PluginTesting
import TestPlugins
@testable import Kernel

/// A plugin test host with `PhoneKitPlugin`'s strategies, on a fresh database of `backend`.
enum PhoneTestSupport {
    static func host(_ backend: String, strategies: [String] = [], phone: String = "{}", slowTimeoutMS: Int = 100) async throws -> PluginTestHost {
        let list = strategies.map { "\"\($0)\"" }.joined(separator: ", ")
        let config = """
        {"phone": \(phone),
         "plugins": {"phonekit": {"enabled": true, "config": {"strategies": [\(list)], "slow_timeout_ms": \(slowTimeoutMS)}}}}
        """
        let host = try PluginTestHost(plugins: [PhoneKitPlugin.self], config: config, storageURL: try await TestStorage.freshURL(for: backend))
        try await host.start()
        return host
    }

    static func number(_ host: PluginTestHost, _ text: String) throws -> PhoneNumber {
        try host.phones.normalize(text, region: nil)
    }

    /// Learns in a transaction of its own.
    @discardableResult
    static func learn(_ host: PluginTestHost, _ key: PhoneKey, _ phone: String, source: String = "test.webhook",
                      kind: PhoneSourceKind = .observed) async throws -> PhoneLearnResult {
        let number = try Self.number(host, phone)
        let phones = host.phones
        return try await host.store.write { db in try phones.learn(key: key, phone: number, source: source, kind: kind, note: nil, in: db) }
    }

    static func link(_ host: PluginTestHost, _ a: PhoneKey, _ b: PhoneKey) async throws {
        let phones = host.phones
        try await host.store.write { db in try phones.link(a, b, in: db) }
    }

    /// `strategy:outcome` of each attempt of the subject, in order.
    static func attempts(_ host: PluginTestHost, _ subject: String) async throws -> [String] {
        try await host.query("""
            SELECT a.strategy, a.outcome FROM switchboard_phone_attempts a JOIN switchboard_phone_subjects s ON s.id = a.subject_id
            WHERE s.subject = $1 ORDER BY a.id
            """, [.text(subject)]).map { "\(try $0.string("strategy")):\(try $0.string("outcome"))" }
    }

    /// The names of the `phone.*` events the owning plugin received (after running due jobs).
    static func events(_ host: PluginTestHost) async throws -> [(name: String, payload: String)] {
        try await host.runDueJobs()
        return try await host.query("SELECT name, payload FROM phonekit_events ORDER BY id").map { (try $0.string("name"), try $0.string("payload")) }
    }

    static func disagreements(_ host: PluginTestHost) async throws -> [String] {
        try await host.query("SELECT kind, kept_phone, other_phone FROM switchboard_phone_disagreements ORDER BY id").map {
            "\(try $0.string("kind")) kept \(try $0.string("kept_phone")) other \(try $0.string("other_phone"))"
        }
    }
}
