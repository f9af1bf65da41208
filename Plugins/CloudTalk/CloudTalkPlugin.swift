import PluginAPI

/// CloudTalk call centre: the call-ended webhook, the calls table, follow-ups over WhatsApp and
/// reply tracking.
///
/// Registers, when enabled: migration 1 (`cloudtalk_calls`, `cloudtalk_follow_up_cooldowns`);
/// `GET /cloudtalk/calls` and `POST /cloudtalk/calls/:call/follow-up` (admin token) with the
/// `calls` admin panel; with `webhook_token`, `POST /cloudtalk/webhook` through the durable
/// inbox; with `api_key_id` and `api_key_secret`, the `cloudtalk.enrich` job on queue
/// `cloudtalk.api` (60/60s); with `follow_up`, the `cloudtalk.follow_up` job and subscriptions
/// to `message.sent`, `message.failed` and `message.received`. Publishes `call.ended`.
public struct CloudTalkPlugin: Plugin {
    public static let id = "cloudtalk"
    public static let summary = "CloudTalk call centre: call-ended webhook, follow-ups over WhatsApp, reply tracking"

    let context: any PluginContext
    let config: CloudTalkConfig
    let followUp: FollowUpSettings?

    public init(context: any PluginContext) throws {
        self.context = context
        config = try context.config(CloudTalkConfig.self)
        let root = "plugins.\(Self.id).config"
        try config.validate(root: root)
        followUp = try config.followUp.map(FollowUpSettings.init)
        if let followUp {
            // A name outside the known fields can only come from the admin's own template members.
            let unusual = followUp.template.fieldNames.filter { !CallFields.known.contains($0) }
            if !unusual.isEmpty {
                context.log.warning("follow-up template names fields the recommended CloudTalk template does not send: "
                                    + "add them to the workflow's body, or every follow-up fails",
                                    ["path": "\(root).follow_up.template", "fields": unusual.joined(separator: ", ")])
            }
        }
        if config.webhookToken == nil {
            context.log.info("cloudtalk webhook disabled: no webhook_token", [:])
        }
    }

    public func register(_ registrar: any Registrar) throws {
        registrar.migration(1, CallSQL.migration1)
        let context = self.context
        let scheduler = FollowUpScheduler(settings: followUp, rule: FollowUpRule(config.followUp?.rule), jobs: context.jobs,
                                          clock: context.clock)
        var enricher: CallEnricher?
        var sender: FollowUpSender?
        if let keyID = config.apiKeyID, let keySecret = config.apiKeySecret {
            let client = CloudTalkClient(baseURL: config.baseURL ?? CloudTalkConfig.defaultBaseURL, keyID: keyID, keySecret: keySecret,
                                         http: context.http, clock: context.clock)
            let calls = CallEnricher(client: client, store: context.store, phones: context.phones, scheduler: scheduler,
                                     log: context.log, metrics: context.metrics, clock: context.clock)
            enricher = calls
            registrar.rateLimit(queue: CallEnricher.queue, CloudTalkConfig.apiRateLimit)
            registrar.job(CallEnricher.jobName, options: CallEnricher.options) { job in try await calls.run(job) }
        }
        if let token = config.webhookToken {
            let processor = CallWebhookProcessor(store: context.store, phones: context.phones, events: context.events, jobs: context.jobs,
                                                 log: context.log, metrics: context.metrics, clock: context.clock, scheduler: scheduler,
                                                 enrichmentEnabled: config.apiKeyID != nil,
                                                 templateFields: followUp?.template.fieldNames ?? [])
            CallWebhookRoutes(token: token, crypto: context.crypto, processor: processor).register(registrar)
        }
        if let followUp {
            let sends = FollowUpSender(settings: followUp, store: context.store, phones: context.phones, channels: context.channels,
                                       log: context.log, metrics: context.metrics, clock: context.clock)
            sender = sends
            registrar.job(FollowUpSender.jobName) { job in try await sends.run(job) }
            let outcomes = FollowUpOutcomes(store: context.store, log: context.log, metrics: context.metrics, clock: context.clock)
            registrar.subscribe("message.sent") { event in try await outcomes.sent(event) }
            registrar.subscribe("message.failed") { event in try await outcomes.failed(event) }
            let replies = ReplyTracker(replyWindow: followUp.replyWindow, store: context.store, phones: context.phones, log: context.log,
                                       metrics: context.metrics, clock: context.clock)
            registrar.subscribe("message.received") { event in try await replies.handle(event) }
        }
        if enricher != nil || sender != nil {
            let deaths = DeadJobs(enricher: enricher, sender: sender)
            registrar.subscribe("job.dead") { event in try await deaths.handle(event) }
        }
        CallRoutes(store: context.store, phones: context.phones, jobs: context.jobs, clock: context.clock, log: context.log,
                   authorized: { context.adminAuthorized($0) }, followUpEnabled: followUp != nil).register(registrar)
    }
}
