import PluginAPI

/// The Graph fields that send a configured Flow: an interactive Flow message (inside the
/// 24-hour window) or the Flow's approved template with a FLOW button (business-initiated).
/// Shapes follow the protocol notes §3.1 and §3.3 (`payloads/graph/send_flow_*`).
enum FlowMessages {
    /// Button text when `cta` is not configured (Meta advises at most 30 characters).
    static let defaultCTA = "Start"

    /// Why a flow cannot be sent interactively, or the fields. `data_exchange`: the first
    /// screen comes from our endpoint's INIT, which is where the Flow's screens live.
    static func interactive(flow: FlowDefinition, name: String, token: String) throws(SendError) -> [String: JSONValue] {
        guard let flowID = flow.flowID, !flowID.isEmpty else {
            throw SendError(400, "flow_not_sendable", "flow \(name) has no flow_id (plugins.metaflow.config.flows.\(name).flow_id)")
        }
        guard let body = flow.body, !body.isEmpty else {
            throw SendError(400, "flow_not_sendable", "flow \(name) has no body text (plugins.metaflow.config.flows.\(name).body)")
        }
        let parameters: [String: JSONValue] = [
            "flow_message_version": .string("3"),
            "flow_token": .string(token),
            "flow_id": .string(flowID),
            "flow_cta": .string(flow.cta ?? defaultCTA),
            "flow_action": .string("data_exchange"),
        ]
        return [
            "type": .string("interactive"),
            "interactive": .object([
                "type": .string("flow"),
                "body": .object(["text": .string(body)]),
                "action": .object(["name": .string("flow"), "parameters": .object(parameters)]),
            ]),
            "biz_opaque_callback_data": .string("flow_send:\(token)"),
        ]
    }

    /// The template form, or nil when the flow has no template configured.
    static func template(flow: FlowDefinition, token: String) -> [String: JSONValue]? {
        guard let template = flow.template.flatMap(FlowTemplate.init) else { return nil }
        let button: JSONValue = .object([
            "type": .string("button"),
            "sub_type": .string("flow"),
            "index": .string(template.buttonIndex),
            "parameters": .array([.object(["type": .string("action"), "action": .object(["flow_token": .string(token)])])]),
        ])
        return [
            "type": .string("template"),
            "template": .object([
                "name": .string(template.name),
                "language": .object(["code": .string(template.language)]),
                "components": .array(template.components + [button]),
            ]),
            "biz_opaque_callback_data": .string("flow_send:\(token)"),
        ]
    }
}

/// `flows.<name>.template`: `{"name", "language", "button_index"?, "components"?}` — the
/// approved template whose FLOW button opens the Flow; `components` (body parameters) are
/// sent before the button's.
struct FlowTemplate: Sendable {
    var name: String
    var language: String
    var buttonIndex: String
    var components: [JSONValue]

    init?(_ value: JSONValue) {
        guard let object = value.objectValue, let name = object["name"]?.stringValue, !name.isEmpty,
              let language = object["language"]?.stringValue, !language.isEmpty else { return nil }
        self.name = name
        self.language = language
        switch object["button_index"] {
        case .integer(let index)?: buttonIndex = String(index)
        case .string(let index)?: buttonIndex = index
        default: buttonIndex = "0"
        }
        if case .array(let components)? = object["components"] { self.components = components } else { components = [] }
    }
}
