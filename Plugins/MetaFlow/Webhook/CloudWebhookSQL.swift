/// What the webhook reads of the plugin's tables.
enum CloudWebhookSQL {
    /// The flow a token was issued for (when this server sent it).
    static let issuedFlow = "SELECT flow FROM metaflow_tokens WHERE flow_token = $1"
}
