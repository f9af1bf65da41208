import PluginAPI

/// The alert rules, evaluated against the kernel's counts at `now`:
///
/// - `capture_rate`: subjects created in the last `window` (at least `min_subjects` of them)
///   resolved under `alert_threshold`;
/// - `unresolved`: more subjects to review (unresolved or in conflict, not dismissed) than `max_unresolved`;
/// - `dead_jobs`: more dead jobs than `max_dead_jobs`;
/// - `silence.<plugin>`: a plugin whose webhooks received requests before has received none
///   for `silence_after`.
struct AlertRules: Sendable {
    let phones: any Phones
    let operations: any OperationsView
    let queue: ReviewQueue
    let config: IntegrityConfig

    struct Evaluation: Sendable, Equatable {
        /// The rules looked at.
        var evaluated: Set<String>
        /// Those firing, with their message.
        var firing: [String: String]
    }

    func evaluate(now: Int64) async throws -> Evaluation {
        var evaluated: Set<String> = ["capture_rate", "unresolved", "dead_jobs"]
        var firing: [String: String] = [:]

        let recent = try await phones.report(PhoneSubjectScope(since: now - config.window.milliseconds))
        if let rate = recent.captureRate, recent.total >= Int64(config.minSubjects), rate < config.alertThreshold {
            firing["capture_rate"] = "capture rate \(Health.percent(rate)) over the last \(config.window) "
                + "(\(recent.count(.resolved)) of \(recent.total) subjects have a phone), under \(Health.percent(config.alertThreshold))"
        }

        let all = try await phones.report(PhoneSubjectScope())
        let open = try await queue.openCounts(all, scope: PhoneSubjectScope())
        let toReview = open.unresolved + open.conflicts
        if toReview > Int64(config.maxUnresolved) {
            firing["unresolved"] = "\(toReview) subjects wait for review (\(open.unresolved) unresolved, \(open.conflicts) in conflict), over \(config.maxUnresolved)"
        }

        let ops = try await operations.summary(rejectedSince: now - IntegrityReport.day)
        if ops.deadJobs > Int64(config.maxDeadJobs) {
            firing["dead_jobs"] = "\(ops.deadJobs) dead job\(ops.deadJobs == 1 ? "" : "s"), over \(config.maxDeadJobs)"
        }

        for (plugin, at) in ops.lastSeen {
            let alert = "silence.\(plugin)"
            evaluated.insert(alert)
            if now - at > config.silenceAfter.milliseconds {
                firing[alert] = "no webhook from \(plugin) for over \(config.silenceAfter) (last at \(Time.format(at)))"
            }
        }
        return Evaluation(evaluated: evaluated, firing: firing)
    }
}
