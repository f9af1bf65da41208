import PluginAPI

/// `plugins.metaflow.config`, decoded strictly by the kernel (unknown keys are errors naming
/// their path). Every key the plugin will ever take is declared here, so later features add
/// behaviour, not shape. Only what an enabled feature needs is required; `validate` says which.
struct MetaFlowConfig: Decodable, Sendable {
    /// Meta app secret: signs `X-Hub-Signature-256` on the Flow endpoint and the webhook.
    var appSecret: String?
    /// `hub.verify_token` of the Cloud API webhook handshake.
    var verifyToken: String?
    /// PEM private key whose public half is uploaded to Meta (all four PEM forms).
    var privateKeyPath: String?
    /// Passphrase of an encrypted PEM key; absent or empty for an unencrypted one.
    var privateKeyPassphrase: String?
    /// Graph API token for sending (later: `/metaflow/send`, the channel).
    var accessToken: String?
    /// The WhatsApp business phone number id sending goes through.
    var phoneNumberID: String?
    /// Graph API base URL (BSP proxies, local fakes); a default applies when absent.
    var graphBaseURL: String?
    /// A flow_token shape that names the phone (`deepal-{phone}-{uuid}`), for phone resolution.
    var tokenPattern: String?
    /// The Flows the endpoint serves, by the name used in `/metaflow/endpoint/<name>`.
    var flows: [String: FlowDefinition]?
    /// Refuse (427) flow_tokens we never issued. Off by default: Chatwoot broadcasts carry
    /// tokens this server never saw.
    var strictTokens: Bool?
    /// Refuse (427) tokens older than this (from when they were issued, else first seen).
    var tokenTTL: ConfigDuration?
    /// The flow `/metaflow/endpoint` (no name) serves; may be omitted when there is one flow.
    var defaultFlow: String?
    /// How long `POST /metaflow/send` waits for the send before answering `queued` (default 5s).
    var sendWait: ConfigDuration?

    /// `send_wait` when absent.
    static let defaultSendWait = ConfigDuration.seconds(5)
    /// The longest `send_wait`: a proxy in front would give up on the request first.
    static let maxSendWait = ConfigDuration.seconds(60)

    enum CodingKeys: String, CodingKey {
        case appSecret = "app_secret"
        case verifyToken = "verify_token"
        case privateKeyPath = "private_key_path"
        case privateKeyPassphrase = "private_key_passphrase"
        case accessToken = "access_token"
        case phoneNumberID = "phone_number_id"
        case graphBaseURL = "graph_base_url"
        case tokenPattern = "token_pattern"
        case flows
        case strictTokens = "strict_tokens"
        case tokenTTL = "token_ttl"
        case defaultFlow = "default_flow"
        case sendWait = "send_wait"
    }
}

/// One Flow: its screens in order (`first_screen`, then each screen's `next`) and what the
/// endpoint adds to the completion params.
struct FlowDefinition: Decodable, Sendable {
    /// Meta's Flow id (used when sending the Flow).
    var flowID: String?
    /// The screen `INIT` opens (and `BACK` falls back to).
    var firstScreen: String
    /// Screens by id. A screen's `data` is what the endpoint answers when showing it.
    var screens: [String: ScreenDefinition]
    /// Extra params of the completion answer (reach the webhook in `nfm_reply.response_json`).
    var completionParams: [String: JSONValue]?
    /// Sending options (later): button text, message body, template.
    var cta: String?
    var body: String?
    var template: JSONValue?

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id"
        case firstScreen = "first_screen"
        case screens
        case completionParams = "completion_params"
        case cta, body, template
    }
}

/// One screen of a Flow.
struct ScreenDefinition: Decodable, Sendable {
    /// The screen after a submit, or `SUCCESS` to complete the Flow. Absent: the screen is
    /// the last one, and a submit completes the Flow.
    var next: String?
    /// The data the screen is shown with (`{}` when absent).
    var data: [String: JSONValue]?
}

extension ScreenDefinition {
    /// The reserved screen id that completes a Flow.
    static let success = "SUCCESS"

    /// Where a submit goes: a screen id or `SUCCESS`.
    var target: String { next ?? Self.success }
}
