import PluginAPI

/// `POST /metaflow/send`: one Flow to one phone (admin token). The token is stored and the
/// send queued in one transaction; then the answer waits up to `waitForSend` for the channel
/// to send it: `sent` with the wamid, or `queued` (a busy queue, a retry, no job runner).
struct SendRoutes: Sendable {
    let sender: FlowSender
    let store: any Store
    let phones: any Phones
    let authorized: @Sendable (Request) -> Bool
    let log: any Logger
    let waitForSend: Duration

    func register(_ registrar: any Registrar) {
        let routes = self
        registrar.route(.post, "/send", maxBody: 64 * 1024, doc: SendRouteDocs.send(flows: sender.flows.keys.sorted())) { request in try await routes.send(request) }
        let bulk = BulkRoutes(sender: sender, store: store, phones: phones, crypto: sender.crypto, clock: sender.clock, log: log)
        registrar.route(.post, "/send/bulk", maxBody: 4 * 1024 * 1024, doc: SendRouteDocs.bulk(flows: sender.flows.keys.sorted())) { request in
            guard routes.authorized(request) else { return SendRoutes.unauthorized }
            return try await bulk.create(request)
        }
        registrar.route(.get, "/send/bulk/:id", doc: SendRouteDocs.progress) { request in
            guard routes.authorized(request) else { return SendRoutes.unauthorized }
            return try await bulk.progress(request)
        }
    }

    static var unauthorized: Response {
        var response = Response.error(status: 401, code: "unauthorized", message: "admin token required (Authorization: Bearer …)")
        response.headers.set("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"")
        return response
    }

    func send(_ request: Request) async throws -> Response {
        guard authorized(request) else { return Self.unauthorized }
        let body = try SendRequest(body: request.body)
        let phone = try body.normalizedPhone(phones)
        let plan = try sender.plan(flow: body.flow, mode: body.mode)
        let token = try sender.newToken()
        let sender = self.sender
        let name = body.customerName
        _ = try await store.write { db in try sender.issue(plan, token: token, to: phone, name: name, batchID: nil, in: db) }
        log.info("flow queued", ["flow": plan.flowName, "mode": plan.mode.rawValue, "phone": phone.masked])
        let outcome = try await waitForOutcome(token: token)
        var answer: [String: JSONValue] = ["flow_token": .string(token), "phone_number": .string(phone.e164), "status": .string(outcome.status)]
        if let wamid = outcome.wamid { answer["message_id"] = .string(wamid) }
        if let error = outcome.error { answer["error"] = .string(error) }
        return .json(bytes: try JSONText.bytes(JSONValue.object(answer)), status: outcome.status == "failed" ? 502 : 200)
    }

    /// Polls the token's row until the channel has sent it (or failed it for good), at most `waitForSend`.
    private func waitForOutcome(token: String) async throws -> (status: String, wamid: String?, error: String?) {
        let deadline = ContinuousClock.now + waitForSend
        while true {
            let row = try await store.read { try $0.queryOne(SendSQL.loadByToken, token) }
            let status = try row?.optionalString("send_status")
            if status == "sent" { return ("sent", try row?.optionalString("wamid"), nil) }
            if status == "failed" { return ("failed", nil, try row?.optionalString("send_error")) }
            if ContinuousClock.now >= deadline { return ("queued", nil, nil) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
