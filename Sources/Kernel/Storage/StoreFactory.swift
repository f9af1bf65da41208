import PluginAPI

/// A store the kernel opened and will close.
protocol KernelStore: Store {
    func close() async
}

/// Opens the database `storage.url` names: `sqlite:PATH` or `postgres://…`.
enum StoreFactory {
    static func open(url: String) async throws -> any KernelStore {
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            do {
                return try SQLiteStore(path: path)
            } catch {
                throw StorageOpenError(url: url, reason: "\(error)")
            }
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw StorageOpenError(url: url, reason: "expected sqlite:PATH or postgres://…")
        }
        do {
            return try await PostgresStore(url: url)
        } catch {
            throw StorageOpenError(url: url, reason: "\(error)")
        }
    }
}

extension SQLiteStore: KernelStore {}
extension PostgresStore: KernelStore {}

/// The database named by `storage.url` cannot be opened; the CLI exits 2 with this message,
/// the URL's password hidden.
struct StorageOpenError: Error, CustomStringConvertible {
    var url: String
    var reason: String

    var description: String {
        let shown = Self.hidePassword(url)
        // Drivers may echo the URL in their messages: hide it there too.
        return "cannot open storage \(shown): \(reason.replacingLiteral(url, with: shown))"
    }

    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
    static func hidePassword(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<userinfo.index(after: colon)]) + "***" + String(url[at...])
    }
}
