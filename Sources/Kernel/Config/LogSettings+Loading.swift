import PluginAPI

extension LogSettings {
    /// Reads the `log` section over the defaults. Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(LogFile.self, from: value, path: path)
        if let name = file.level {
            // Exact names only: `LogLevel(name:)` also takes `warn` and any case, which the
            // file format does not promise.
            guard let level = LogLevel.allCases.first(where: { $0.description == name }) else {
                let names = LogLevel.allCases.map(\.description).joined(separator: ", ")
                throw ConfigError(path: JSONPath.appending(path, key: LogFile.CodingKeys.level.rawValue), "expected one of \(names)")
            }
            self.level = level
        }
    }
}

/// `log` as written.
private struct LogFile: Decodable {
    var level: String?

    enum CodingKeys: String, CodingKey {
        case level
    }
}
