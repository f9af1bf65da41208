/// The parts of Chatwoot's answers this plugin reads (jbuilder views; unknown keys ignored).

/// `models/_contact`.
struct ChatwootContact: Decodable, Sendable, Equatable {
    struct ContactInbox: Decodable, Sendable, Equatable {
        struct Inbox: Decodable, Sendable, Equatable {
            var id: Int
            var channelType: String?
            enum CodingKeys: String, CodingKey { case id, channelType = "channel_type" }
        }
        var sourceID: String?
        var inbox: Inbox?
        enum CodingKeys: String, CodingKey { case sourceID = "source_id", inbox }
    }
    var id: Int
    var name: String?
    var email: String?
    var phoneNumber: String?
    var identifier: String?
    var customAttributes: [String: JSONValue]?
    var contactInboxes: [ContactInbox]?
    enum CodingKeys: String, CodingKey {
        case id, name, email, identifier
        case phoneNumber = "phone_number"
        case customAttributes = "custom_attributes"
        case contactInboxes = "contact_inboxes"
    }
}

/// `conversations/partials/_conversation` (list, show, create, filter, contact conversations).
struct ChatwootConversation: Decodable, Sendable, Equatable {
    struct Meta: Decodable, Sendable, Equatable { var sender: ChatwootContact? }
    var id: Int
    var inboxID: Int?
    var status: String?
    var labels: [String]?
    var meta: Meta?
    var customAttributes: [String: JSONValue]?
    enum CodingKeys: String, CodingKey {
        case id, status, labels, meta
        case inboxID = "inbox_id"
        case customAttributes = "custom_attributes"
    }
}

/// The slim `models/_conversation` of `conversations/search`: no phone, only the contact id.
struct ChatwootSearchHit: Decodable, Sendable, Equatable {
    struct Contact: Decodable, Sendable, Equatable { var id: Int; var name: String? }
    struct Message: Decodable, Sendable, Equatable { var id: Int; var content: String? }
    var id: Int
    var contact: Contact?
    var messages: [Message]?
}

/// `search/conversations` (global search): the contact carries its phone.
struct ChatwootGlobalHit: Decodable, Sendable, Equatable {
    struct Contact: Decodable, Sendable, Equatable {
        var id: Int
        var phoneNumber: String?
        enum CodingKeys: String, CodingKey { case id, phoneNumber = "phone_number" }
    }
    var id: Int
    var contact: Contact?
}

/// A message of `conversations/{id}/messages`.
struct ChatwootMessage: Decodable, Sendable, Equatable {
    var id: Int
    var content: String?
    /// 0 incoming, 1 outgoing, 2 activity, 3 template.
    var messageType: Int?
    var createdAt: Int?
    var isPrivate: Bool?
    enum CodingKeys: String, CodingKey {
        case id, content
        case messageType = "message_type"
        case createdAt = "created_at"
        case isPrivate = "private"
    }
}

struct ChatwootLabel: Decodable, Sendable, Equatable {
    var id: Int
    var title: String
}

struct ChatwootAttributeDefinition: Decodable, Sendable, Equatable {
    var id: Int
    var attributeKey: String
    var attributeDisplayName: String?
    var attributeDisplayType: String?
    var attributeModel: String?
    enum CodingKeys: String, CodingKey {
        case id
        case attributeKey = "attribute_key"
        case attributeDisplayName = "attribute_display_name"
        case attributeDisplayType = "attribute_display_type"
        case attributeModel = "attribute_model"
    }
}

/// `{payload: T}`.
struct Payload<T: Decodable & Sendable>: Decodable, Sendable { var payload: T }
/// `{data: {payload: T}}` (the conversation list's extra wrapper).
struct DataPayload<T: Decodable & Sendable>: Decodable, Sendable { var data: Payload<T> }
/// `{meta:{has_more}, payload:[…]}` of contacts/search.
struct ContactPage: Decodable, Sendable {
    struct Meta: Decodable, Sendable { var hasMore: Bool?; enum CodingKeys: String, CodingKey { case hasMore = "has_more" } }
    var meta: Meta?
    var payload: [ChatwootContact]
}
