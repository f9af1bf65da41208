import PluginAPI

/// The review queue: subjects that are unresolved or in conflict (and, when asked, still
/// pending), minus those the operator dismissed, each with what was tried.
struct ReviewQueue: Sendable {
    let phones: any Phones
    let reviews: ReviewStore

    static let openStatuses: [PhoneResolutionStatus] = [.unresolved, .conflict]

    /// Open subjects in `scope` that the operator has not dismissed, by status: what the
    /// report's status and the `unresolved` alert count.
    func openCounts(_ report: PhoneReport, scope: PhoneSubjectScope) async throws -> (unresolved: Int64, conflicts: Int64, dismissed: Int64) {
        var unresolved = report.count(.unresolved)
        var conflicts = report.count(.conflict)
        var dismissed: Int64 = 0
        for subject in try await reviews.dismissals().keys {
            guard let resolution = try await phones.resolution(subject: subject) else { continue }
            if let since = scope.since, resolution.createdAt < since { continue }
            if let label = scope.label, resolution.label != label { continue }
            switch resolution.status {
            case .unresolved: unresolved -= 1; dismissed += 1
            case .conflict: conflicts -= 1; dismissed += 1
            case .pending, .resolved: break
            }
        }
        return (max(0, unresolved), max(0, conflicts), dismissed)
    }

    /// One page of the queue; `next` pages on as the kernel's listing does (a page may hold
    /// fewer items than `limit` when some were dismissed).
    func page(statuses: [PhoneResolutionStatus], scope: PhoneSubjectScope, after: Int64?, limit: Int,
              includeDismissed: Bool) async throws -> JSONDocument {
        let page = try await phones.subjects(statuses: statuses, scope: scope, after: after, limit: limit)
        let dismissals = try await reviews.dismissals()
        var items: [JSONDocument] = []
        for entry in page.items {
            let dismissal = dismissals[entry.resolution.subject]
            if dismissal != nil && !includeDismissed { continue }
            let history = try await phones.history(subject: entry.resolution.subject)
            items.append(Self.item(entry, history: history, dismissal: dismissal))
        }
        return .object(["items": .array(items), "next": page.next.map { .string("\($0)") } ?? .null])
    }

    /// A queue row: the subject, its key and state, what was tried and who disagreed. Phones
    /// are shown whole: this is the page where the operator needs them.
    static func item(_ entry: PhoneSubjectPage.Entry, history: PhoneSubjectHistory?, dismissal: ReviewStore.Dismissal?) -> JSONDocument {
        let r = entry.resolution
        var members: [String: JSONDocument] = [
            "id": .integer(entry.id), "subject": .string(r.subject), "key": .string(r.key.description), "status": .string(r.status.rawValue),
            "phone": .optional(r.phone?.e164), "source": .optional(r.source), "flow": .optional(r.label), "rounds": .integer(Int64(r.rounds)),
            "created_at": .string(Time.format(r.createdAt)), "updated_at": .string(Time.format(r.updatedAt)),
            "dismissed": .bool(dismissal != nil), "dismissal_note": .optional(dismissal?.note),
        ]
        if let history {
            members["tried"] = .string(tried(history.attempts))
            members["attempts"] = .integer(Int64(history.attempts.count))
            members["linked_keys"] = .array(history.linkedKeys.map { .string($0.description) })
            members["disagreements"] = .array(history.disagreements.map { d in
                .object(["kind": .string(d.kind), "kept_phone": .string(d.keptPhone), "kept_source": .string(d.keptSource),
                         "other_phone": .string(d.otherPhone), "other_source": .string(d.otherSource), "at": .string(Time.format(d.at))])
            })
        }
        return .object(members)
    }

    /// `evidence: miss ×3; metaflow.token_map: miss ×2, timeout` — each strategy's outcomes in order of first use.
    static func tried(_ attempts: [PhoneSubjectHistory.Attempt]) -> String {
        var order: [String] = []
        var outcomes: [String: [String: Int]] = [:]
        var outcomeOrder: [String: [String]] = [:]
        for attempt in attempts {
            if outcomes[attempt.strategy] == nil { order.append(attempt.strategy); outcomes[attempt.strategy] = [:] }
            if outcomes[attempt.strategy]?[attempt.outcome] == nil { outcomeOrder[attempt.strategy, default: []].append(attempt.outcome) }
            outcomes[attempt.strategy]?[attempt.outcome, default: 0] += 1
        }
        return order.map { strategy in
            let parts = (outcomeOrder[strategy] ?? []).map { outcome in
                let n = outcomes[strategy]?[outcome] ?? 0
                return n > 1 ? "\(outcome) ×\(n)" : outcome
            }
            return "\(strategy): \(parts.joined(separator: ", "))"
        }.joined(separator: "; ")
    }
}
