/// The report's `status`: `critical` when an alert threshold is crossed, `warning` when
/// something needs a look, `ok` otherwise. Pure, so every mix is tested directly.
struct Health: Sendable, Equatable {
    enum Status: String, Sendable, Comparable {
        case ok, warning, critical
        static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
    }

    struct Input: Sendable, Equatable {
        var subjects: Int64
        var captureRate: Double?
        /// Unresolved and conflicting subjects the operator has not dismissed.
        var unresolved: Int64
        var conflicts: Int64
        var deadJobs: Int64
        var silentSources: [String]
    }

    var status: Status
    /// Why, one phrase per finding (`capture rate 80.0% under 90.0%`).
    var reasons: [String]

    static func evaluate(_ input: Input, _ config: IntegrityConfig) -> Health {
        var status = Status.ok
        var reasons: [String] = []
        func note(_ level: Status, _ reason: String) {
            status = max(status, level)
            reasons.append(reason)
        }
        if let rate = input.captureRate, input.subjects >= Int64(config.minSubjects) {
            if rate < config.alertThreshold {
                note(.critical, "capture rate \(percent(rate)) under \(percent(config.alertThreshold))")
            } else if rate < config.warningThreshold {
                note(.warning, "capture rate \(percent(rate)) under \(percent(config.warningThreshold))")
            }
        }
        let open = input.unresolved + input.conflicts
        if open > Int64(config.maxUnresolved) {
            note(.critical, "\(open) subjects to review (unresolved or in conflict), over \(config.maxUnresolved)")
        } else if open > 0 {
            note(.warning, "\(open) subject\(open == 1 ? "" : "s") to review")
        }
        if input.deadJobs > Int64(config.maxDeadJobs) {
            note(.critical, "\(input.deadJobs) dead job\(input.deadJobs == 1 ? "" : "s"), over \(config.maxDeadJobs)")
        }
        for source in input.silentSources {
            note(.warning, "\(source) silent for over \(config.silenceAfter)")
        }
        return Health(status: status, reasons: reasons)
    }

    /// `82.5%`.
    static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
    }
}
