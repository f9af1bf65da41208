import Foundation
import TestHTTPServer
import class Kernel.KernelServer
import enum Kernel.ConfigLoader
import PluginAPI
import PluginTesting
import TestPlugins
import Testing
@testable import Chatwoot

/// `chatwoot.conversation_search` inside a real kernel, against the fake Chatwoot, with
/// PhoneKit's `directory` strategy after it; attempts are read from `switchboard_phone_attempts`.
@Suite("chatwoot.conversation_search", .serialized)
struct StrategyTests {
    static let token = "flow-3f9a2c71-5be4-4d2e-9a7e-1c2d3e4f5a6b"

    @Test func hitCostsTwoCallsThenComesFromTheCache() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.directory(token: Self.token, contact: 301, phone: "+212600000001")
        let resolution = try await host.kernel.phones.resolve(key: .flowToken(Self.token), subject: "test/hit")
        #expect(resolution.status == .resolved && resolution.phone?.e164 == "+212600000001")
        #expect(resolution.source == "chatwoot.conversation_search")
        #expect(host.fake.requests.map(\.route) == ["GET /conversations/search", "GET /contacts/301"])
        let hitAttempts = try await host.attempts("test/hit")
        #expect(hitAttempts == ["evidence:miss", "chatwoot.conversation_search:hit"])

        // The strategy's cache: a cold lookup costs two calls, the next one none.
        let strategy = try #require(Self.strategy(host))
        host.fake.clearRequests()
        #expect(try await strategy.phone(forToken: Self.token)?.e164 == "+212600000001")
        #expect(host.fake.requests.count == 2)
        host.fake.clearRequests()
        #expect(try await strategy.phone(forToken: Self.token)?.e164 == "+212600000001")
        #expect(host.fake.requests.isEmpty)
    }

    @Test func missAndContactWithoutPhoneStayPendingAndAreCached() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.directory(token: "flow-nophone-000000000001", contact: 302, phone: nil)
        let miss = try await host.kernel.phones.resolve(key: .flowToken("flow-unknown-000000000001"), subject: "test/miss")
        #expect(miss.status == .pending)
        let missAttempts = try await host.attempts("test/miss")
        #expect(missAttempts == ["evidence:miss", "chatwoot.conversation_search:miss", "phonekit.directory:miss"])
        #expect(host.fake.requests.map(\.route) == ["GET /conversations/search"])

        let noPhone = try await host.kernel.phones.resolve(key: .flowToken("flow-nophone-000000000001"), subject: "test/nophone")
        #expect(noPhone.status == .pending)
        let noPhoneAttempts = try await host.attempts("test/nophone")
        #expect(noPhoneAttempts == ["evidence:miss", "chatwoot.conversation_search:miss", "phonekit.directory:miss"])

        // Misses are cached too: asking again costs nothing.
        let strategy = try #require(Self.strategy(host))
        #expect(try await strategy.phone(forToken: "flow-unknown-000000000001") == nil)
        #expect(try await strategy.phone(forToken: "flow-nophone-000000000001") == nil)
        host.fake.clearRequests()
        #expect(try await strategy.phone(forToken: "flow-unknown-000000000001") == nil)
        #expect(try await strategy.phone(forToken: "flow-nophone-000000000001") == nil)
        #expect(host.fake.requests.isEmpty)
    }

    @Test func chatwootDownOrFailingIsAnErrorTheNextStrategyRunsAndTheSubjectStaysPending() async throws {
        let port = try FakeHTTPServer.unusedPort()
        let host = try await ChatwootHost.start(baseURL: "http://127.0.0.1:\(port)")
        defer { Task { await host.stop() } }
        let down = try await host.kernel.phones.resolve(key: .flowToken("flow-down-00000000000001"), subject: "test/down")
        #expect(down.status == .pending)
        let downAttempts = try await host.attempts("test/down")
        #expect(downAttempts == ["evidence:miss", "chatwoot.conversation_search:error", "phonekit.directory:miss"])

        // The next strategy answers when Chatwoot cannot.
        let other = try await host.kernel.phones.resolve(key: .custom("dir-212600000009"), subject: "test/next")
        #expect(other.status == .resolved && other.source == "phonekit.directory")
    }

    @Test func serverErrorsAreNotCached() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.directory(token: Self.token, contact: 301, phone: "+212600000001")
        host.fake.script("GET /conversations/search", FakeChatwoot.serverError, FakeChatwoot.serverError, FakeChatwoot.notFound)
        let strategy = try #require(Self.strategy(host))
        await #expect(throws: ChatwootError.self) { _ = try await strategy.phone(forToken: Self.token) }
        // Scripted 404 afterwards is an error too (not cached as a miss).
        await #expect(throws: ChatwootError.self) { _ = try await strategy.phone(forToken: Self.token) }
        host.fake.script("GET /conversations/search")
        #expect(try await strategy.phone(forToken: Self.token)?.e164 == "+212600000001")
    }

    @Test func concurrentLookupsOfOneTokenShareTheCalls() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.directory(token: Self.token, contact: 301, phone: "+212600000001")
        let strategy = try #require(Self.strategy(host))
        let phones = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<10 { group.addTask { try await strategy.phone(forToken: Self.token)?.e164 } }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(phones == Array(repeating: "+212600000001", count: 10))
        #expect(host.fake.requests.count == 2)
    }

    @Test func a429PausesCallsToChatwoot() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.script("GET /conversations/search", FakeChatwoot.tooMany)
        let strategy = try #require(Self.strategy(host))
        await #expect(throws: ChatwootError.self) { _ = try await strategy.phone(forToken: Self.token) }
        #expect(host.fake.requests.count == 2) // one retry inside the round
        host.fake.clearRequests()
        await #expect(throws: ChatwootError.self) { _ = try await strategy.phone(forToken: "flow-other-0000000000001") }
        #expect(host.fake.requests.isEmpty)
    }

    /// p50/p99 of cold resolutions (distinct tokens, empty cache) through the kernel's resolve.
    @Test func latencyFigures() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        let count = 200
        for index in 0..<count { host.fake.directory(token: "flow-bench-\(100_000 + index)", contact: 1000 + index, phone: "+2126000\(10_000 + index)") }
        var micros: [Int64] = []
        for index in 0..<count {
            let start = ContinuousClock.now
            let resolution = try await host.kernel.phones.resolve(key: .flowToken("flow-bench-\(100_000 + index)"), subject: "bench/\(index)")
            let elapsed = ContinuousClock.now - start
            #expect(resolution.status == .resolved)
            micros.append(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
        }
        micros.sort()
        let calls = Double(host.fake.requests.count) / Double(count)
        print("chatwoot.conversation_search cold resolve x\(count): p50 \(Double(micros[count / 2]) / 1000) ms, p99 \(Double(micros[count * 99 / 100]) / 1000) ms, chatwoot calls/resolution \(calls)")
        #expect(calls <= 2)
    }

    @Test func aContactWithoutPhoneFallsBackToItsWhatsAppSourceID() async throws {
        let host = try await ChatwootHost.start()
        defer { Task { await host.stop() } }
        host.fake.withWorld { world in
            _ = world.addContact(id: 310, name: "No phone", phone: nil, sources: [3: "212600000031"])
            _ = world.addContact(id: 311, name: "Web only", phone: nil)
        }
        host.fake.searchHit(token: "flow-source-id-0000000001", contact: 310)
        host.fake.searchHit(token: "flow-web-only-00000000001", contact: 311)
        let resolved = try await host.kernel.phones.resolve(key: .flowToken("flow-source-id-0000000001"), subject: "test/source")
        #expect(resolved.status == .resolved && resolved.phone?.e164 == "+212600000031")
        #expect(resolved.source == "chatwoot.conversation_search")
        let none = try await host.kernel.phones.resolve(key: .flowToken("flow-web-only-00000000001"), subject: "test/web")
        #expect(none.status == .pending)
    }

    /// The strategy as the plugin built it, for looking at the cache directly.
    static func strategy(_ host: ChatwootHost) -> ConversationSearchStrategy? {
        let client = ChatwootClient(config: ChatwootAPIConfig(baseURL: host.fake.baseURL, accountID: FakeChatwoot.accountID,
                                                              apiToken: FakeChatwoot.token, cacheTTL: .seconds(300)), http: host.http)
        return ConversationSearchStrategy(client: client, phones: host.kernel.phones, ttl: .seconds(300))
    }
}
