import PluginAPI

/// The JSON the CLI (`--json`) and the admin API print for phone records (snake_case keys,
/// RFC 3339 times, rates as fractions or null).
extension PhoneQueries.Report {
    var json: JSONValue {
        .object([
            ("subjects", .integer(total)),
            ("resolved", .integer(count(.resolved))), ("pending", .integer(count(.pending))),
            ("unresolved", .integer(count(.unresolved))), ("conflict", .integer(count(.conflict))),
            ("capture_rate", .rate(captureRate)),
            ("by_source", .array(bySource.map { source in
                .object([("source", .string(source.source)), ("kind", .string(source.kind.description)),
                         ("subjects", .integer(source.subjects)), ("rate", .rate(Self.rate(source.subjects, of: total)))])
            })),
            ("by_day", .array(byDay.map { day in
                .object([("day", .string(day.day)), ("subjects", .integer(day.subjects)), ("resolved", .integer(day.resolved)),
                         ("capture_rate", .rate(Self.rate(day.resolved, of: day.subjects)))])
            })),
        ])
    }
}

extension PhoneResolution {
    var json: JSONValue {
        .object([
            ("subject", .string(subject)), ("key", .string(key.description)), ("status", .string(status.rawValue)),
            ("phone", .optional(phone?.e164)), ("source", .optional(source)), ("source_kind", .optional(sourceKind?.description)),
            ("rounds", .integer(Int64(rounds))), ("created_at", .time(createdAt)), ("updated_at", .time(updatedAt)),
            ("resolved_at", .time(resolvedAt)), ("next_attempt_at", .time(nextAttemptAt)),
        ])
    }
}

extension PhoneQueries.Detail {
    var json: JSONValue {
        guard case .object(var members) = subject.resolution.json else { return .null }
        members.append(("linked_keys", .array(linkedKeys.map { .string($0.description) })))
        members.append(("attempts", .array(attempts.map { a in
            .object([("round", .integer(a.round)), ("strategy", .string(a.strategy)), ("outcome", .string(a.outcome)),
                     ("latency_ms", .double(Double(a.latencyMicros) / 1000)), ("detail", .optional(a.detail)), ("at", .time(a.at))])
        })))
        members.append(("disagreements", .array(disagreements.map { d in
            .object([("kind", .string(d.kind)), ("kept_phone", .string(d.keptPhone)), ("kept_source", .string(d.keptSource)),
                     ("other_phone", .string(d.otherPhone)), ("other_source", .string(d.otherSource)), ("at", .time(d.at))])
        })))
        return .object(members)
    }
}

extension JSONValue {
    /// A fraction rounded to 4 places, or null.
    static func rate(_ value: Double?) -> JSONValue {
        value.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null
    }
}
