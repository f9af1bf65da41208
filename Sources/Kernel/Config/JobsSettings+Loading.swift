import PluginAPI

extension JobsSettings {
    /// Reads the `jobs` section over the defaults. Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(JobsFile.self, from: value, path: path)
        func error(_ key: JobsFile.CodingKeys, _ message: String) -> ConfigError {
            ConfigError(path: JSONPath.appending(path, key: key.rawValue), message)
        }
        if let workers = file.workers {
            guard (1...256).contains(workers) else { throw error(.workers, "must be between 1 and 256") }
            self.workers = workers
        }
        if let poll = file.pollInterval {
            guard poll.milliseconds >= 10 else { throw error(.pollInterval, "must be at least 10ms") }
            pollInterval = poll
        }
        if let timeout = file.defaultTimeout {
            guard timeout.milliseconds >= 1000 else { throw error(.defaultTimeout, "must be at least 1s") }
            defaultTimeout = timeout
        }
        jobRetention = file.jobRetention ?? jobRetention
        if let inbox = file.inboxRetention {
            guard inbox.milliseconds >= 7 * 86_400_000 else {
                throw error(.inboxRetention, "must be at least 7d (Meta redelivers for up to a week; dedupe keys must outlive that)")
            }
            inboxRetention = inbox
        }
    }
}

/// `jobs` as written.
private struct JobsFile: Decodable {
    var workers: Int?
    var pollInterval: ConfigDuration?
    var defaultTimeout: ConfigDuration?
    var jobRetention: ConfigDuration?
    var inboxRetention: ConfigDuration?

    enum CodingKeys: String, CodingKey {
        case workers
        case pollInterval = "poll_interval"
        case defaultTimeout = "default_timeout"
        case jobRetention = "job_retention"
        case inboxRetention = "inbox_retention"
    }
}
