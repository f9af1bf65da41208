/// A message to send through a channel (Wasender, the WhatsApp Cloud API, …).
public struct ChannelMessage: Sendable, Equatable {
    /// Plain text, when the message has any.
    public var text: String?
    /// A media URL the provider fetches (image, document).
    public var mediaURL: String?
    /// Channel-specific JSON (a template with its parameters, an interactive Flow message).
    public var payload: String?
    /// For inbound media: what kind it is, one of `image`, `video`, `audio`, `document`,
    /// `sticker` (a channel maps its provider's names to these); nil for text. Published as
    /// `media_type` in `message.received`, so subscribers need not read provider payloads.
    public var mediaType: String?

    public init(text: String? = nil, mediaURL: String? = nil, payload: String? = nil, mediaType: String? = nil) {
        self.text = text
        self.mediaURL = mediaURL
        self.payload = payload
        self.mediaType = mediaType
    }
}

/// What a channel's `send` receives: one queued message.
public struct ChannelDelivery: Sendable {
    /// The kernel's message id (in the message log).
    public let messageID: Int64
    public let channel: String
    /// The recipient, E.164 (`+212610059159`): a `PhoneNumber` when it was queued.
    public let to: String
    public let message: ChannelMessage
    /// 1 for the first try.
    public let attempt: Int

    public init(messageID: Int64, channel: String, to: String, message: ChannelMessage, attempt: Int) {
        self.messageID = messageID
        self.channel = channel
        self.to = to
        self.message = message
        self.attempt = attempt
    }
}

/// What the provider answered for a sent message.
public struct ChannelReceipt: Sendable, Equatable {
    /// The provider's message id (Wasender's `msgId`, Meta's `wamid`), for status updates.
    public var providerID: String?

    public init(providerID: String?) { self.providerID = providerID }
}

/// Sends one message through the provider. Throw to retry (an error conforming to
/// `RetryAdvising` sets the wait); throw `PermanentJobError` when retrying cannot help.
public typealias ChannelSender = @Sendable (ChannelDelivery) async throws -> ChannelReceipt

/// Sending and receiving through channels, with the kernel's message log.
public protocol Channels: Sendable {
    /// Records the message as queued and enqueues its send on the channel's rate-limited
    /// queue, in the caller's transaction. Returns the message id. `message.sent` (or
    /// `message.failed` after the last attempt) is published when the send finishes.
    func send(channel: String, to: PhoneNumber, message: ChannelMessage, in connection: any SQLConnection) throws -> Int64

    /// Records an inbound message and publishes `message.received`, in the caller's transaction.
    /// Idempotent per provider id: a message already logged returns its id and publishes nothing.
    /// `from` is the sender's E.164 phone (or a provider id when the phone is unknown).
    @discardableResult
    func received(channel: String, from: String, message: ChannelMessage, providerID: String?, receivedAt: Int64?,
                  in connection: any SQLConnection) throws -> Int64

    /// Records a delivery status (`delivered`, `read`, `failed`) for a sent message and
    /// publishes `message.status`. Unknown provider ids are ignored (returns false).
    @discardableResult
    func status(channel: String, providerID: String, status: String, error: String?, in connection: any SQLConnection) throws -> Bool
}
