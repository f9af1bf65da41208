import FoundationEssentials
import PluginAPI

/// Issues a Flow to a phone: a fresh unpredictable flow_token, stored with the phone, the
/// customer's name, the flow and the time, the phone learned for the token, and the send
/// queued on `whatsapp_cloud` — all in the caller's transaction, so a token exists exactly
/// when its send does, and is stored before Meta is ever called.
struct FlowSender: Sendable {
    /// `interactive` (inside the 24-hour window; falls back to the template on 131047) or
    /// `template` (business-initiated).
    enum Mode: String, Sendable {
        case interactive, template
    }

    /// A flow resolved and checked once, ready to make messages for any number of recipients.
    struct Plan: Sendable {
        var flowName: String
        var flow: FlowDefinition
        var mode: Mode
    }

    static let phoneSource = "metaflow.token_map"

    let flows: [String: FlowDefinition]
    let defaultFlow: String?
    let phones: any Phones
    let channels: any Channels
    let crypto: any CryptoProvider
    let clock: any TimeSource

    /// Resolves `flow` (or the default) and `mode`, and checks the flow can be sent that way.
    func plan(flow requested: String?, mode text: String?) throws(SendError) -> Plan {
        guard let name = requested ?? defaultFlow else {
            throw SendError(400, "missing_flow", "name the flow to send (\"flow\"); there is no default_flow")
        }
        guard let flow = flows[name] else {
            throw SendError(400, "unknown_flow", "no flow named \"\(name)\" (flows: \(flows.keys.sorted().joined(separator: ", ")))")
        }
        guard let mode = Mode(rawValue: text ?? Mode.interactive.rawValue) else {
            throw SendError(400, "invalid_mode", "mode must be \"interactive\" or \"template\"")
        }
        let plan = Plan(flowName: name, flow: flow, mode: mode)
        _ = try message(plan, token: "check")
        return plan
    }

    /// The queued message: the Graph fields of the mode, with the template as the 131047 fallback.
    func message(_ plan: Plan, token: String) throws(SendError) -> ChannelMessage {
        let template = FlowMessages.template(flow: plan.flow, token: token)
        let fields: [String: JSONValue]
        var fallback: [String: JSONValue]?
        switch plan.mode {
        case .interactive:
            fields = try FlowMessages.interactive(flow: plan.flow, name: plan.flowName, token: token)
            fallback = template
        case .template:
            guard let template else {
                throw SendError(400, "flow_not_sendable",
                                "flow \(plan.flowName) has no template (plugins.metaflow.config.flows.\(plan.flowName).template)")
            }
            fields = template
        }
        do {
            return ChannelMessage(payload: try CloudMessage.payload(fields, flowToken: token, fallback: fallback))
        } catch {
            throw SendError(500, "encoding_failed", "could not encode the message")
        }
    }

    /// 128 random bits, base64url without padding: unguessable, safe in URLs and JSON.
    func newToken() throws -> String {
        let bytes = try crypto.randomBytes(16)
        let text = Data(bytes).base64EncodedString()
            .replacingLiteral("+", with: "-").replacingLiteral("/", with: "_").replacingLiteral("=", with: "")
        return "ft_" + text
    }

    /// Stores the token and queues its send in `db`'s transaction; returns the kernel message id.
    func issue(_ plan: Plan, token: String, to phone: PhoneNumber, name: String?, batchID: Int64?, in db: any SQLConnection) throws -> Int64 {
        let message = try self.message(plan, token: token)
        let messageID = try channels.send(channel: CloudChannel.id, to: phone, message: message, in: db)
        try db.execute(SendSQL.insertToken, [.text(token), .text(plan.flowName), .text(phone.e164), .integer(clock.nowMillis),
                                             name.map(SQLValue.text) ?? .null, .integer(messageID), batchID.map(SQLValue.integer) ?? .null])
        // We know the phone now: answers carrying this token resolve from this evidence.
        try phones.learn(key: .flowToken(token), phone: phone, source: Self.phoneSource, in: db)
        return messageID
    }
}
