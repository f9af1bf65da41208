/// `--help` of the commands that work on storage: `migrate`, `inbox …` and `jobs …`.
enum StorageCommandHelp {
    static let storageNote = """
    Opens storage.url of the config (applying pending migrations) alongside a running server, if any:
    SQLite in WAL mode allows it. Exit codes: 0 ok, 1 failure, 2 usage, config or unreachable storage.
    """

    static let timeNote = "TIME is RFC 3339 (2026-11-22T10:00:00Z) or a duration ago (30m, 2h, 7d)."

    /// The help of `command`, or nil when it is not one of these.
    static func text(for command: String) -> String? {
        switch command {
        case "migrate":
            return """
            usage: switchboard migrate [--config FILE]

            Opens storage.url and applies the pending migrations of the kernel and of every enabled plugin,
            printing each one applied ("applied kernel 1"), or "nothing to apply". A migration whose SQL changed
            after it was applied is an error (exit 1); storage that cannot be opened exits 2.
            """
        case "inbox":
            return """
            usage: switchboard inbox list|show|replay [options]

              inbox list     list stored webhook requests
              inbox show     show one stored request: headers, body, its job
              inbox replay   process stored requests again

            See switchboard inbox <subcommand> --help.
            """
        case "inbox list":
            return """
            usage: switchboard inbox list [--since TIME] [--status S] [--plugin P] [--limit N] [--json] [--config FILE]

              --since TIME     only requests received at or after TIME
              --status S       received, processed, duplicate or dead (its processing job died)
              --plugin P       only requests to plugin P
              --limit N        only the newest N matches (default: every match)
              --json           one JSON object per line: id, plugin, route, dedupe_key, status, received_at,
                               processed_at, duplicate_of, size, error, job_id

            Oldest first, newest last. \(timeNote)
            \(storageNote)
            """
        case "inbox show":
            return """
            usage: switchboard inbox show ID [--json] [--config FILE]

            Shows stored request ID: its fields, headers (credentials are never stored), body (UTF-8 text, or
            base64 when it is not valid UTF-8), and its processing job's status and last error.
            \(storageNote)
            """
        case "inbox replay":
            return """
            usage: switchboard inbox replay ID [--config FILE]
                   switchboard inbox replay --since TIME [--plugin P] [--config FILE]

            Enqueues the processing of request ID again, or of every request received since TIME (of plugin P),
            duplicates excepted; a running server picks the jobs up within its poll interval. A request whose
            job still waits or runs is left alone and reported. Refuses (exit 1) requests of plugins this config
            does not enable. \(timeNote)
            \(storageNote)
            """
        case "jobs":
            return """
            usage: switchboard jobs list|retry [options]

              jobs list      list durable jobs
              jobs retry     make a dead or cancelled job run again

            See switchboard jobs <subcommand> --help.
            """
        case "jobs list":
            return """
            usage: switchboard jobs list [--status S] [--name N] [--limit N] [--json] [--config FILE]

              --status S       available, running, done, dead or cancelled
              --name N         only jobs named N (metaflow.webhook/webhook)
              --limit N        only the newest N matches (default: every match)
              --json           one JSON object per line: id, name, queue, status, attempt, max_attempts,
                               run_at, last_error, created_at, finished_at

            Oldest first, newest last.
            \(storageNote)
            """
        case "jobs retry":
            return """
            usage: switchboard jobs retry ID [--config FILE]

            Makes dead or cancelled job ID available again now, its attempts counted from 0. Refuses (exit 1)
            jobs in any other state, and kinds this config has no handler for.
            \(storageNote)
            """
        default:
            return nil
        }
    }
}
