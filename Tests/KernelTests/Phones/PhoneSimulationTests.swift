import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Kernel

/// 1,000 subjects whose evidence arrives late, out of order, duplicated, through a linked key,
/// before the subject exists, or not at all. Afterwards every subject that got correct
/// evidence is resolved with its own number, none carries another, and the rest are listed
/// as unresolved.
@Suite("phone resolution simulation", .serialized)
struct PhoneSimulationTests {
    typealias S = PhoneTestSupport

    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Operation {
        /// The owner registers the subject (a survey response stored): `resolve`, or `track` in its own transaction.
        case register(Int, viaTrack: Bool)
        /// The Flow was sent: its wamid is linked to its token.
        case link(Int)
        /// Evidence for the subject's token or (when linked) wamid, from some source.
        case evidence(Int, viaWamid: Bool, source: String)
    }

    static let count = 1000

    static func phone(_ i: Int) -> String { "+2126" + String(10_000_000 + i * 7_919) }
    static func token(_ i: Int) -> PhoneKey { .flowToken("tok-\(i)") }
    static func wamid(_ i: Int) -> PhoneKey { .waMessageID("wamid.HBgM\(i)") }
    static func subject(_ i: Int) -> String { "sim/response/\(i)" }
    /// Every tenth subject never gets evidence.
    static func getsEvidence(_ i: Int) -> Bool { i % 10 != 0 }
    static func linked(_ i: Int) -> Bool { i % 3 == 0 }

    static func operations(_ rng: inout SeededGenerator) -> [Operation] {
        var operations: [Operation] = []
        let sources = ["metaflow.nfm_reply", "chatwoot.webhook", "metaflow.token_map"]
        for i in 0..<count {
            operations.append(.register(i, viaTrack: i % 4 == 1))
            if linked(i) { operations.append(.link(i)) }
            guard getsEvidence(i) else { continue }
            // One to three deliveries: duplicates, and the same number from several sources.
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                operations.append(.evidence(i, viaWamid: linked(i) && Bool.random(using: &rng), source: sources.randomElement(using: &rng) ?? sources[0]))
            }
        }
        operations.shuffle(using: &rng)
        return operations
    }

    @Test(arguments: TestStorage.backends)
    func everySubjectWithCorrectEvidenceIsResolvedAndNoneIsWrong(backend: String) async throws {
        let host = try await S.host(backend)
        let phones = host.phones
        var rng = SeededGenerator(state: 20_261_122)
        let operations = Self.operations(&rng)
        for (n, operation) in operations.enumerated() {
            switch operation {
            case .register(let i, let viaTrack):
                if viaTrack {
                    try await host.store.write { db in try phones.track(key: Self.token(i), subject: Self.subject(i), in: db) }
                } else {
                    _ = try await phones.resolve(key: Self.token(i), subject: Self.subject(i))
                }
            case .link(let i):
                try await S.link(host, Self.wamid(i), Self.token(i))
            case .evidence(let i, let viaWamid, let source):
                try await S.learn(host, viaWamid ? Self.wamid(i) : Self.token(i), Self.phone(i), source: source)
            }
            // Time passes while things arrive: retries come due in between.
            if n % 40 == 39 {
                host.clock.advance(by: Double(Int.random(in: 0...20, using: &rng)))
                try await host.runDueJobs()
            }
        }
        // Let every retry run out (the default schedule ends after 1 h 12 min).
        for step in [5.0, 30, 120, 600, 3600, 3600] {
            host.clock.advance(by: step)
            try await host.runDueJobs()
        }

        let rows = try await host.query("SELECT subject, status, phone FROM switchboard_phone_subjects")
        #expect(rows.count == Self.count)
        var wrong: [String] = []
        var missing: [String] = []
        var notListed: [String] = []
        for row in rows {
            let subject = try row.string("subject")
            guard let i = Int(subject.split(separator: "/").last ?? "") else { continue }
            let phone = try row.optionalString("phone")
            let status = try row.string("status")
            if let phone, phone != Self.phone(i) { wrong.append(subject) }
            if Self.getsEvidence(i) {
                if status != "resolved" || phone == nil { missing.append("\(subject) \(status)") }
            } else if status != "unresolved" {
                notListed.append("\(subject) \(status)")
            }
        }
        #expect(wrong.isEmpty, "subjects with another subject's number: \(wrong.prefix(5))")
        #expect(missing.isEmpty, "subjects with evidence left unresolved: \(missing.prefix(5))")
        #expect(notListed.isEmpty, "subjects without evidence not listed as unresolved: \(notListed.prefix(5))")

        let report = try await host.kernel.phoneQueries(store: host.store).report()
        #expect(report.total == 1000)
        #expect(report.count(.resolved) == 900)
        #expect(report.count(.unresolved) == 100)
        #expect(report.captureRate == 0.9)
        #expect(report.bySource.reduce(0) { $0 + $1.subjects } == 900)
        let unresolved = try await host.kernel.phoneQueries(store: host.store).subjects(.init(statuses: [.unresolved]))
        #expect(unresolved.items.count == 100)
        #expect(unresolved.items.allSatisfy { !Self.getsEvidence(Int($0.resolution.subject.split(separator: "/").last ?? "") ?? 1) })
        await host.stop()
    }

    /// The same kinds of operations from 16 tasks at once (webhooks processed in parallel,
    /// several instances): no operation fails for good, and no subject gets a wrong number.
    @Test(arguments: TestStorage.backends)
    func concurrentArrivalsNeverAttachAWrongNumber(backend: String) async throws {
        let host = try await S.host(backend)
        let phones = host.phones
        let store = host.store
        var rng = SeededGenerator(state: 7)
        let operations = Self.operations(&rng).filter {
            if case .register(let i, _) = $0 { return i < 300 }
            if case .link(let i) = $0 { return i < 300 }
            if case .evidence(let i, _, _) = $0 { return i < 300 }
            return false
        }
        let numbers = try (0..<300).map { try phones.normalize(Self.phone($0), region: nil) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lanes = 16
            for lane in 0..<lanes {
                let mine = stride(from: lane, to: operations.count, by: lanes).map { operations[$0] }
                group.addTask {
                    for operation in mine {
                        // A job would be retried after a conflict (deadlock, busy); so are these.
                        for attempt in 1...5 {
                            do {
                                switch operation {
                                case .register(let i, _):
                                    _ = try await phones.resolve(key: Self.token(i), subject: Self.subject(i))
                                case .link(let i):
                                    try await store.write { db in try phones.link(Self.wamid(i), Self.token(i), in: db) }
                                case .evidence(let i, let viaWamid, let source):
                                    try await store.write { db in
                                        try phones.learn(key: viaWamid ? Self.wamid(i) : Self.token(i), phone: numbers[i], source: source,
                                                         kind: .observed, note: nil, in: db)
                                    }
                                }
                                break
                            } catch let error as StorageError where error.kind == .conflict && attempt < 5 {
                                continue
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let rows = try await host.query("SELECT subject, status, phone FROM switchboard_phone_subjects")
        #expect(rows.count == 300)
        for row in rows {
            let subject = try row.string("subject")
            guard let i = Int(subject.split(separator: "/").last ?? "") else { continue }
            let phone = try row.optionalString("phone")
            let status = try row.string("status")
            if let phone { #expect(phone == Self.phone(i), "\(subject) got another subject's number") }
            if Self.getsEvidence(i) { #expect(phone == Self.phone(i) && status == "resolved", "\(subject) left without its number") }
        }
        await host.stop()
    }
}
