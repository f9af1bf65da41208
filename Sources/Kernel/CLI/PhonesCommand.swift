import PluginAPI

/// `switchboard phones report|pending|show|assign`: phone resolution from the command line,
/// through the same `PhoneQueries` as `/api/admin/phones/…`. (`phones normalize` needs no
/// storage and lives in its own file.)
enum PhonesCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        let json = parsed.flags.contains("json")
        switch parsed.command {
        case "phones report":
            let report = try await session.runPhones { try await $0.report() }
            print(json ? report.json.jsonText() : render(report))
        case "phones pending":
            let filter = try AdminParameters.phoneFilter(parsed.options, limits: .unbounded)
            let page = try await session.runPhones { try await $0.subjects(filter) }
            Listing.print(page.items, json: json, empty: "no subjects waiting for a phone",
                          headers: ["SUBJECT", "KEY", "STATUS", "PHONE", "ROUNDS", "NEXT_ATTEMPT", "CREATED_AT"], object: \.resolution.json) { item in
                let r = item.resolution
                return [r.subject, TextTable.short(r.key.description), r.status.rawValue, r.phone?.e164 ?? "-", "\(r.rounds)",
                        r.nextAttemptAt.map { RFC3339.format(millis: $0) } ?? "-", RFC3339.format(millis: r.createdAt)]
            }
        case "phones show":
            let subject = parsed.arguments.first ?? ""
            let detail = try await session.runPhones { try await $0.detail(subject: subject) }
            print(json ? detail.json.jsonText() : render(detail))
        case "phones assign":
            let subject = parsed.arguments.first ?? ""
            let phone = parsed.arguments.count > 1 ? parsed.arguments[1] : ""
            let resolution = try await session.runPhones {
                try await $0.assign(subject: subject, phone: phone, region: parsed.options["region"], note: parsed.options["note"])
            }
            if json {
                print(resolution.json.jsonText())
            } else {
                print("\(resolution.subject): \(resolution.phone?.e164 ?? "-") (\(resolution.source ?? "-"), \(resolution.status.rawValue))")
            }
        default:
            throw UsageError("unknown command \(parsed.command)")
        }
        return 0
    }

    static func percent(_ rate: Double?) -> String {
        guard let rate else { return "n/a" }
        let tenths = Int((rate * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func render(_ report: PhoneQueries.Report) -> String {
        var lines = [
            "subjects \(report.total): resolved \(report.count(.resolved)), pending \(report.count(.pending)), "
                + "unresolved \(report.count(.unresolved)), conflict \(report.count(.conflict))",
            "capture rate \(percent(report.captureRate))",
        ]
        if !report.bySource.isEmpty {
            var table = TextTable(["SOURCE", "KIND", "SUBJECTS", "SHARE"])
            for source in report.bySource {
                table.add([source.source, source.kind.description, "\(source.subjects)",
                           percent(PhoneQueries.Report.rate(source.subjects, of: report.total))])
            }
            lines += ["", "by source:", table.rendered]
        }
        if !report.byDay.isEmpty {
            var table = TextTable(["DAY", "SUBJECTS", "RESOLVED", "CAPTURE_RATE"])
            for day in report.byDay {
                table.add([day.day, "\(day.subjects)", "\(day.resolved)", percent(PhoneQueries.Report.rate(day.resolved, of: day.subjects))])
            }
            lines += ["", "by day:", table.rendered]
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ detail: PhoneQueries.Detail) -> String {
        let r = detail.subject.resolution
        var lines = [
            "subject     \(r.subject)",
            "status      \(r.status.rawValue)",
            "phone       \(r.phone?.e164 ?? "-")" + (r.source.map { " (\($0), \(r.sourceKind?.description ?? "-"))" } ?? ""),
            "keys        \(detail.linkedKeys.map(\.description).joined(separator: ", "))",
            "rounds      \(r.rounds)" + (r.nextAttemptAt.map { ", next \(RFC3339.format(millis: $0))" } ?? ""),
            "created     \(RFC3339.format(millis: r.createdAt))",
        ]
        if !detail.attempts.isEmpty {
            var table = TextTable(["ROUND", "STRATEGY", "OUTCOME", "LATENCY_MS", "DETAIL"])
            for a in detail.attempts {
                table.add(["\(a.round)", a.strategy, a.outcome, "\(Double(a.latencyMicros / 10) / 100)", TextTable.short(a.detail)])
            }
            lines += ["", table.rendered]
        }
        if !detail.disagreements.isEmpty {
            var table = TextTable(["KIND", "KEPT", "KEPT_SOURCE", "OTHER", "OTHER_SOURCE"])
            for d in detail.disagreements { table.add([d.kind, d.keptPhone, d.keptSource, d.otherPhone, d.otherSource]) }
            lines += ["", table.rendered]
        }
        return lines.joined(separator: "\n")
    }
}

extension StorageSession {
    /// Opens storage, runs `body` with the phone queries over it, and closes storage.
    func runPhones<T>(_ body: (PhoneQueries) async throws -> T) async throws -> T {
        let store = try await kernel.openStorage()
        do {
            let result = try await body(try kernel.phoneQueries(store: store))
            await kernel.closeStorage()
            return result
        } catch {
            await kernel.closeStorage()
            throw error
        }
    }
}
