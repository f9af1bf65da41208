import PluginAPI

/// `POST /metaflow/endpoint/:flow` and `POST /metaflow/endpoint` (the default flow): the
/// WhatsApp Flows data endpoint (protocols/meta §1). Answers within one storage write, far
/// inside Meta's 10 s.
struct FlowEndpoint: Sendable {
    let appSecret: [UInt8]
    let flows: [String: FlowDefinition]
    let defaultFlow: String?
    let policy: ResponseStore.TokenPolicy
    let key: EndpointKey
    let responses: ResponseStore
    let crypto: any CryptoProvider
    let clock: any TimeSource
    let log: any Logger
    let metrics: any MetricsRecorder

    /// The client sees this in the 427 answer (`error_msg`).
    static let expiredMessage = "This form has expired. Please ask us for a new link."

    func handle(_ request: Request) async throws -> Response {
        let flowName = request.parameters["flow"] ?? defaultFlow
        do {
            let response = try await respond(request, flowName: flowName)
            metrics.increment("flow_endpoint_requests", labels: ["status": "\(response.status)"])
            return response
        } catch let refusal as FlowEndpointError {
            metrics.increment("flow_endpoint_requests", labels: ["status": "\(refusal.status)"])
            let fields = ["flow": flowName ?? "", "status": "\(refusal.status)", "reason": refusal.message]
            if refusal.kind == .keyUnavailable { log.error("flow endpoint cannot decrypt", fields) } else { log.warning("flow endpoint refused a request", fields) }
            return refusal.response
        }
    }

    private func respond(_ request: Request, flowName: String?) async throws -> Response {
        // 1. The signature, on the raw body, before anything is parsed → 432.
        if let failure = MetaSignature.check(request.headers["x-hub-signature-256"], body: request.body, secret: appSecret, crypto: crypto) {
            throw FlowEndpointError(.signature, failure.rawValue)
        }
        // 2. The flow the URL names → 404 (a misconfigured Flow should fail its health check).
        guard let flowName, let flow = flows[flowName] else {
            throw FlowEndpointError(.unknownFlow, flowName.map { "no flow named \"\($0.prefix(64))\" is configured" }
                                    ?? "no default_flow is configured: use /metaflow/endpoint/<flow>")
        }
        // 3. Decrypt; anything unusable → 421 (the client re-fetches our public key and retries).
        let (session, plaintext) = try FlowCipher.open(request.body, with: try await key.key(), crypto: crypto)
        let flowRequest: FlowRequest
        do {
            flowRequest = try JSONText.decode(FlowRequest.self, from: plaintext)
        } catch {
            throw FlowEndpointError(.undecryptable, "the decrypted payload is not a JSON object of the Flow request shape")
        }
        // 4. Route on the action and the flow's screens.
        let plan = try FlowRouter.plan(flowRequest, flow: flow)
        if let notice = flowRequest.errorNotice {
            log.warning("flow client reported an error", ["flow": flowName, "screen": String((flowRequest.screen ?? "").prefix(64)),
                                                          "error": String((notice.key ?? "").prefix(100)),
                                                          "error_message": String((notice.message ?? "").prefix(200))])
        }
        // 5. Check the token and store the answers, committed before the answer goes out.
        var answers = plan.change.answers
        if plan.checksToken {
            switch try await record(plan, flowName: flowName, token: flowRequest.token) {
            case .refused(let reason):
                log.warning("flow token refused", ["flow": flowName, "reason": reason, "token_ref": tokenRef(flowRequest.token)])
                let body = try JSONText.bytes(JSONValue.object(["error_msg": .string(Self.expiredMessage)]))
                return try sealed(body, status: 427, session: session)
            case .applied(let merged, _):
                if flowRequest.token != nil { answers = merged }
            }
        }
        // 6. Answer, sealed with the request's key and the flipped IV.
        let json: JSONValue
        switch plan.answer {
        case .json(let value): json = value
        case .completion: json = FlowRouter.completion(answers: answers, flow: flow, token: flowRequest.token)
        case .refuse(let refusal): throw refusal
        }
        return try sealed(try JSONText.bytes(json), status: 200, session: session)
    }

    /// Applies the plan's change to the token's record (or refuses the token). A request
    /// without a flow_token is answered but not stored: there is no record to merge it into.
    private func record(_ plan: FlowPlan, flowName: String, token: String?) async throws -> ResponseStore.Outcome {
        guard let token else {
            if policy.strict { return .refused("no flow_token (strict_tokens)") }
            if plan.change != .none { log.warning("flow request without flow_token: answered, not stored", ["flow": flowName]) }
            return .applied(answers: plan.change.answers, responseID: nil)
        }
        return try await responses.apply(flow: flowName, token: token, change: plan.change, policy: policy, now: clock.nowMillis)
    }

    private func sealed(_ plaintext: [UInt8], status: Int, session: FlowCipher.Session) throws -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain"], body: Array(try session.seal(plaintext, crypto: crypto).utf8))
    }

    /// A short digest of the token, to correlate log lines without writing the token itself.
    private func tokenRef(_ token: String?) -> String {
        guard let token else { return "none" }
        return String(crypto.hex(crypto.sha256(Array(token.utf8))).prefix(12))
    }
}
