import PluginAPI

/// Wasender WhatsApp gateway: the `wasender` channel and its webhook.
///
/// Registers, when enabled: with `base_url` and `api_key`, the `wasender` channel
/// (`POST {base_url}/send-message`, limited to `rate_limit` across instances, default `1/60s`);
/// with `webhook_secret`, `POST /wasender/webhook` through the durable inbox. With `{}` it
/// registers nothing.
public struct WasenderPlugin: Plugin {
    public static let id = "wasender"
    public static let summary = "Wasender WhatsApp gateway: the wasender channel and its webhook"

    let context: any PluginContext
    let config: WasenderConfig

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(WasenderConfig.self)
        try config.validate(root: "plugins.\(Self.id).config")
    }

    public func register(_ registrar: any Registrar) throws {
        if let baseURL = config.baseURL, let apiKey = config.apiKey {
            let channel = WasenderChannel(client: WasenderClient(baseURL: baseURL, apiKey: apiKey, http: context.http),
                                          log: context.log, metrics: context.metrics)
            registrar.channel(WasenderChannel.id, rateLimit: config.rateLimit ?? WasenderConfig.defaultRateLimit,
                              maxAttempts: WasenderChannel.maxAttempts) { delivery in
                try await channel.send(delivery)
            }
        }
        if let secret = config.webhookSecret {
            let processor = WasenderWebhookProcessor(store: context.store, phones: context.phones, channels: context.channels,
                                                     log: context.log, metrics: context.metrics)
            WasenderWebhookRoutes(secret: secret, crypto: context.crypto, processor: processor).register(registrar)
        }
    }
}
