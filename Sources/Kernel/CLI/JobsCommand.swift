import PluginAPI

/// `switchboard jobs list|retry`: durable jobs from the command line, through the same
/// `AdminQueries` as the admin API.
enum JobsCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        if parsed.command == "jobs retry" { return try await retry(parsed, session) }
        return try await list(parsed, session)
    }

    /// Every match (or the newest `--limit`), oldest first: JSON lines with `--json`, a table otherwise.
    static func list(_ parsed: ParsedCommand, _ session: StorageSession) async throws -> Int32 {
        var filter = try AdminParameters.jobFilter(parsed.options, limits: .unbounded)
        filter.newest = true
        let page = try await session.run { try await $0.jobs(filter) }
        Listing.print(page.items, json: parsed.flags.contains("json"), empty: "no matching jobs",
                      headers: ["ID", "NAME", "QUEUE", "STATUS", "ATTEMPT", "RUN_AT", "FINISHED_AT", "LAST_ERROR"], object: \.json) { job in
            ["\(job.id)", job.name, job.queue, job.status, "\(job.attempt)/\(job.maxAttempts)", RFC3339.format(millis: job.runAt),
             job.finishedAt.map { RFC3339.format(millis: $0) } ?? "-", TextTable.short(job.lastError)]
        }
        return 0
    }

    /// A dead or cancelled job becomes available again.
    static func retry(_ parsed: ParsedCommand, _ session: StorageSession) async throws -> Int32 {
        let id = try AdminParameters.id("id", parsed.arguments.first ?? "")
        let job = try await session.run { try await $0.retryJob(id: id) }
        print("job \(job.id) (\(job.name)) is \(job.status) again, attempts reset (\(job.attempt) of \(job.maxAttempts))")
        return 0
    }
}
