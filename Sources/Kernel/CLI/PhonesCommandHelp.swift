/// `--help` of the `phones …` commands (`report`, `pending`, `show` and `assign` open storage).
enum PhonesCommandHelp {
    /// The help of `command`, or nil when it is not one of these.
    static func text(for command: String) -> String? {
        switch command {
        case "phones":
            return """
            usage: switchboard phones report|pending|show|assign|normalize [options]

              phones report      capture rate overall, by source and by day
              phones pending     subjects without a settled phone: pending, unresolved, conflict
              phones show        one subject: its phone, keys, every strategy attempt, disagreements
              phones assign      give a subject a phone by hand (settles a conflict)
              phones normalize   normalise numbers to E.164

            See switchboard phones <subcommand> --help.
            """
        case "phones report":
            return """
            usage: switchboard phones report [--json] [--config FILE]

            Counts subjects by status; the capture rate is resolved ÷ all subjects (a subject in conflict
            waits for review and is not counted), also by source and by day of creation (UTC).
              --json           one JSON object: subjects, resolved, pending, unresolved, conflict, capture_rate
                               (null without subjects), by_source [{source, kind, subjects, rate}],
                               by_day [{day, subjects, resolved, capture_rate}]
            \(StorageCommandHelp.storageNote)
            """
        case "phones pending":
            return """
            usage: switchboard phones pending [--status S] [--limit N] [--json] [--config FILE]

            Lists the review queues: subjects pending (still retried), unresolved (retries exhausted) and in
            conflict (two observed sources disagreed), oldest first.
              --status S       pending, resolved, unresolved, conflict, or all
              --limit N        at most N subjects
              --json           one JSON object per line: subject, key, status, phone, source, source_kind, rounds,
                               created_at, updated_at, resolved_at, next_attempt_at
            \(StorageCommandHelp.storageNote)
            """
        case "phones show":
            return """
            usage: switchboard phones show SUBJECT [--json] [--config FILE]

            Shows a subject: status, phone and source, its linked keys, every strategy attempt (round,
            outcome, latency) and the sources that disagreed.
            \(StorageCommandHelp.storageNote)
            """
        case "phones assign":
            return """
            usage: switchboard phones assign SUBJECT PHONE [--note TEXT] [--region R] [--json] [--config FILE]

            Records PHONE as the operator's (manual) evidence for the subject's key: it resolves the subject
            and every subject sharing the key, replaces what other sources said and settles a conflict.
            PHONE is normalised (national numbers with --region or phone.default_region).
            \(StorageCommandHelp.storageNote)
            """
        case "phones normalize":
            return """
            usage: switchboard phones normalize [--region R] [--json] [--config FILE] NUMBER…

              --region R       read national numbers in region R (ISO 3166, like MA); overrides the config
              --config FILE    take phone.default_region from FILE (no config is needed otherwise)
              --json           one JSON object per input: {"input","e164"} or {"input","error","message"},
                               error being a reason code (too_long, unknown_country_code, whatsapp_lid, …)

            NUMBER is text as people and providers write it: +212 6-10 05 91 59, (+212) 610059159,
            00212610059159, 0610059159 (with a region), 212610059159@c.us, whatsapp:+212610059159.
            "-" reads one number per line from stdin; blank lines are answered too, so answers pair with lines.
            Prints one line per input, in order: INPUT<TAB>+E164 or INPUT<TAB>error: REASON.
            Exit codes: 0 every input is a phone number, 1 some input was rejected, 2 usage or config error.
            """
        default:
            return nil
        }
    }
}
