/// The kernel's own tables, as migrations of owner `kernel`. Times are Unix milliseconds.
/// Never edit an entry once released: add a new version instead (checksums are checked).
enum KernelSchema {
    static let migrations: [PluginRegistrar.MigrationRecord] = [
        .init(version: 1, sql: """
        CREATE TABLE switchboard_inbox (
            id {{id}},
            plugin TEXT NOT NULL,
            route TEXT NOT NULL,
            headers TEXT NOT NULL,
            body {{blob}} NOT NULL,
            received_at BIGINT NOT NULL,
            dedupe_key TEXT,
            status TEXT NOT NULL,
            duplicate_of BIGINT,
            job_id BIGINT,
            error TEXT,
            processed_at BIGINT
        );
        CREATE UNIQUE INDEX switchboard_inbox_dedupe ON switchboard_inbox (plugin, route, dedupe_key)
            WHERE dedupe_key IS NOT NULL AND status <> 'duplicate';
        CREATE INDEX switchboard_inbox_received ON switchboard_inbox (received_at);
        CREATE INDEX switchboard_inbox_status ON switchboard_inbox (status, received_at);

        CREATE TABLE switchboard_inbox_rejections (
            id {{id}},
            plugin TEXT NOT NULL,
            route TEXT NOT NULL,
            reason TEXT NOT NULL,
            size BIGINT NOT NULL,
            remote_address TEXT NOT NULL,
            received_at BIGINT NOT NULL
        );
        CREATE INDEX switchboard_inbox_rejections_received ON switchboard_inbox_rejections (received_at);

        CREATE TABLE switchboard_jobs (
            id {{id}},
            name TEXT NOT NULL,
            queue TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            run_at BIGINT NOT NULL,
            lease_until BIGINT,
            locked_by TEXT,
            unique_key TEXT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            finished_at BIGINT
        );
        CREATE INDEX switchboard_jobs_claim ON switchboard_jobs (status, queue, run_at);
        CREATE INDEX switchboard_jobs_lease ON switchboard_jobs (status, lease_until);
        CREATE INDEX switchboard_jobs_finished ON switchboard_jobs (finished_at);
        CREATE UNIQUE INDEX switchboard_jobs_unique ON switchboard_jobs (unique_key)
            WHERE unique_key IS NOT NULL AND status IN ('available', 'running');

        CREATE TABLE switchboard_rate_limits (
            queue TEXT PRIMARY KEY,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE switchboard_rate_starts (
            id {{id}},
            queue TEXT NOT NULL,
            started_at BIGINT NOT NULL
        );
        CREATE INDEX switchboard_rate_starts_queue ON switchboard_rate_starts (queue, started_at);

        CREATE TABLE switchboard_periodic (
            name TEXT PRIMARY KEY,
            last_slot BIGINT NOT NULL
        );

        CREATE TABLE switchboard_events (
            id {{id}},
            name TEXT NOT NULL,
            payload TEXT NOT NULL,
            published_at BIGINT NOT NULL
        );
        CREATE INDEX switchboard_events_published ON switchboard_events (published_at);
        """, postgres: nil),
        .init(version: 2, sql: """
        CREATE TABLE switchboard_messages (
            id {{id}},
            direction TEXT NOT NULL,
            channel TEXT NOT NULL,
            phone TEXT NOT NULL,
            text TEXT,
            media_url TEXT,
            payload TEXT,
            provider_id TEXT,
            status TEXT NOT NULL,
            error TEXT,
            created_at BIGINT NOT NULL,
            sent_at BIGINT,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX switchboard_messages_phone ON switchboard_messages (phone, created_at);
        CREATE INDEX switchboard_messages_provider ON switchboard_messages (channel, provider_id);
        CREATE INDEX switchboard_messages_created ON switchboard_messages (created_at);
        """, postgres: nil),
        .init(version: 3, sql: PhoneSchema.version3, postgres: nil),
        // Fewer B-trees written per enqueued job: the rescuer finds running jobs through the
        // claim index (status first; few run at once), and only finished jobs are in the
        // pruning index.
        .init(version: 4, sql: """
        DROP INDEX switchboard_jobs_lease;
        DROP INDEX switchboard_jobs_finished;
        CREATE INDEX switchboard_jobs_finished ON switchboard_jobs (finished_at) WHERE finished_at IS NOT NULL;
        """, postgres: nil),
        // Subjects' labels (reports by flow); each plugin's latest webhook request found
        // through an index (Integrity's last-seen times), not a scan of the inbox.
        .init(version: 5, sql: PhoneSchema.version5 + """

        CREATE INDEX switchboard_inbox_plugin_received ON switchboard_inbox (plugin, received_at);
        """, postgres: nil),
        // One B-tree fewer written per subject: most subjects have no label, and reports by
        // label ask for one (`label = $n` implies the index's condition).
        .init(version: 6, sql: """
        DROP INDEX switchboard_phone_subjects_label;
        CREATE INDEX switchboard_phone_subjects_label ON switchboard_phone_subjects (label, created_at) WHERE label IS NOT NULL;
        """, postgres: nil),
        // The claim reads the due jobs in `run_at, id` order. With `queue` between `status` and
        // `run_at` the index could not give that order: every claim read and sorted all the
        // available jobs (63,000 after a 10-second burst of webhooks, most of the writer's CPU).
        // In this order a claim reads only the jobs it takes.
        .init(version: 7, sql: """
        DROP INDEX switchboard_jobs_claim;
        CREATE INDEX switchboard_jobs_claim ON switchboard_jobs (status, run_at, id);
        """, postgres: nil),
    ]
}
