import PluginAPI

extension PhoneSettings {
    /// Reads the `phone` section over the defaults. Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(PhoneFile.self, from: value, path: path)
        func keyPath(_ key: PhoneFile.CodingKeys) -> String { JSONPath.appending(path, key: key.rawValue) }
        if let region = file.defaultRegion {
            let isRegion = region.utf8.count == 2 && region.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
            guard isRegion else { throw ConfigError(path: keyPath(.defaultRegion), "expected two upper-case letters (an ISO 3166 region like MA)") }
            // Caught here rather than on the first national number the server meets.
            guard E164Normalizer.isKnownRegion(region) else {
                throw ConfigError(path: keyPath(.defaultRegion), "\(region) is not a region the phone numbering plans know")
            }
            defaultRegion = region
        }
        if let strategies = file.strategies {
            // First position of each id, so a repeat names the entry it repeats.
            var firstIndex: [String: Int] = [:]
            for (index, strategy) in strategies.enumerated() {
                let itemPath = JSONPath.appending(keyPath(.strategies), index: index)
                guard !strategy.isEmpty else { throw ConfigError(path: itemPath, "must not be empty") }
                if let first = firstIndex[strategy] {
                    throw ConfigError(path: itemPath, "duplicate of \(JSONPath.appending(keyPath(.strategies), index: first))")
                }
                firstIndex[strategy] = index
            }
            self.strategies = strategies
        }
        if let retrySchedule = file.retrySchedule {
            guard !retrySchedule.isEmpty else { throw ConfigError(path: keyPath(.retrySchedule), "must not be empty") }
            self.retrySchedule = retrySchedule
        }
    }
}

/// `phone` as written.
private struct PhoneFile: Decodable {
    var defaultRegion: String?
    var strategies: [String]?
    var retrySchedule: [ConfigDuration]?

    enum CodingKeys: String, CodingKey {
        case defaultRegion = "default_region"
        case strategies
        case retrySchedule = "retry_schedule"
    }
}
