import PluginAPI

/// Echo: a complete small channel plugin for a made-up messaging provider, written against
/// `PluginAPI` alone. It shows every kind of registration a channel plugin makes:
///
/// - the `echo` channel: `POST {base_url}/messages`, at most `rate_limit` sends across instances;
/// - `POST /echo/webhook`: HMAC-signed inbound messages through the durable inbox, published as
///   `message.received` and kept as phone evidence for their conversation;
/// - the `echo.conversation_lookup` phone strategy: asks the provider for a conversation's phone;
/// - migration 1: the `echo_messages` table;
/// - `GET /echo/messages` and `POST /echo/messages/:id/ack` (admin), drawn as an admin panel.
public struct EchoChannelPlugin: Plugin {
    public static let id = "echo"
    public static let summary = "Echo example channel: send, signed webhook, strategy, admin panel"

    let context: any PluginContext
    let config: EchoConfig

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(EchoConfig.self)
        try config.validate(root: "plugins.\(Self.id).config")
    }

    public func register(_ registrar: any Registrar) throws {
        let api = EchoAPI(baseURL: config.baseURL, apiKey: config.apiKey, http: context.http, clock: context.clock)
        registrar.migration(1, EchoSchema.v1)

        registrar.channel(EchoAPI.channel, rateLimit: config.rateLimit ?? EchoConfig.defaultRateLimit, maxAttempts: 5) { delivery in
            EchoReceipt(providerID: try await api.send(to: delivery.to, text: delivery.message.text ?? "")).receipt
        }

        let inbound = EchoInbound(store: context.store, phones: context.phones, channels: context.channels, log: context.log)
        let signature = EchoSignature(secret: Array(config.webhookSecret.utf8), crypto: context.crypto)
        registrar.webhook("/webhook", verify: signature.verify, dedupeKey: EchoInbound.dedupeKey, process: inbound.process)

        registrar.phoneStrategy("conversation_lookup", kind: .observed, timeout: .seconds(2)) { lookup in
            try await api.conversationPhone(lookup: lookup, normalizer: context.phones)
        }

        EchoAdminRoutes(context: context).register(registrar)
    }
}

/// The channel's answer: the provider's message id, for delivery statuses.
struct EchoReceipt {
    var providerID: String
    var receipt: ChannelReceipt { ChannelReceipt(providerID: providerID) }
}
