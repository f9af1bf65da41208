/// The operator's side of phone resolution, for plugins that report on it (Integrity): the
/// capture-rate report, the review queues, one subject's history, and manual assignment.
/// The same queries as `switchboard phones …` and `/api/admin/phones/…`.
public protocol PhoneReview: Sendable {
    /// Counts by status, by source and by day of the subjects in `scope`. Reads only.
    func report(_ scope: PhoneSubjectScope) async throws -> PhoneReport

    /// Subjects with one of `statuses` in `scope`, in id order, after row id `after`, at most
    /// `limit` (1…1000). Reads only.
    func subjects(statuses: [PhoneResolutionStatus], scope: PhoneSubjectScope, after: Int64?, limit: Int) async throws -> PhoneSubjectPage

    /// One subject with its keys, attempts and disagreements; nil when there is none. Reads only.
    func history(subject: String) async throws -> PhoneSubjectHistory?

    /// The operator's number for the subject's key (manual evidence, with `note`): resolves
    /// the subject and every subject sharing the key, and settles a conflict. `phone` is
    /// normalised in `region` (else the default region). Throws an `HTTPResponseError`: 404
    /// for an unknown subject, 400 for a number that is not one or a note over 2000 bytes.
    func assign(subject: String, phone: String, region: String?, note: String?) async throws -> PhoneResolution
}
