/// A WhatsApp Cloud API webhook POST (`object: whatsapp_business_account`), decoded
/// leniently: every field is optional, so a field Meta adds or drops never fails a delivery.
/// Numbers, ids and timestamps arrive as strings.
struct CloudWebhookPayload: Decodable {
    var object: String?
    var entry: [Entry]?

    struct Entry: Decodable {
        var id: String?
        var changes: [Change]?
    }

    struct Change: Decodable {
        var field: String?
        var value: Value?
    }

    struct Value: Decodable {
        var contacts: [Contact]?
        var messages: [Message]?
        var statuses: [Status]?
        var errors: [CloudError]?
    }

    struct Contact: Decodable {
        var waID: String?
        /// The business-scoped user id (`BR.1847…`), present since 2026.
        var userID: String?

        enum CodingKeys: String, CodingKey {
            case waID = "wa_id"
            case userID = "user_id"
        }
    }

    struct Message: Decodable {
        var from: String?
        var fromUserID: String?
        var id: String?
        var timestamp: String?
        var type: String?
        var text: Text?
        var interactive: Interactive?
        var button: Button?
        var context: Context?

        enum CodingKeys: String, CodingKey {
            case from
            case fromUserID = "from_user_id"
            case id, timestamp, type, text, interactive, button, context
        }
    }

    struct Text: Decodable {
        var body: String?
    }

    struct Context: Decodable {
        /// The wamid of the message this one replies to (for a Flow reply: the Flow message).
        var id: String?
    }

    struct Button: Decodable {
        var payload: String?
        var text: String?
    }

    struct Interactive: Decodable {
        var type: String?
        var buttonReply: Reply?
        var listReply: Reply?
        var nfmReply: FlowReply?

        enum CodingKeys: String, CodingKey {
            case type
            case buttonReply = "button_reply"
            case listReply = "list_reply"
            case nfmReply = "nfm_reply"
        }
    }

    struct Reply: Decodable {
        var id: String?
        var title: String?
    }

    struct FlowReply: Decodable {
        var name: String?
        /// A string holding JSON with the `flow_token` and the answers.
        var responseJSON: String?

        enum CodingKeys: String, CodingKey {
            case name
            case responseJSON = "response_json"
        }
    }

    struct Status: Decodable {
        var id: String?
        var status: String?
        var timestamp: String?
        var recipientID: String?
        var recipientUserID: String?
        var bizOpaqueCallbackData: String?
        var errors: [CloudError]?

        enum CodingKeys: String, CodingKey {
            case id, status, timestamp, errors
            case recipientID = "recipient_id"
            case recipientUserID = "recipient_user_id"
            case bizOpaqueCallbackData = "biz_opaque_callback_data"
        }
    }

    struct CloudError: Decodable {
        var code: Int?
        var title: String?
        var message: String?
    }
}

extension CloudWebhookPayload.Message {
    /// The text an operator would read: the body, the tapped button or list row.
    var readableText: String? {
        if let body = text?.body { return body }
        if let reply = interactive?.buttonReply ?? interactive?.listReply { return reply.title ?? reply.id }
        if let button { return button.text ?? button.payload }
        if interactive?.nfmReply != nil { return "[flow reply]" }
        return nil
    }

    /// Unix milliseconds from Meta's string of seconds.
    var timestampMillis: Int64? { timestamp.flatMap { Int64($0) }.map { $0 * 1000 } }
}
