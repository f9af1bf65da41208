import Foundation
import Testing

/// Process-level durability (Kernel II): `switchboard-test-host serve` killed mid-stream, its
/// PostgreSQL stopped under load, two instances on one database. Every child is SIGKILLed at
/// the end of its test whatever happens (`Children.killAll` in a `defer`).
@Suite("durability (process level)", .serialized)
struct DurabilityTests {
    /// A server config: WebhookKit enabled, port 0, a short lease so crashed jobs come back fast.
    /// Log level info: the `listening` line that gives the port is an info line, and the
    /// server logs nothing per request at that level.
    static func config(storage: String, lease: String = "2s", webhookKit extra: String = "") -> String {
        """
        {"server": {"host": "127.0.0.1", "port": 0},
         "storage": {"url": "\(storage)"},
         "jobs": {"default_timeout": "\(lease)"},
         "log": {"level": "info"},
         "plugins": {"webhookkit": {"enabled": true, "config": {"secret": "\(WebhookKitSender.secret)"\(extra)}}}}
        """
    }

    static func configDirectory(storage: String, lease: String = "2s", webhookKit extra: String = "") throws -> URL {
        try BinaryRunner.configDirectory(config(storage: storage, lease: lease, webhookKit: extra))
    }

    /// Polls `condition` every 250 ms until it holds or `timeout` passes; returns whether it held.
    static func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if (try? condition()) == true { return true }
            usleep(250_000)
        } while Date() < deadline
        return (try? condition()) == true
    }

    /// `webhookkit_seen` as delivery → processed_count.
    static func seen(_ db: TestDatabase) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query("SELECT delivery, processed_count FROM webhookkit_seen") where row.count == 2 {
            out[row[0]] = Int(row[1]) ?? 0
        }
        return out
    }

    /// WebhookKit's inbox items (not the duplicates) as dedupe key → status.
    static func inbox(_ db: TestDatabase) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try db.query("SELECT dedupe_key, status FROM switchboard_inbox WHERE plugin = 'webhookkit' AND status <> 'duplicate'") where row.count == 2 {
            out[row[0]] = row[1]
        }
        return out
    }

    // MARK: - 1. nothing acknowledged is lost

    /// What the load threads saw.
    struct LoadLog {
        var attempted: Set<String> = []
        var acknowledged: Set<String> = []
        /// Answers or failures before the kill that were not a 2xx.
        var troubleBeforeKill: [String] = []
    }

    @Test(.timeLimit(.minutes(2)), arguments: TestDatabase.Backend.available)
    func nothingAcknowledgedIsLost(_ backend: TestDatabase.Backend) throws {
        let db = try TestDatabase.make(backend)
        defer { db.drop() }
        let children = Children()
        defer { children.killAll() }
        let dir = try Self.configDirectory(storage: db.storageURL)
        defer { try? FileManager.default.removeItem(at: dir) }

        let first = try children.serve(configDirectory: dir)
        let port = try first.waitForPort(timeout: 30)

        // 8 threads at full speed on kept-alive connections, SIGKILL after ~1.5 s.
        let run = UUID().uuidString.prefix(8).lowercased()
        let log = Locked(LoadLog())
        let killed = Locked(false)
        let threads = ThreadGroup()
        threads.spawn(8) { index in
            let client = KeepAliveClient(port: port, timeout: 5)
            var n = 0
            while true {
                let delivery = "d-\(run)-\(index)-\(n)"
                n += 1
                let stopped = killed.current
                if stopped { break }
                log.withLock { _ = $0.attempted.insert(delivery) }
                let answer = WebhookKitSender.post(client, delivery: delivery)
                let afterKill = killed.current
                log.withLock { l in
                    if let answer, answer.is2xx {
                        l.acknowledged.insert(delivery)
                    } else if !afterKill {
                        l.troubleBeforeKill.append(answer.map { "\($0.status) \($0.body)" } ?? "no answer")
                    }
                }
                if answer == nil {
                    if afterKill { break }
                    usleep(10_000)
                }
            }
        }
        Thread.sleep(forTimeInterval: 1.5)
        killed.withLock { $0 = true }   // before the kill: a failure seen while false is not the kill's doing
        kill(first.pid, SIGKILL)
        first.process.waitUntilExit()
        #expect(threads.join(timeout: 20), "load threads did not stop")
        let load = log.current
        #expect(load.troubleBeforeKill.isEmpty, "before the kill: \(load.troubleBeforeKill.prefix(5)) \(first.stderrTail())")
        #expect(load.acknowledged.count > 0, "no webhook acknowledged before the kill: \(first.stderrTail())")

        // Restart on the same database; every stored item, acknowledged or not, ends processed.
        let second = try children.serve(configDirectory: dir)
        _ = try second.waitForPort(timeout: 30)
        var seen: [String: Int] = [:]
        var inbox: [String: String] = [:]
        let settled = Self.waitUntil(timeout: 30) {
            seen = try Self.seen(db)
            inbox = try Self.inbox(db)
            return load.acknowledged.allSatisfy { inbox[$0] == "processed" && seen[$0] != nil }
                && inbox.allSatisfy { $0.value == "processed" && seen[$0.key] != nil }
        }
        let lost = load.acknowledged.filter { inbox[$0] == nil }
        let unprocessed = load.acknowledged.filter { seen[$0] == nil || inbox[$0] != "processed" }
        #expect(settled, "not settled after 30 s: \(unprocessed.count) acknowledged deliveries unprocessed; \(second.stderrTail())")
        #expect(lost.isEmpty, "acknowledged but not in switchboard_inbox: \(lost.count), e.g. \(lost.prefix(5).sorted())")
        #expect(unprocessed.isEmpty, "acknowledged but not processed: \(unprocessed.count), e.g. \(unprocessed.prefix(5).sorted())")
        let neverSent = seen.keys.filter { !load.attempted.contains($0) }
        #expect(neverSent.isEmpty, "webhookkit_seen rows for deliveries never sent: \(neverSent.prefix(5).sorted())")
        let storedNotSent = inbox.keys.filter { !load.attempted.contains($0) }
        #expect(storedNotSent.isEmpty, "inbox items for deliveries never sent: \(storedNotSent.prefix(5).sorted())")
        let dead = db.count("SELECT count(*) FROM switchboard_jobs WHERE status = 'dead'")
        #expect(dead == 0, "dead jobs after the restart: \(dead.map(String.init) ?? "?")")
        #expect(second.process.isRunning, "the restarted server exited: \(second.stderrTail())")

        let twice = seen.values.filter { $0 > 1 }.count
        let storedUnacknowledged = inbox.keys.filter { !load.acknowledged.contains($0) }.count
        print("durability[\(backend)]: attempted \(load.attempted.count), acknowledged \(load.acknowledged.count), "
            + "stored but not acknowledged \(storedUnacknowledged), processed \(seen.count), processed twice (at-least-once) \(twice)")
    }

    // MARK: - 2. PostgreSQL restart under load

    /// One request of the steady client.
    struct Exchange: Sendable {
        var delivery: String
        var sentAt: Date
        var latency: TimeInterval
        var answer: HTTPAnswer?
        var answeredAt: Date { sentAt.addingTimeInterval(latency) }
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: PrivateCluster.configured, "needs SWITCHBOARD_TEST_POSTGRES_URL, _DATA and _CTL"))
    func postgresRestartUnderLoad() throws {
        // A private cluster: other suites use the shared one at the same time.
        let cluster = try PrivateCluster()
        defer { cluster.destroy() }
        let db = try TestDatabase.make(.postgres, postgresURL: cluster.adminURL)
        let children = Children()
        defer { children.killAll() }
        let dir = try Self.configDirectory(storage: db.storageURL)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try children.serve(configDirectory: dir)
        let port = try server.waitForPort(timeout: 30)

        // A client posting a signed webhook every ~20 ms.
        let run = UUID().uuidString.prefix(8).lowercased()
        let exchanges = Locked([Exchange]())
        let stop = Locked(false)
        let client = ThreadGroup()
        client.spawn(1) { _ in
            let http = KeepAliveClient(port: port, timeout: 8)
            var n = 0
            while !stop.current {
                let delivery = "r-\(run)-\(n)"
                n += 1
                let sentAt = Date()
                let answer = WebhookKitSender.post(http, delivery: delivery)
                let latency = Date().timeIntervalSince(sentAt)
                exchanges.withLock { $0.append(Exchange(delivery: delivery, sentAt: sentAt, latency: latency, answer: answer)) }
                let rest = 0.020 - latency
                if rest > 0 { usleep(UInt32(rest * 1_000_000)) }
            }
        }
        defer {
            stop.withLock { $0 = true }
            _ = client.join(timeout: 15)
        }

        Thread.sleep(forTimeInterval: 1.0)
        let beforeStop = exchanges.current.filter { $0.answer?.is2xx == true }.count
        #expect(beforeStop > 0, "no 2xx before PostgreSQL stopped: \(server.stderrTail())")

        try cluster.stop()
        let down = Date()
        Thread.sleep(forTimeInterval: 1.5)
        // Readiness follows storage: a load balancer takes the instance out while it cannot store.
        let readyWhileDown = try HTTPGet.get(port: port, path: "/readyz")
        #expect(readyWhileDown.0 == 503 && readyWhileDown.1.contains("storage_unavailable"), "readyz while down: \(readyWhileDown)")
        Thread.sleep(forTimeInterval: 1.5)
        let upBegin = Date()
        try cluster.start()
        let up = Date()

        // 2xx answers come back by themselves, without restarting switchboard.
        var recovery: TimeInterval?
        let recovered = Self.waitUntil(timeout: 12) {
            guard let first = exchanges.current.first(where: { $0.sentAt >= up && $0.answer?.is2xx == true }) else { return false }
            recovery = first.answeredAt.timeIntervalSince(up)
            return true
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try HTTPGet.get(port: port, path: "/readyz").0 == 200, "readyz did not recover")
        stop.withLock { $0 = true }
        #expect(client.join(timeout: 15), "client thread stuck")
        let all = exchanges.current

        #expect(recovered, "no 2xx within 12 s of PostgreSQL's start: \(server.stderrTail())")
        if let recovery { #expect(recovery <= 10, "2xx resumed only after \(recovery) s") }
        #expect(server.process.isRunning, "switchboard exited: \(server.stderrTail())")

        // Every request got a complete answer, quickly: a 2xx or a 503 with a JSON error.
        let unanswered = all.filter { $0.answer == nil }
        #expect(unanswered.isEmpty, "\(unanswered.count) requests got no complete answer, first sent \(unanswered.first.map { $0.sentAt.timeIntervalSince(down) } ?? 0) s after the stop")
        let slowest = all.map(\.latency).max() ?? 0
        #expect(slowest < 3.5, "a request took \(slowest) s")
        let odd = all.compactMap(\.answer).filter { !$0.is2xx && $0.status != 503 }
        #expect(odd.isEmpty, "answers neither 2xx nor 503: \(odd.prefix(3))")
        let refusals = all.compactMap(\.answer).filter { $0.status == 503 }
        for answer in refusals.prefix(50) {
            let object = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any]
            #expect(object?["error"] != nil, "503 body is not a JSON error: \(answer.body)")
        }
        // While PostgreSQL was down (stopped before sending, answered before its start), nothing is a 2xx.
        let duringOutage = all.filter { $0.sentAt >= down && $0.answeredAt < upBegin }
        let outage503 = duringOutage.filter { $0.answer?.status == 503 }.count
        #expect(!duringOutage.isEmpty, "no request was answered while PostgreSQL was down")
        #expect(duringOutage.allSatisfy { $0.answer?.status == 503 },
                "while down: \(duringOutage.filter { $0.answer?.status != 503 }.prefix(3).map { "\($0.answer?.status ?? 0) \($0.answer?.body ?? "-")" })")

        // Every 2xx was stored, and ends processed.
        let acknowledged = Set(all.filter { $0.answer?.is2xx == true }.map(\.delivery))
        var seen: [String: Int] = [:]
        var inbox: [String: String] = [:]
        let settled = Self.waitUntil(timeout: 20) {
            seen = try Self.seen(db)
            inbox = try Self.inbox(db)
            return acknowledged.allSatisfy { inbox[$0] == "processed" && seen[$0] != nil }
        }
        let lost = acknowledged.filter { inbox[$0] == nil }
        #expect(lost.isEmpty, "2xx answered but not stored: \(lost.count), e.g. \(lost.prefix(5).sorted())")
        #expect(settled, "acknowledged but unprocessed after 20 s: \(acknowledged.filter { seen[$0] == nil }.count); \(server.stderrTail())")
        let stored503 = all.filter { $0.answer?.status == 503 && inbox[$0.delivery] != nil }.count

        print("pg-restart: requests \(all.count), 2xx \(acknowledged.count), 503 \(refusals.count) (\(outage503) while down), "
            + "503 but stored \(stored503), no answer \(unanswered.count), slowest \(String(format: "%.3f", slowest)) s, "
            + "recovery \(recovery.map { String(format: "%.2f", $0) } ?? "none") s after pg_ctl start returned")
    }

    // MARK: - 3. two instances, one PostgreSQL

    @Test(.timeLimit(.minutes(2)), .enabled(if: TestDatabase.postgresBaseURL != nil, "needs SWITCHBOARD_TEST_POSTGRES_URL"))
    func twoInstancesShareOneDatabase() throws {
        let db = try TestDatabase.make(.postgres)
        defer { db.drop() }
        let children = Children()
        defer { children.killAll() }
        // A long lease: nothing crashes here, so a delivery processed twice would be a double claim.
        let dir = try Self.configDirectory(storage: db.storageURL, lease: "30s", webhookKit: #", "rate_limit": "5/2s", "tick_every": "2s""#)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Started together: migrations must serialise between them.
        let a = try children.serve(configDirectory: dir)
        let b = try children.serve(configDirectory: dir)
        let portA = try a.waitForPort(timeout: 30)
        let portB = try b.waitForPort(timeout: 30)
        let started = Date()

        // 100 signed webhooks, alternating between the instances.
        let run = UUID().uuidString.prefix(8).lowercased()
        let clients = [KeepAliveClient(port: portA), KeepAliveClient(port: portB)]
        var acknowledged = Set<String>()
        var trouble: [String] = []
        for n in 0..<100 {
            let delivery = "two-\(run)-\(n)"
            let answer = WebhookKitSender.post(clients[n % 2], delivery: delivery)
            if let answer, answer.is2xx { acknowledged.insert(delivery) } else { trouble.append(answer.map { "\($0.status) \($0.body)" } ?? "no answer") }
        }
        #expect(trouble.isEmpty, "webhooks not acknowledged: \(trouble.prefix(5))")

        // 20 rate-limited jobs (5 per 2 s across both instances).
        let queued = clients[0].request("POST", "/webhookkit/send?count=20")
        #expect(queued?.status == 200, "send: \(queued.map { "\($0.status) \($0.body)" } ?? "no answer")")
        let queuedAt = Date()
        var sends: [(n: Int, startedAt: Int64)] = []
        let sent = Self.waitUntil(timeout: 15) {
            sends = try db.query("SELECT n, started_at FROM webhookkit_sends ORDER BY started_at").compactMap { row in
                guard row.count == 2, let n = Int(row[0]), let at = Int64(row[1]) else { return nil }
                return (n, at)
            }
            return sends.count >= 20
        }
        let sendTime = Date().timeIntervalSince(queuedAt)
        #expect(sent, "only \(sends.count) of 20 sends within 15 s")
        #expect(sends.count == 20 && Set(sends.map(\.n)) == Set(0..<20), "sends: \(sends.map(\.n))")
        // At most 5 starts in any 2 s window. The handler stamps its start a moment after the
        // claim that the limiter counted, so allow a little scheduling noise.
        let starts = sends.map(\.startedAt)
        var tightest = Int64.max
        if starts.count > 5 { for i in 0..<(starts.count - 5) { tightest = min(tightest, starts[i + 5] - starts[i]) } }
        #expect(tightest >= 2000 - 300, "6 starts within \(tightest) ms: \(starts.map { $0 - (starts.first ?? 0) })")

        // Every delivery processed exactly once.
        var seen: [String: Int] = [:]
        let processed = Self.waitUntil(timeout: 15) {
            seen = try Self.seen(db)
            return acknowledged.allSatisfy { seen[$0] != nil }
        }
        #expect(processed, "unprocessed: \(acknowledged.filter { seen[$0] == nil }.count)")
        #expect(seen.count == acknowledged.count, "seen \(seen.count) rows for \(acknowledged.count) deliveries")
        let twice = seen.filter { $0.value != 1 }
        #expect(twice.isEmpty, "processed more than once without a crash: \(twice.prefix(5))")

        // Periodic ticks over ~7 s: each slot run once, by one instance.
        let remaining = 7.5 - Date().timeIntervalSince(started)
        if remaining > 0 { Thread.sleep(forTimeInterval: remaining) }
        let ticks = try db.query("SELECT slot, runs FROM webhookkit_ticks ORDER BY slot")
        #expect(ticks.count >= 2, "ticks: \(ticks)")
        #expect(ticks.allSatisfy { $0.count == 2 && $0[1] == "1" }, "a slot ran more than once: \(ticks)")

        // Which instance ran what (jobs keep the worker that claimed them).
        let workers = try db.query("SELECT locked_by, count(*) FROM switchboard_jobs WHERE status = 'done' GROUP BY locked_by ORDER BY locked_by")
        #expect(a.process.isRunning && b.process.isRunning, "an instance exited: \(a.stderrTail()) \(b.stderrTail())")
        print("two-instances: \(acknowledged.count) deliveries processed once each; 20 sends in \(String(format: "%.1f", sendTime)) s, "
            + "tightest 6-start span \(tightest) ms; \(ticks.count) tick slots, each run once; jobs per instance \(workers.map { $0.joined(separator: "=") })")
    }

    // MARK: - 4. an unreachable database at start

    @Test(.timeLimit(.minutes(1)))
    func unreachableDatabaseAtStartExitsTwo() throws {
        let url = "postgres://u:secretpw@127.0.0.1:1/db"
        let dir = try Self.configDirectory(storage: url)
        defer { try? FileManager.default.removeItem(at: dir) }
        let began = Date()
        let result = try BinaryRunner.run(["serve"], directory: dir, timeout: 30, binary: BinaryRunner.testHost)
        let took = Date().timeIntervalSince(began)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains("postgres://u:***@127.0.0.1:1/db"), "\(result.stderr)")
        #expect(!result.stderr.contains("secretpw") && !result.stdout.contains("secretpw"), "password shown: \(result.stderr)")
        #expect(took < 20, "took \(took) s")
    }
}
