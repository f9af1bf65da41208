import PluginAPI

/// Capture rate, review queue, alerts and the live monitor.
///
/// - `GET /integrity`: the capture-rate report with status, thresholds, inbox and sources;
/// - `/integrity/review…`: the queue of subjects without a sure phone, assignment, dismissal;
/// - `GET /integrity/alerts`: every alert rule's state; a periodic job evaluates them;
/// - `GET /integrity/stream` (server-sent events) and `GET /integrity/timeline`: messages in
///   and out, calls, responses and resolved phones as they happen.
///
/// Every route needs the admin token. It reads the kernel through `context.phones` (report,
/// queues, assignment) and `context.operations` (rejections, dead jobs, last-seen times).
public struct IntegrityPlugin: Plugin {
    public static let id = "integrity"
    public static let summary = "Capture rate, review queue, alerts and the live monitor of messages, calls and responses"

    private let context: any PluginContext
    private let config: IntegrityConfig
    private let signal = TimelineSignal()

    public init(context: any PluginContext) throws {
        self.context = context
        config = try IntegrityConfig(context.config(IntegrityConfig.File.self))
    }

    public func register(_ registrar: any Registrar) throws {
        let context = self.context
        let config = self.config
        let authorized: @Sendable (Request) -> Bool = { context.adminAuthorized($0) }
        let reviews = ReviewStore(store: context.store)
        let queue = ReviewQueue(phones: context.phones, reviews: reviews)
        let alerts = AlertStore(store: context.store)
        let timeline = TimelineStore(store: context.store)

        registrar.migration(1, IntegritySchema.version1)

        // 1. The report.
        let report = IntegrityReport(phones: context.phones, operations: context.operations, queue: queue, alerts: alerts,
                                     config: config, clock: context.clock)
        registrar.route(.get, "/") { request in
            guard authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try await report.respond(request)
        }

        // 2. The review queue.
        ReviewRoutes(queue: queue, phones: context.phones, reviews: reviews, clock: context.clock, authorized: authorized).register(registrar)

        // 3. Alerts: evaluated periodically, announced once per change.
        let job = AlertJob(rules: AlertRules(phones: context.phones, operations: context.operations, queue: queue, config: config),
                           alerts: alerts, context: context, webhookURL: config.alertWebhookURL)
        registrar.job(AlertJob.evaluateJob, options: JobOptions(maxAttempts: 3, timeout: .seconds(60))) { _ in try await job.evaluate() }
        registrar.every(config.alertEvery, job: AlertJob.evaluateJob)
        registrar.job(AlertJob.notifyJob, options: JobOptions(maxAttempts: 8, timeout: .seconds(30))) { ctx in try await job.notify(ctx) }
        registrar.route(.get, "/alerts") { request in
            guard authorized(request) else { return IntegrityHTTP.unauthorized() }
            _ = try IntegrityHTTP.query(request, known: [])
            return try IntegrityHTTP.json(.object(["alerts": .array(try await alerts.all().map(\.json))]))
        }

        // 4. The live monitor: events → timeline rows → the stream.
        let recorder = TimelineRecorder(timeline: timeline, signal: signal, clock: context.clock)
        for event in TimelineRecorder.events {
            registrar.subscribe(event) { event in try await recorder.record(event) }
        }
        let stream = TimelineStream(timeline: timeline, signal: signal, keepalive: .milliseconds(config.keepalive.milliseconds),
                                    pollInterval: .milliseconds(config.pollInterval.milliseconds))
        registrar.route(.get, "/stream") { request in
            guard authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try stream.response(request)
        }
        registrar.route(.get, "/timeline") { request in
            guard authorized(request) else { return IntegrityHTTP.unauthorized() }
            let query = try IntegrityHTTP.query(request, known: ["after", "limit"])
            let limit = Int(try IntegrityHTTP.integer("limit", query["limit"], range: 1...500) ?? 100)
            let rows: [TimelineEntry]
            if let after = try IntegrityHTTP.integer("after", query["after"], range: 0...Int64.max) {
                rows = try await timeline.rows(after: after, limit: limit)
            } else {
                rows = try await timeline.newest(limit)
            }
            return try IntegrityHTTP.json(.object(["events": .array(rows.map(\.json)),
                                                   "next": rows.last.map { .string("\($0.id)") } ?? .null]))
        }
        let retention = config.timelineRetention
        registrar.job("prune_timeline") { _ in
            let removed = try await timeline.prune(before: context.clock.nowMillis - retention.milliseconds)
            if removed > 0 { context.log.info("timeline pruned", ["rows": "\(removed)"]) }
            return .done
        }
        registrar.every(.seconds(3600), job: "prune_timeline")

        registrar.describe(.get, "/", IntegrityRouteDocs.report)
        registrar.describe(.get, "/alerts", IntegrityRouteDocs.alerts)
        registrar.describe(.get, "/stream", IntegrityRouteDocs.stream)
        registrar.describe(.get, "/timeline", IntegrityRouteDocs.timeline)
        registrar.describe(.get, "/review", IntegrityRouteDocs.review)
        registrar.describe(.get, "/review/subject", IntegrityRouteDocs.subject)
        registrar.describe(.post, "/review/assign", IntegrityRouteDocs.assign)
        registrar.describe(.post, "/review/dismiss", IntegrityRouteDocs.dismiss)

        // 5. Admin panels.
        registrar.adminPanel(AdminPanel(id: "review", title: "Review queue", source: "/review", rowsKey: "items", columns: [
            .init("subject", title: "Subject"), .init("status", title: "Status"), .init("flow", title: "Flow"),
            .init("tried", title: "Tried"), .init("created_at", title: "Created", format: .time),
        ]))
        registrar.adminPanel(AdminPanel(id: "alerts", title: "Alerts", source: "/alerts", rowsKey: "alerts", columns: [
            .init("alert", title: "Alert"), .init("firing", title: "Firing", format: .flag), .init("message", title: "Message"),
            .init("since", title: "Since", format: .time),
        ]))
        registrar.adminPanel(AdminPanel(id: "timeline", title: "Timeline", source: "/timeline", rowsKey: "events", columns: [
            .init("at", title: "At", format: .time), .init("kind", title: "Event"), .init("channel", title: "Channel"),
            .init("direction", title: "Direction"), .init("phone", title: "Phone"), .init("summary", title: "Summary"),
        ]))
    }
}
