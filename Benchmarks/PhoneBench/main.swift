// Phone resolution timings on SQLite (synchronous=FULL), each against a reference measured in
// the same run on the same store: one single-row insert transaction.
//
//   swift run -c release phone-bench [--subjects N] [--resolves N] [--storage URL]
//
// 1. `resolve` through the evidence strategy: evidence learned first, then one `resolve` per
//    subject, one after another; latency percentiles.
// 2. `learn` back-filling 10,000 pending subjects, three ways: one `learn` for a key the
//    subjects share; 10,000 `learn`s in one transaction (a bulk import of a token→phone map);
//    10,000 `learn`s in transactions of their own, 32 at a time (webhooks arriving).
// Every resolution publishes `phone.resolved` to a subscriber (a delivery job each), as in a
// deployment where the owning plugin listens.
import Dispatch
import Foundation
import Kernel
import PluginAPI
import PluginTesting
import TestPlugins

struct Options {
    var subjects = 10_000
    var resolves = 5_000
    var storage: String?

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()[...]
        while let arg = rest.popFirst() {
            switch arg {
            case "--subjects": subjects = Int(rest.popFirst() ?? "") ?? subjects
            case "--resolves": resolves = Int(rest.popFirst() ?? "") ?? resolves
            case "--storage": storage = rest.popFirst()
            default: print("unknown argument \(arg)"); exit(2)
            }
        }
    }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func ms(_ nanos: UInt64) -> String { String(format: "%.3f ms", Double(nanos) / 1e6) }
func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

func freshHost(_ options: Options) async throws -> PluginTestHost {
    let config = #"{"plugins": {"phonekit": {"enabled": true, "config": {"strategies": []}}}}"#
    let url = options.storage ?? TestDatabase.sqliteURL()
    let host = try PluginTestHost(plugins: [PhoneKitPlugin.self], config: config, storageURL: url)
    try await host.start()
    return host
}

func phone(_ host: PluginTestHost, _ i: Int) throws -> PhoneNumber { try host.phones.normalize("+2126" + String(10_000_000 + i), region: nil) }

/// The reference: one single-row insert per transaction, one after another.
func referenceInserts(_ host: PluginTestHost, count: Int) async throws -> [UInt64] {
    try await host.store.write { try $0.execute("CREATE TABLE IF NOT EXISTS bench_reference (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
    var times: [UInt64] = []
    let before = host.sqliteStats
    for i in 0..<count {
        let start = now()
        try await host.store.write { try $0.execute("INSERT INTO bench_reference (v) VALUES ($1)", "row \(i)") }
        times.append(now() - start)
    }
    if let before, let after = host.sqliteStats {
        print(String(format: "reference insert: %.1f WAL pages a commit", Double(after.walFrames - before.walFrames) / Double(max(after.commits - before.commits, 1))))
    }
    return times.sorted()
}

func report(_ name: String, _ times: [UInt64], reference: [UInt64]) {
    let p50 = percentile(times, 0.5), p99 = percentile(times, 0.99)
    let r50 = percentile(reference, 0.5), r99 = percentile(reference, 0.99)
    print("\(name): n=\(times.count) p50 \(ms(p50)) p99 \(ms(p99)) max \(ms(times.last ?? 0))"
          + String(format: "  (reference insert p50 %@ p99 %@; ratio p99 %.2f×)", ms(r50), ms(r99), Double(p99) / Double(max(r99, 1))))
}

let options = Options(CommandLine.arguments)

// 1. resolve through evidence
do {
    let host = try await freshHost(options)
    let phones = host.phones
    let numbers = try (0..<options.resolves).map { try phone(host, $0) }
    try await host.store.write { db in
        for i in 0..<options.resolves {
            try phones.learn(key: .flowToken("tok-\(i)"), phone: numbers[i], source: "bench.map", kind: .observed, note: nil, in: db)
        }
    }
    let reference = try await referenceInserts(host, count: options.resolves)
    var times: [UInt64] = []
    let before = host.sqliteStats
    for i in 0..<options.resolves {
        let start = now()
        let resolution = try await phones.resolve(key: .flowToken("tok-\(i)"), subject: "bench/response/\(i)")
        times.append(now() - start)
        guard resolution.status == .resolved else { print("subject \(i) not resolved"); exit(1) }
    }
    report("resolve via evidence", times.sorted(), reference: reference)
    if let before, let after = host.sqliteStats {
        // Measured while the delivery jobs of `phone.resolved` also commit: pages a commit writes on average.
        let commits = after.commits - before.commits, frames = after.walFrames - before.walFrames
        print(String(format: "  WAL pages written: %.1f a commit (%d commits, %d pages, %.1f pages a resolve)",
                     Double(frames) / Double(max(commits, 1)), commits, frames, Double(frames) / Double(options.resolves)))
    }
    // The evidence strategy's own share, as recorded with each attempt: inside the
    // transaction, before the commit's fsync.
    let recorded = try await host.query("SELECT latency_us FROM switchboard_phone_attempts WHERE strategy = 'evidence' ORDER BY latency_us")
        .map { UInt64(try $0.int("latency_us")) * 1000 }
    print("  the evidence strategy itself (recorded latency, before the commit): p50 \(ms(percentile(recorded, 0.5))) p99 \(ms(percentile(recorded, 0.99)))")
    await host.stop()
}

// 2. learn back-filling pending subjects
func pendingHost(_ options: Options, sharedKey: Bool) async throws -> PluginTestHost {
    let host = try await freshHost(options)
    let phones = host.phones
    let n = options.subjects
    for chunk in stride(from: 0, to: n, by: 1000) {
        try await host.store.write { db in
            for i in chunk..<min(chunk + 1000, n) {
                try phones.track(key: .flowToken(sharedKey ? "tok-shared" : "tok-\(i)"), subject: "bench/pending/\(i)", in: db)
            }
        }
    }
    return host
}

func checkResolved(_ host: PluginTestHost, _ expected: Int) async throws {
    let rows = try await host.query("SELECT COUNT(*) AS n FROM switchboard_phone_subjects WHERE status = 'resolved'")
    let resolved = try rows.first?.int("n") ?? 0
    guard resolved == expected else { print("only \(resolved) of \(expected) resolved"); exit(1) }
}

do {
    let host = try await pendingHost(options, sharedKey: true)
    let reference = try await referenceInserts(host, count: 1000)
    let number = try phone(host, 1)
    let phones = host.phones
    let start = now()
    let result = try await host.store.write { db in try phones.learn(key: .flowToken("tok-shared"), phone: number, source: "bench", in: db) }
    let elapsed = now() - start
    try await checkResolved(host, options.subjects)
    print("learn, one key shared by \(options.subjects) pending subjects: \(ms(elapsed)) (\(result.resolved.count) resolved;"
          + String(format: " = %.0f reference inserts)", Double(elapsed) / Double(max(percentile(reference, 0.5), 1))))
    await host.stop()
}

do {
    let host = try await pendingHost(options, sharedKey: false)
    let reference = try await referenceInserts(host, count: 1000)
    let phones = host.phones
    let numbers = try (0..<options.subjects).map { try phone(host, $0) }
    let n = options.subjects
    let start = now()
    try await host.store.write { db in
        for i in 0..<n { try phones.learn(key: .flowToken("tok-\(i)"), phone: numbers[i], source: "bench", in: db) }
    }
    let elapsed = now() - start
    try await checkResolved(host, n)
    print("learn ×\(n) in one transaction: \(ms(elapsed))"
          + String(format: " (%.0f/s; = %.0f reference inserts)", Double(n) / (Double(elapsed) / 1e9), Double(elapsed) / Double(max(percentile(reference, 0.5), 1))))
    await host.stop()
}

do {
    let host = try await pendingHost(options, sharedKey: false)
    let reference = try await referenceInserts(host, count: 1000)
    let phones = host.phones
    let store = host.store
    let numbers = try (0..<options.subjects).map { try phone(host, $0) }
    let n = options.subjects
    let start = now()
    try await withThrowingTaskGroup(of: Void.self) { group in
        let lanes = 32
        for lane in 0..<lanes {
            group.addTask {
                for i in stride(from: lane, to: n, by: lanes) {
                    try await store.write { db in try phones.learn(key: .flowToken("tok-\(i)"), phone: numbers[i], source: "bench", in: db) }
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = now() - start
    try await checkResolved(host, n)
    let referenceRate = 1e9 / Double(max(percentile(reference, 0.5), 1))
    print("learn ×\(n), own transactions, 32 concurrent: \(ms(elapsed))"
          + String(format: " (%.0f/s; reference %.0f single-row transactions/s, ratio %.2f×)", Double(n) / (Double(elapsed) / 1e9), referenceRate,
                   Double(n) / (Double(elapsed) / 1e9) / referenceRate))
    await host.stop()
}
