/// Routes a decrypted request through a flow's configured screens (Meta's actions, S1):
///
/// - `ping` → `{"data":{"status":"active"}}`;
/// - an error notice (`data.error`, `data.error_key` or `data.error_message`, on any action)
///   → `{"data":{"acknowledged":true}}`;
/// - `INIT` → the first screen with its data; the response record is opened;
/// - `data_exchange` on screen S → S's answers are merged into the record, then S's `next`
///   screen, or at `SUCCESS` the completion (`FlowPlan.Answer.completion`); an empty screen
///   is taken as the first one;
/// - `BACK` from screen S → the screen before S (`FlowDefinition.screen(before:)`).
enum FlowRouter {
    static let active: JSONValue = .object(["data": .object(["status": .string("active")])])
    static let acknowledged: JSONValue = .object(["data": .object(["acknowledged": .bool(true)])])

    static func plan(_ request: FlowRequest, flow: FlowDefinition) throws(FlowEndpointError) -> FlowPlan {
        let action = request.action ?? ""
        if action == "ping" { return .reply(active) }
        if request.errorNotice != nil { return .reply(acknowledged) }
        switch action {
        case "INIT":
            return FlowPlan(change: .open, answer: .json(.screen(flow.firstScreen, data: flow.data(of: flow.firstScreen))), checksToken: true)
        case "BACK":
            let target = flow.screen(before: request.screenID ?? "")
            return FlowPlan(change: .none, answer: .json(.screen(target, data: flow.data(of: target))), checksToken: true)
        case "data_exchange":
            let current = request.screenID ?? flow.firstScreen
            guard let screen = flow.screens[current] else {
                let refusal = FlowEndpointError(.unroutable, "data_exchange from screen \"\(current)\", which the flow's config does not list")
                return FlowPlan(change: .merge(request.fields), answer: .refuse(refusal), checksToken: true)
            }
            let target = screen.target
            if target == ScreenDefinition.success {
                return FlowPlan(change: .complete(request.fields), answer: .completion, checksToken: true)
            }
            return FlowPlan(change: .merge(request.fields), answer: .json(.screen(target, data: flow.data(of: target))), checksToken: true)
        default:
            throw FlowEndpointError(.unroutable, action.isEmpty ? "the request has no action" : "unknown action \"\(action.prefix(40))\"")
        }
    }

    /// The completion answer: `params` holds the merged answers, then the flow's
    /// `completion_params` over them, then the flow_token (Meta requires it; absent only when
    /// the client sent none).
    static func completion(answers: [String: JSONValue], flow: FlowDefinition, token: String?) -> JSONValue {
        var params = answers
        for (name, value) in flow.completionParams ?? [:] { params[name] = value }
        if let token { params["flow_token"] = .string(token) }
        return .object([
            "screen": .string(ScreenDefinition.success),
            "data": .object(["extension_message_response": .object(["params": .object(params)])]),
        ])
    }
}
