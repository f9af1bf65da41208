/// One step into a JSON document: an object member or an array element.
enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// Builds the dotted paths that config errors show (`plugins.chatwoot.config.account_id`,
/// `phone.retry_schedule[2]`). One place, so the loader, the substitution and the decoder agree.
enum JSONPath {
    /// `path.key`, or just `key` at the root (an empty path).
    static func appending(_ path: String, key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// `path[index]`.
    static func appending(_ path: String, index: Int) -> String {
        path + "[\(index)]"
    }

    /// `root` followed by every component.
    static func render(_ root: String, _ components: [JSONPathComponent]) -> String {
        var out = root
        for component in components {
            switch component {
            case .key(let key): out = appending(out, key: key)
            case .index(let index): out = appending(out, index: index)
            }
        }
        return out
    }
}
