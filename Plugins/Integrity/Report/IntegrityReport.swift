import PluginAPI

/// `GET /integrity`: the capture rate (overall, by source, by day) of the subjects in scope,
/// the queues, the inbox's rejections and dead jobs, each webhook source's last request, the
/// alerts in force, the thresholds, and the status they add up to.
struct IntegrityReport: Sendable {
    let phones: any Phones
    let operations: any OperationsView
    let queue: ReviewQueue
    let alerts: AlertStore
    let config: IntegrityConfig
    let clock: any TimeSource

    static let known: Set<String> = ["since", "flow"]
    static let day: Int64 = 86_400_000

    func respond(_ request: Request) async throws -> Response {
        let query = try IntegrityHTTP.query(request, known: Self.known)
        let now = clock.nowMillis
        let flow = query["flow"]
        if let flow, flow.isEmpty { throw HTTPError(400, "bad_request", "flow: must not be empty") }
        let scope = PhoneSubjectScope(since: try IntegrityHTTP.since(query["since"], now: now), label: flow)
        return try IntegrityHTTP.json(try await build(scope, now: now))
    }

    /// Sources whose last request is older than `silence_after`, by plugin id.
    func silentSources(_ lastSeen: [String: Int64], now: Int64) -> [String] {
        lastSeen.filter { now - $0.value > config.silenceAfter.milliseconds }.keys.sorted()
    }

    func build(_ scope: PhoneSubjectScope, now: Int64) async throws -> JSONDocument {
        let report = try await phones.report(scope)
        let open = try await queue.openCounts(report, scope: scope)
        let ops = try await operations.summary(rejectedSince: now - Self.day)
        let silent = silentSources(ops.lastSeen, now: now)
        let health = Health.evaluate(Health.Input(subjects: report.total, captureRate: report.captureRate, unresolved: open.unresolved,
                                                  conflicts: open.conflicts, deadJobs: ops.deadJobs, silentSources: silent), config)
        var bySource: [String: JSONDocument] = [:]
        for source in report.bySource {
            bySource[source.source] = .object(["kind": .string(source.kind.description), "subjects": .integer(source.subjects),
                                               "rate": .rate(PhoneReport.rate(source.subjects, of: report.total))])
        }
        var sources: [String: JSONDocument] = [:]
        for (plugin, at) in ops.lastSeen {
            sources[plugin] = .object(["last_seen": .string(Time.format(at)), "silent": .bool(silent.contains(plugin))])
        }
        let firing = try await alerts.firing()
        return .object([
            "total": .integer(report.total),
            "resolved": .integer(report.count(.resolved)),
            "pending": .integer(report.count(.pending)),
            "unresolved": .integer(report.count(.unresolved)),
            "conflicts": .integer(report.count(.conflict)),
            "dismissed": .integer(open.dismissed),
            "capture_rate": .rate(report.captureRate),
            "by_source": .object(bySource),
            "by_day": .array(report.byDay.map { day in
                .object(["day": .string(day.day), "subjects": .integer(day.subjects), "resolved": .integer(day.resolved),
                         "capture_rate": .rate(PhoneReport.rate(day.resolved, of: day.subjects))])
            }),
            "status": .string(health.status.rawValue),
            "reasons": .array(health.reasons.map { .string($0) }),
            "thresholds": thresholds,
            "inbox": .object(["rejected_24h": .integer(ops.rejectedSince), "dead_jobs": .integer(ops.deadJobs)]),
            "sources": .object(sources),
            "alerts": .array(firing.map(\.json)),
            "filters": .object(["since": Time.format(scope.since), "flow": .optional(scope.label)]),
            "generated_at": .string(Time.format(now)),
        ])
    }

    var thresholds: JSONDocument {
        .object([
            "alert_threshold": .double(config.alertThreshold), "warning_threshold": .double(config.warningThreshold),
            "min_subjects": .integer(Int64(config.minSubjects)), "max_unresolved": .integer(Int64(config.maxUnresolved)),
            "max_dead_jobs": .integer(Int64(config.maxDeadJobs)), "window": .string(config.window.description),
            "silence_after": .string(config.silenceAfter.description),
        ])
    }
}
