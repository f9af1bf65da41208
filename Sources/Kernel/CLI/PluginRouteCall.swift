import PluginAPI

/// Calls a plugin's route in-process, as the operator's CLI: for commands whose work lives in
/// a plugin (`responses export` → `GET /metaflow/responses.csv`). The kernel is built from the
/// config and storage opened (no port is bound); the request is marked as coming from this
/// process, which the admin check trusts (no socket can send that address).
struct PluginRouteCall {
    /// The remote address of in-process requests; never an IP address, so never a client's.
    static let inProcessAddress = "in-process:cli"

    let session: StorageSession

    /// The answer of `method target` (storage is opened by the first call and stays open until
    /// `close`); throws `UsageError` naming the plugin when it is not enabled.
    func call(plugin: String, _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
              command: String) async throws -> Response {
        guard session.kernel.pluginIDs.contains(plugin) else {
            throw UsageError("\(command): the \(plugin) plugin is not enabled in this config")
        }
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let request = Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: body, remoteAddress: Self.inProcessAddress)
        _ = try await session.kernel.openStorage()
        return await session.kernel.respond(to: request)
    }

    /// Closes storage (idempotent).
    func close() async { await session.kernel.closeStorage() }
}
