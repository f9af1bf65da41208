import PluginAPI

extension MetaFlowConfig {
    /// Whether the Flow data endpoint is configured: the private key enables it. Flows alone
    /// are for sending (Flows without an endpoint deliver their answers through the webhook).
    var endpointEnabled: Bool { privateKeyPath != nil }

    /// Whether the Cloud API webhook is configured: a `verify_token` enables it.
    var webhookEnabled: Bool { verifyToken != nil }

    /// Checks what the strict decoder cannot: keys the enabled features need, and that names
    /// refer to things that exist. Errors name the JSON path (`plugins.metaflow.config.flows.survey.first_screen`).
    func validate(root: String) throws {
        if webhookEnabled {
            let why = "required by the Cloud API webhook (verify_token is set)"
            guard let verifyToken, !verifyToken.isEmpty else { throw ConfigError(path: "\(root).verify_token", "must not be empty") }
            guard let appSecret, !appSecret.isEmpty else { throw ConfigError(path: "\(root).app_secret", why) }
        }
        // Sending needs both: the token authorizes, the number id is where messages go from.
        if (accessToken == nil) != (phoneNumberID == nil) {
            let missing = accessToken == nil ? "access_token" : "phone_number_id"
            throw ConfigError(path: "\(root).\(missing)", "required for sending (access_token and phone_number_id go together)")
        }
        if accessToken?.isEmpty == true { throw ConfigError(path: "\(root).access_token", "must not be empty") }
        if phoneNumberID?.isEmpty == true { throw ConfigError(path: "\(root).phone_number_id", "must not be empty") }
        if let ttl = tokenTTL, ttl.milliseconds <= 0 { throw ConfigError(path: "\(root).token_ttl", "must be longer than 0s") }
        if let wait = sendWait, wait.milliseconds > Self.maxSendWait.milliseconds {
            throw ConfigError(path: "\(root).send_wait", "must be at most \(Self.maxSendWait)")
        }
        if let url = graphBaseURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw ConfigError(path: "\(root).graph_base_url", "expected an http:// or https:// URL")
        }
        // Flows are checked whoever uses them (the endpoint, sending, the webhook's records).
        for (name, flow) in (flows ?? [:]).sorted(by: { $0.key < $1.key }) {
            try flow.validate(path: "\(root).flows.\(name)", name: name)
        }
        if let defaultFlow, (flows ?? [:])[defaultFlow] == nil {
            let known = (flows ?? [:]).keys.sorted().joined(separator: ", ")
            throw ConfigError(path: "\(root).default_flow", known.isEmpty ? "names flow \"\(defaultFlow)\" but no flows are configured"
                                                                     : "no flow named \"\(defaultFlow)\" (flows: \(known))")
        }
        guard endpointEnabled else { return }
        let why = "required by the Flow endpoint (private_key_path is set)"
        guard let appSecret, !appSecret.isEmpty else { throw ConfigError(path: "\(root).app_secret", why) }
        guard let privateKeyPath, !privateKeyPath.isEmpty else { throw ConfigError(path: "\(root).private_key_path", "must not be empty") }
        guard let flows, !flows.isEmpty else { throw ConfigError(path: "\(root).flows", "\(why): configure at least one flow") }
    }

    /// The flow `/metaflow/endpoint` serves: `default_flow`, or the only flow there is.
    var defaultFlowName: String? {
        if let defaultFlow { return defaultFlow }
        guard let flows, flows.count == 1 else { return nil }
        return flows.keys.first
    }
}

extension FlowDefinition {
    func validate(path: String, name: String) throws {
        // The name is a URL segment of /metaflow/endpoint/<name>.
        guard !name.isEmpty, name.utf8.allSatisfy(Self.isNameByte) else {
            throw ConfigError(path: path, "a flow name must be letters, digits, '-' or '_'")
        }
        guard !screens.isEmpty else { throw ConfigError(path: "\(path).screens", "a flow needs at least one screen") }
        if screens[ScreenDefinition.success] != nil {
            throw ConfigError(path: "\(path).screens.\(ScreenDefinition.success)", "SUCCESS is reserved: it completes the flow")
        }
        guard screens[firstScreen] != nil else {
            throw ConfigError(path: "\(path).first_screen", "no screen \"\(firstScreen)\" in screens (\(screens.keys.sorted().joined(separator: ", ")))")
        }
        if let template, FlowTemplate(template) == nil {
            throw ConfigError(path: "\(path).template", "expected {\"name\": \"…\", \"language\": \"pt_BR\"} (optional button_index, components)")
        }
        for (id, screen) in screens.sorted(by: { $0.key < $1.key }) {
            guard !id.isEmpty else { throw ConfigError(path: "\(path).screens", "a screen id cannot be empty") }
            if let next = screen.next, next != ScreenDefinition.success, screens[next] == nil {
                throw ConfigError(path: "\(path).screens.\(id).next", "no screen \"\(next)\" (use SUCCESS to complete the flow)")
            }
        }
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }
}
