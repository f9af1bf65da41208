import PluginAPI

/// The periodic `integrity.evaluate_alerts` job and the `integrity.notify` job it enqueues.
/// Each state change is logged, counted (`switchboard_integrity_alerts_fired_total`,
/// `…_alerts_resolved_total`, gauge `…_alert_firing`) and, with `alert_webhook_url`, posted
/// as Slack-compatible `{"text": …}` by a retried job enqueued in the same transaction as the
/// change, so it is announced once however many instances evaluate.
struct AlertJob: Sendable {
    static let evaluateJob = "evaluate_alerts"
    static let notifyJob = "notify"

    let rules: AlertRules
    let alerts: AlertStore
    let context: any PluginContext
    let webhookURL: String?

    func evaluate() async throws -> JobOutcome {
        let now = context.clock.nowMillis
        let evaluation = try await rules.evaluate(now: now)
        let jobs = context.jobs
        let pluginID = context.pluginID
        let url = webhookURL
        let transitions = try await alerts.apply(firing: evaluation.firing, now: now) { transition, db in
            guard url != nil else { return }
            let (key, text) = Self.announcement(transition)
            try jobs.enqueue(JobRequest(name: "\(pluginID).\(Self.notifyJob)", payload: try JSONText.string(["text": text]),
                                        uniqueKey: key), in: db)
        }
        for transition in transitions {
            switch transition {
            case .fired(let alert, let message, _):
                context.log.warning("alert firing", ["alert": alert, "message": message])
                context.metrics.increment("alerts_fired_total", labels: Self.labels(alert))
            case .resolved(let alert, let message, _):
                context.log.info("alert resolved", ["alert": alert, "message": message])
                context.metrics.increment("alerts_resolved_total", labels: Self.labels(alert))
            }
        }
        for alert in evaluation.evaluated {
            context.metrics.gauge("alert_firing", labels: Self.labels(alert), value: evaluation.firing[alert] == nil ? 0 : 1)
        }
        return .done
    }

    /// The notification's unique key (one per transition) and text.
    static func announcement(_ transition: AlertStore.Transition) -> (key: String, text: String) {
        switch transition {
        case .fired(let alert, let message, let since):
            ("integrity.alert:\(alert):\(since):fired", "Switchboard alert: \(message)")
        case .resolved(let alert, let message, let since):
            ("integrity.alert:\(alert):\(since):resolved", "Switchboard resolved: \(message)")
        }
    }

    /// `{"alert": "silence", "source": "wasender"}` for a silence rule, `{"alert": "dead_jobs"}` otherwise.
    static func labels(_ alert: String) -> [String: String] {
        if alert.hasPrefix("silence.") { return ["alert": "silence", "source": String(alert.dropFirst("silence.".count))] }
        return ["alert": alert]
    }

    /// Posts one notification; a failure is retried by the job engine.
    func notify(_ job: JobContext) async throws -> JobOutcome {
        guard let webhookURL else { return .cancel(reason: "alert_webhook_url is not configured") }
        guard let payload = try? JSONText.decode([String: String].self, from: Array(job.payload.utf8)), let text = payload["text"] else {
            throw PermanentJobError("notify payload has no text")
        }
        _ = try await context.http.sendChecked(.post(webhookURL, json: try JSONText.bytes(["text": text])))
        context.metrics.increment("alert_notifications_total")
        return .done
    }
}
