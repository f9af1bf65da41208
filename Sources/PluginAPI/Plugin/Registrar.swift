/// Handles a request routed to a plugin. Runs on the event loop that read the request; it
/// may suspend (storage, outbound HTTP) but must never block the thread.
public typealias RouteHandler = @Sendable (Request) async throws -> Response

/// Where a plugin declares what it contributes. Every method only records the declaration:
/// nothing is started and no I/O happens. Clashes (two registrations of one method and path)
/// are boot errors naming both registrations.
///
/// Webhooks through the durable inbox, jobs, event subscriptions, phone strategies, channels,
/// migrations and admin panels join this protocol with the kernel issues that implement them.
public protocol Registrar: AnyObject {
    /// The id of the plugin registering; routes are mounted under `/<id>/`.
    var pluginID: String { get }

    /// Declares a synchronous route. `path` is relative to the plugin's mount point and may
    /// use `:param` segments (`/endpoint/:flow`); an empty path or `/` is the mount point itself.
    /// `maxBody` raises or lowers the 1 MiB default limit on the request body.
    func route(_ method: HTTPMethod, _ path: String, maxBody: Int?, _ handler: @escaping RouteHandler)
}

extension Registrar {
    /// Declares a route with the default 1 MiB body limit.
    public func route(_ method: HTTPMethod, _ path: String, _ handler: @escaping RouteHandler) {
        route(method, path, maxBody: nil, handler)
    }
}
