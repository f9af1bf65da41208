import PluginAPI

/// MetaFlow's phone strategies.
///
/// - `metaflow.token_map` (observed): the phone a flow_token was sent to, from `metaflow_tokens`
///   (written when this server sends a Flow, or imported). Sending also learns it as evidence,
///   so this finds tokens stored by other means.
/// - `metaflow.token_pattern` (pattern-derived, only with `token_pattern`): the `{phone}` part of
///   a token like `deepal-{phone}-{uuid}`, normalised with `phone.default_region`. Ranked below
///   every observed source, so observed evidence replaces it when they disagree.
struct MetaFlowStrategies: Sendable {
    static let tokenPhone = "SELECT phone FROM metaflow_tokens WHERE flow_token = $1 AND phone IS NOT NULL"

    let store: any Store
    let phones: any Phones
    let pattern: TokenPattern?

    func register(_ registrar: any Registrar) {
        let store = self.store
        let phones = self.phones
        registrar.phoneStrategy("token_map", kind: .observed) { lookup in
            let tokens = lookup.linkedKeys.filter { $0.kind == .flowToken }.map(\.value)
            guard !tokens.isEmpty else { return nil }
            let stored: String? = try await store.read { db in
                for token in tokens {
                    if let phone = try db.queryOne(Self.tokenPhone, token)?.optionalString("phone") { return phone }
                }
                return nil
            }
            return try stored.map { try phones.normalize($0, region: nil) }
        }
        guard let pattern else { return }
        registrar.phoneStrategy("token_pattern", kind: .pattern) { lookup in
            for key in lookup.linkedKeys where key.kind == .flowToken {
                guard let text = pattern.phone(in: key.value) else { continue }
                // A token's digits are a guess: one that is not a valid number is no answer, not an error.
                if let phone = try? phones.normalize(text) { return phone }
            }
            return nil
        }
    }
}
