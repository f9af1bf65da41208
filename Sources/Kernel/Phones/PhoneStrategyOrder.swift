import PluginAPI

/// Puts the registered strategies in the order they run, from `phone.strategies`: only the
/// listed ones, in that order (`evidence` may be listed; it always runs first anyway). Without
/// the setting, every registered strategy runs, observed sources before pattern-derived
/// ones, each group in plugin order.
enum PhoneStrategyOrder {
    static func order(registered: [PhoneStrategyEntry], configured: [String]?) throws(BootError) -> [PhoneStrategyEntry] {
        guard let configured else {
            return registered.filter { $0.kind != .pattern } + registered.filter { $0.kind == .pattern }
        }
        var byID: [String: PhoneStrategyEntry] = [:]
        for entry in registered { byID[entry.id] = entry }
        var ordered: [PhoneStrategyEntry] = []
        for (index, id) in configured.enumerated() where id != PhoneService.evidenceStrategy {
            guard let entry = byID[id] else {
                let known = ([PhoneService.evidenceStrategy] + registered.map(\.id)).joined(separator: ", ")
                throw BootError("phone.strategies[\(index)]: no enabled plugin registers the strategy \"\(id)\" (registered: \(known))")
            }
            ordered.append(entry)
        }
        return ordered
    }
}
