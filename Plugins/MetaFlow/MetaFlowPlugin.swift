import PluginAPI

/// WhatsApp Flows: the encrypted Flow data endpoint and the survey responses it stores.
///
/// Registers, when enabled: migration 1 (`metaflow_responses`, `metaflow_tokens`); a
/// `phone.resolved` subscription that fills a response's phone; when a private key or flows
/// are configured, `POST /metaflow/endpoint/:flow` and `POST /metaflow/endpoint`; when a
/// `verify_token` is configured, the Cloud API webhook `GET|POST /metaflow/webhook`; when
/// `access_token` and `phone_number_id` are configured, the `whatsapp_cloud` channel, and with
/// flows also `POST /metaflow/send`, `POST /metaflow/send/bulk`, `GET /metaflow/send/bulk/:id`
/// (admin token). Migration 2 adds what sending records.
public struct MetaFlowPlugin: Plugin {
    public static let id = "metaflow"
    public static let summary = "WhatsApp Flows: encrypted Flow data endpoint and survey responses"

    let context: any PluginContext
    let config: MetaFlowConfig
    let endpoint: FlowEndpoint?
    /// `token_pattern`, parsed (validated by `init`).
    let tokenPattern: TokenPattern?

    /// Decodes and validates the config; reads no file (the private key is loaded by `start()`).
    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(MetaFlowConfig.self)
        try config.validate(root: "plugins.\(Self.id).config")
        endpoint = Self.makeEndpoint(config, context: context)
        do {
            tokenPattern = try config.tokenPattern.map(TokenPattern.init)
        } catch {
            throw ConfigError(path: "plugins.\(Self.id).config.token_pattern", error.description)
        }
    }

    /// Declares the migration, the subscription and the endpoint routes; performs no I/O.
    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, ResponseSQL.migration1)
        registrar.migration(2, SendSQL.migration2)
        let resolved = PhoneResolvedHandler(store: context.store, clock: context.clock)
        registrar.subscribe("phone.resolved") { event in try await resolved.handle(event) }
        if let webhook = makeWebhook() { webhook.register(registrar) }
        MetaFlowStrategies(store: context.store, phones: context.phones, pattern: tokenPattern).register(registrar)
        let context = self.context
        ResponseRoutes(store: context.store, clock: context.clock, authorized: { context.adminAuthorized($0) }).register(registrar)
        if let channel = makeChannel() {
            registrar.channel(CloudChannel.id, rateLimit: CloudChannel.rateLimit, maxAttempts: CloudChannel.maxAttempts) { delivery in
                try await channel.send(delivery)
            }
            if let flows = config.flows, !flows.isEmpty { makeSendRoutes(flows).register(registrar) }
        }
        guard let endpoint else { return }
        registrar.route(.post, "/endpoint/:flow") { request in try await endpoint.handle(request) }
        registrar.route(.post, "/endpoint") { request in try await endpoint.handle(request) }
    }

    /// Loads the private key, so a missing file or a wrong passphrase stops the boot.
    public func start() async throws {
        guard let endpoint else { return }
        do {
            _ = try await endpoint.key.key()
        } catch {
            throw ConfigError(path: "plugins.\(Self.id).config.private_key_path", error.message)
        }
    }

    /// The Cloud API webhook, when `verify_token` is configured (validation made `app_secret` present too).
    private func makeWebhook() -> CloudWebhookRoutes? {
        guard config.webhookEnabled, let secret = config.appSecret, let verifyToken = config.verifyToken else { return nil }
        let processor = CloudWebhookProcessor(store: context.store, phones: context.phones, channels: context.channels, events: context.events,
                                              log: context.log,
                                              clock: context.clock, defaultFlow: config.defaultFlowName)
        return CloudWebhookRoutes(appSecret: secret, verifyToken: verifyToken, crypto: context.crypto, processor: processor)
    }

    /// The `whatsapp_cloud` channel, when `access_token` and `phone_number_id` are configured.
    private func makeChannel() -> CloudChannel? {
        guard let token = config.accessToken, let phoneNumberID = config.phoneNumberID else { return nil }
        let graph = GraphClient(baseURL: config.graphBaseURL ?? GraphClient.defaultBaseURL, phoneNumberID: phoneNumberID,
                                accessToken: token, http: context.http)
        return CloudChannel(graph: graph, store: context.store, phones: context.phones, log: context.log, metrics: context.metrics,
                            clock: context.clock)
    }

    private func makeSendRoutes(_ flows: [String: FlowDefinition]) -> SendRoutes {
        let sender = FlowSender(flows: flows, defaultFlow: config.defaultFlowName, phones: context.phones, channels: context.channels,
                                crypto: context.crypto, clock: context.clock)
        let context = self.context
        return SendRoutes(sender: sender, store: context.store, phones: context.phones, authorized: { context.adminAuthorized($0) },
                          log: context.log, waitForSend: .milliseconds((config.sendWait ?? MetaFlowConfig.defaultSendWait).milliseconds))
    }

    private static func makeEndpoint(_ config: MetaFlowConfig, context: any PluginContext) -> FlowEndpoint? {
        // `validate` made these present whenever the endpoint is enabled.
        guard config.endpointEnabled, let secret = config.appSecret, let path = config.privateKeyPath, let flows = config.flows else { return nil }
        let responses = ResponseStore(store: context.store, phones: context.phones, events: context.events, log: context.log)
        return FlowEndpoint(
            appSecret: Array(secret.utf8), flows: flows, defaultFlow: config.defaultFlowName,
            policy: ResponseStore.TokenPolicy(strict: config.strictTokens ?? false, ttlMillis: config.tokenTTL?.milliseconds),
            key: EndpointKey(path: path, passphrase: config.privateKeyPassphrase, crypto: context.crypto),
            responses: responses, crypto: context.crypto, clock: context.clock, log: context.log, metrics: context.metrics)
    }
}
