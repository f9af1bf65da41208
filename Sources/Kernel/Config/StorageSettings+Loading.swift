import PluginAPI

extension StorageSettings {
    /// Reads the `storage` section over the defaults. The URL is never quoted in errors: it
    /// may carry a password. Throws `ConfigError`.
    init(loading value: JSONValue, path: String) throws {
        self.init()
        let file = try StrictDecoder.decode(StorageFile.self, from: value, path: path)
        if let url = file.url {
            let isSQLite = url.hasPrefix("sqlite:") && url.utf8.count > "sqlite:".utf8.count
            guard isSQLite || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigError(path: JSONPath.appending(path, key: StorageFile.CodingKeys.url.rawValue), "expected sqlite:PATH or postgres://…")
            }
            self.url = url
        }
    }
}

/// `storage` as written.
private struct StorageFile: Decodable {
    var url: String?

    enum CodingKeys: String, CodingKey {
        case url
    }
}
