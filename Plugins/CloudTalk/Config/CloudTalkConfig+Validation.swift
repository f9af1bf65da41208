import PluginAPI

extension CloudTalkConfig {
    /// Empty secrets, half a key pair, a base URL that is not http(s) and a follow-up that could
    /// never work are config errors naming the key, not failures at the first call.
    func validate(root: String) throws {
        for (key, value) in [("webhook_token", webhookToken), ("api_key_id", apiKeyID), ("api_key_secret", apiKeySecret),
                             ("base_url", baseURL)] where value?.isEmpty == true {
            throw ConfigError(path: "\(root).\(key)", "must not be empty (leave it out instead)")
        }
        if apiKeyID != nil, apiKeySecret == nil { throw ConfigError(path: "\(root).api_key_secret", "required when api_key_id is set") }
        if apiKeySecret != nil, apiKeyID == nil { throw ConfigError(path: "\(root).api_key_id", "required when api_key_secret is set") }
        if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) {
            throw ConfigError(path: "\(root).base_url", "must be an http or https URL")
        }
        try followUp?.validate(root: "\(root).follow_up")
    }
}

extension FollowUpConfig {
    func validate(root: String) throws {
        guard PluginID.isValid(channel) else {
            throw ConfigError(path: "\(root).channel", "expected a channel id such as wasender or whatsapp_cloud")
        }
        if let cooldown, cooldown.milliseconds < 0 { throw ConfigError(path: "\(root).cooldown", "must not be negative") }
        if let replyWindow, replyWindow.milliseconds <= 0 { throw ConfigError(path: "\(root).reply_window", "must be positive") }
        do {
            let template = try MessageTemplate(parsing: template)
            guard !template.isBlank else { throw MessageTemplate.SyntaxError(offset: 0, "the template has no text") }
        } catch let error as MessageTemplate.SyntaxError {
            throw ConfigError(path: "\(root).template", error.description)
        }
        try rule?.validate(root: "\(root).rule")
    }
}

extension RuleConfig {
    func validate(root: String) throws {
        if let direction, !["incoming", "outgoing", "any"].contains(direction) {
            throw ConfigError(path: "\(root).direction", "expected incoming, outgoing or any")
        }
        if let status, !["answered", "missed", "any"].contains(status) {
            throw ConfigError(path: "\(root).status", "expected answered, missed or any")
        }
        if minTalkTime != nil, status == "missed" {
            throw ConfigError(path: "\(root).min_talk_time", "a missed call has no talk time: drop min_talk_time or status missed")
        }
        if let tags, tags.isEmpty || tags.contains(where: { $0.trimmingASCIIWhitespace().isEmpty }) {
            throw ConfigError(path: "\(root).tags", "expected a non-empty list of tag names")
        }
    }
}
