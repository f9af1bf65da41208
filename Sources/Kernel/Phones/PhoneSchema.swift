/// The phone tables (kernel migration 3). Times are Unix milliseconds.
///
/// - `switchboard_phone_keys`: every key seen; `group_id` is the id of the group of linked
///   keys it belongs to (its own id until it is linked).
/// - `switchboard_phone_evidence`: key → phone, with its source and the source's rank
///   (0 pattern, 1 observed, 2 manual); one row per key, phone and source.
/// - `switchboard_phone_subjects`: what needs a phone, its key, status and chosen phone.
/// - `switchboard_phone_attempts`: every strategy run (outcome, latency).
/// - `switchboard_phone_disagreements`: sources that disagreed: `conflict` (two observed,
///   flagged for review) or `pattern_replaced` (a guess corrected by observed evidence).
enum PhoneSchema {
    /// A subject's label (`track(…, label:)`: MetaFlow's flow name), for reports by flow.
    static let version5 = """
    ALTER TABLE switchboard_phone_subjects ADD COLUMN label TEXT;
    CREATE INDEX switchboard_phone_subjects_label ON switchboard_phone_subjects (label, created_at);
    """

    static let version3 = """
    CREATE TABLE switchboard_phone_keys (
        id {{id}},
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        group_id BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX switchboard_phone_keys_key ON switchboard_phone_keys (kind, value);
    CREATE INDEX switchboard_phone_keys_group ON switchboard_phone_keys (group_id);

    CREATE TABLE switchboard_phone_evidence (
        id {{id}},
        key_id BIGINT NOT NULL,
        phone TEXT NOT NULL,
        source TEXT NOT NULL,
        rank INTEGER NOT NULL,
        note TEXT,
        learned_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX switchboard_phone_evidence_key ON switchboard_phone_evidence (key_id, phone, source);

    CREATE TABLE switchboard_phone_subjects (
        id {{id}},
        subject TEXT NOT NULL,
        key_id BIGINT NOT NULL,
        status TEXT NOT NULL,
        phone TEXT,
        source TEXT,
        rank INTEGER,
        rounds INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        resolved_at BIGINT
    );
    CREATE UNIQUE INDEX switchboard_phone_subjects_subject ON switchboard_phone_subjects (subject);
    CREATE INDEX switchboard_phone_subjects_key ON switchboard_phone_subjects (key_id);
    CREATE INDEX switchboard_phone_subjects_status ON switchboard_phone_subjects (status, created_at);

    CREATE TABLE switchboard_phone_attempts (
        id {{id}},
        subject_id BIGINT NOT NULL,
        round INTEGER NOT NULL,
        strategy TEXT NOT NULL,
        outcome TEXT NOT NULL,
        latency_us BIGINT NOT NULL,
        detail TEXT,
        at BIGINT NOT NULL
    );
    CREATE INDEX switchboard_phone_attempts_subject ON switchboard_phone_attempts (subject_id, id);

    CREATE TABLE switchboard_phone_disagreements (
        id {{id}},
        subject_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        kept_phone TEXT NOT NULL,
        kept_source TEXT NOT NULL,
        other_phone TEXT NOT NULL,
        other_source TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX switchboard_phone_disagreements_pair
        ON switchboard_phone_disagreements (subject_id, kind, other_phone, other_source);
    """
}
