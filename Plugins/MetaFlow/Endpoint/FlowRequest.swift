/// A decrypted Flow endpoint request (data_api_version 3.0). Every field may be missing:
/// `screen` and `data` are unpopulated for INIT and BACK, some iOS clients send no
/// `flow_token`, and a ping has neither.
struct FlowRequest: Decodable, Sendable {
    var version: String?
    var action: String?
    var screen: String?
    var data: JSONValue?
    var flowToken: String?

    enum CodingKeys: String, CodingKey {
        case version, action, screen, data
        case flowToken = "flow_token"
    }

    /// `data` as an object; `{}` when absent, null or not an object.
    var fields: [String: JSONValue] { data?.objectValue ?? [:] }

    /// The token, nil when absent or empty.
    var token: String? {
        guard let flowToken, !flowToken.isEmpty else { return nil }
        return flowToken
    }

    /// The screen, nil when absent or empty.
    var screenID: String? {
        guard let screen, !screen.isEmpty else { return nil }
        return screen
    }

    /// The client's report that it rejected our previous answer: `data.error`,
    /// `data.error_key` or `data.error_message` (Meta's docs use all three names).
    var errorNotice: (key: String?, message: String?)? {
        let fields = self.fields
        let key = fields["error"]?.stringValue ?? fields["error_key"]?.stringValue
        let message = fields["error_message"]?.stringValue
        guard fields["error"] != nil || fields["error_key"] != nil || fields["error_message"] != nil else { return nil }
        return (key, message)
    }
}
