import PluginAPI

/// Decides whether an ended call gets a follow-up (`follow_up.rule`). Every configured
/// condition must hold; a condition on something the call does not say (no status, no talk
/// time) does not hold. With no conditions: any call with an external number.
struct FollowUpRule: Sendable, Equatable {
    var direction: String?
    var status: String?
    var minTalkTime: Int64?
    /// Lower-cased.
    var tags: [String]?

    init(_ config: RuleConfig?) {
        direction = config?.direction == "any" ? nil : config?.direction
        status = config?.status == "any" ? nil : config?.status
        minTalkTime = config?.minTalkTime.map { Int64(($0.seconds).rounded(.up)) }
        tags = config?.tags?.map { $0.trimmingASCIIWhitespace().lowercased() }
    }

    /// The verdict and why, in words an operator reads in the call's `decision`.
    func evaluate(_ call: CallRecord) -> (send: Bool, reason: String) {
        guard call.externalNumber != nil else { return (false, "no external phone number") }
        if let direction {
            guard let actual = call.direction else { return (false, "direction unknown (the rule wants \(direction))") }
            guard actual == direction else { return (false, "direction \(actual), the rule wants \(direction)") }
        }
        if let status {
            guard let actual = call.status else { return (false, "status unknown (the rule wants \(status))") }
            guard actual == status else { return (false, "call \(actual), the rule wants \(status)") }
        }
        if let minTalkTime {
            guard let talked = call.talkingTime else { return (false, "talk time unknown (the rule wants at least \(minTalkTime)s)") }
            guard talked >= minTalkTime else { return (false, "talked \(talked)s, the rule wants at least \(minTalkTime)s") }
        }
        if let tags {
            let have = Set(call.tags.map { $0.lowercased() })
            guard tags.contains(where: have.contains) else { return (false, "no tag of \(tags.joined(separator: ", "))") }
        }
        return (true, "rule matched")
    }
}
