/// The plugin's tables (times are Unix milliseconds):
///
/// - `integrity_timeline`: the live monitor's rows (messages in and out, calls, responses,
///   resolved phones), phone masked; pruned after `timeline_retention`.
/// - `integrity_alerts`: each alert rule's current state, so a restart or a second instance
///   does not announce it again.
/// - `integrity_review`: the operator's decisions on review-queue subjects (assignments and
///   dismissals) with their notes; a dismissed subject leaves the queue.
enum IntegritySchema {
    static let version1 = """
    CREATE TABLE integrity_timeline (
        id {{id}},
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT,
        direction TEXT,
        phone TEXT,
        summary TEXT NOT NULL,
        event_id BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX integrity_timeline_event ON integrity_timeline (event_id);
    CREATE INDEX integrity_timeline_at ON integrity_timeline (at);

    CREATE TABLE integrity_alerts (
        alert TEXT NOT NULL PRIMARY KEY,
        firing INTEGER NOT NULL,
        message TEXT NOT NULL,
        since BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    );

    CREATE TABLE integrity_review (
        id {{id}},
        subject TEXT NOT NULL,
        action TEXT NOT NULL,
        note TEXT,
        at BIGINT NOT NULL,
        active INTEGER NOT NULL
    );
    CREATE INDEX integrity_review_subject ON integrity_review (subject, id);
    CREATE INDEX integrity_review_active ON integrity_review (action, active);
    """
}
