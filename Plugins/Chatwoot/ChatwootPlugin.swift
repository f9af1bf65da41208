import PluginAPI

/// Chatwoot CRM: signed webhook, API client, conversation-search phone strategy,
/// reconciliation of missed webhooks, CRM sync of other channels' messages, label pre-creation.
///
/// When enabled: `POST /chatwoot/webhook` (verified with `webhook_secret` when set). When
/// `base_url`, `account_id` and `api_token` are configured as well: the
/// `chatwoot.conversation_search` strategy, the `chatwoot.reconcile` job every `reconcile_every`,
/// `POST /chatwoot/labels/sync`, and, with `sync` enabled, CRM sync on `message.received`.
public struct ChatwootPlugin: Plugin {
    public static let id = "chatwoot"
    public static let summary = "Chatwoot CRM: signed webhook with reconciliation, conversation-search phone strategy, CRM sync, label pre-creation"

    let context: any PluginContext
    let config: ChatwootConfig
    let api: ChatwootAPIConfig?
    let sync: SyncSettings?
    let webhook: ChatwootWebhook
    let strategy: ConversationSearchStrategy?

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(ChatwootConfig.self)
        if config.webhookSecret?.isEmpty == true {
            throw ConfigError(path: "\(ChatwootConfig.path).webhook_secret", "must not be empty (leave it out to accept unsigned deliveries)")
        }
        api = try config.api()
        sync = try config.syncSettings()
        webhook = ChatwootWebhook(secret: config.webhookSecret.map { Array($0.utf8) }, store: context.store, phones: context.phones,
                                  channels: context.channels, clock: context.clock, crypto: context.crypto, log: context.log)
        strategy = api.map { ConversationSearchStrategy(client: ChatwootClient(config: $0, http: context.http), phones: context.phones, ttl: $0.cacheTTL) }
    }

    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, ChatwootSQL.migration1)
        registrar.migration(2, ChatwootSQL.migration2)
        webhook.register(registrar)
        guard let api else { return }
        let client = ChatwootClient(config: api, http: context.http)
        strategy?.register(registrar)
        if let every = api.reconcileEvery {
            Reconciler(client: client, webhook: webhook, store: context.store, clock: context.clock, log: context.log,
                       metrics: context.metrics).register(registrar, every: every)
        }
        let context = self.context
        LabelRoutes(client: client, labels: sync?.allLabels ?? [], authorized: { context.adminAuthorized($0) }).register(registrar)
        if let sync {
            let lease = SyncLease(store: context.store, clock: context.clock, holder: context.crypto.hex(try context.crypto.randomBytes(8)))
            CRMSync(client: client, settings: sync, phones: context.phones, log: context.log, metrics: context.metrics, ttl: api.cacheTTL,
                    lease: lease)
                .register(registrar)
        }
    }

    public func start() async throws {
        if config.webhookSecret == nil {
            context.log.warning("chatwoot webhook deliveries are not verified: set webhook_secret (Chatwoot v4.11.2+ signs them)")
        }
    }
}
