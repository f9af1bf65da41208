import PluginAPI

/// The operator's routes, behind the admin token: `GET /cloudtalk/calls` (the listing),
/// `POST /cloudtalk/calls/:call/follow-up` (send a failed or skipped follow-up again, ignoring
/// the cooldown; `:call` is the call's `call_uuid` or `call_id`), and the admin panel over them.
struct CallRoutes: Sendable {
    let store: any Store
    let phones: any Phones
    let jobs: any JobQueue
    let clock: any TimeSource
    let log: any Logger
    /// Whether a request carries the admin token (`context.adminAuthorized`).
    let authorized: @Sendable (Request) -> Bool
    /// False when `follow_up` is not configured (then there is nothing to retry).
    let followUpEnabled: Bool

    static func unauthorized() -> Response {
        var response = Response.error(status: 401, code: "unauthorized", message: "admin token required (Authorization: Bearer …)")
        response.headers.set("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"")
        return response
    }

    static let panel = AdminPanel(
        id: "calls", title: "CloudTalk calls", source: "/calls", rowsKey: "calls",
        columns: [
            .init("created_at", title: "Call ended", format: .time), .init("direction", title: "Direction"),
            .init("external_number", title: "Customer", format: .phone), .init("status", title: "Status"),
            .init("should_send", title: "Follow-up due", format: .flag), .init("follow_up_status", title: "Follow-up"),
            .init("follow_up_sent_at", title: "Sent", format: .time), .init("replied_at", title: "Replied", format: .time),
            .init("document_received", title: "Document", format: .flag), .init("call_uuid", title: "Call uuid"),
        ],
        actions: [.init("Retry follow-up", path: "/calls/:call_uuid/follow-up",
                        confirm: "Send this call's follow-up again now, ignoring the cooldown?")])

    func register(_ registrar: any Registrar) {
        let store = self.store
        let phones = self.phones
        let clock = self.clock
        let authorized = self.authorized
        registrar.route(.get, "/calls") { request in
            guard authorized(request) else { return Self.unauthorized() }
            let filter = try CallListing.filter(request.queryItems, now: clock.nowMillis, phones: phones)
            let page = try await store.read { db in try CallListing.page(filter, in: db) }
            return .json(bytes: try CallListing.body(page))
        }
        let jobs = self.jobs
        let log = self.log
        let followUpEnabled = self.followUpEnabled
        registrar.route(.post, "/calls/:call/follow-up") { request in
            guard authorized(request) else { return Self.unauthorized() }
            guard followUpEnabled else { throw HTTPError(409, "follow_up_disabled", "plugins.cloudtalk.config.follow_up is not configured") }
            guard let ref = request.parameters["call"], !ref.isEmpty else { throw HTTPError(400, "bad_request", "missing call") }
            let now = clock.nowMillis
            let result: (id: Int64, state: String, rescheduled: Bool)? = try await store.write { db in
                guard let call = try db.queryOne(CallSQL.findByCallRef, ref).map(CallRecord.init(row:)) else { return nil }
                guard try db.execute(CallSQL.reschedule, call.id, now) == 1 else { return (call.id, call.followUpStatus, false) }
                try jobs.enqueue(FollowUpSender.job(call: call.id, at: now, force: true), in: db)
                return (call.id, CallRecord.FollowUp.scheduled, true)
            }
            guard let (id, state, rescheduled) = result else { throw HTTPError(404, "not_found", "no call with call_uuid or call_id \(ref)") }
            guard rescheduled else {
                throw HTTPError(409, "not_retryable", "the follow-up is \(state); only failed or skipped ones are sent again")
            }
            log.info("cloudtalk follow-up retried by the operator", ["call": "\(id)"])
            return try .json(["call": String(id), "follow_up_status": state], status: 202)
        }
        registrar.describe(.get, "/calls", CallRouteDocs.list)
        registrar.describe(.post, "/calls/:call/follow-up", CallRouteDocs.followUp)
        registrar.adminPanel(Self.panel)
    }
}
