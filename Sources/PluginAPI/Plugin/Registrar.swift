/// Handles a request routed to a plugin. Runs on the event loop that read the request; it
/// may suspend (storage, outbound HTTP) but must never block the thread.
public typealias RouteHandler = @Sendable (Request) async throws -> Response

/// Answers a request from the request alone (no storage, no network, nothing to wait for),
/// inline on the event loop: no task is created, which matters for probes and handshakes
/// answered thousands of times a second.
public typealias ImmediateRouteHandler = @Sendable (Request) throws -> Response

/// What a route runs.
public enum RouteAction: Sendable {
    case async(RouteHandler)
    case immediate(ImmediateRouteHandler)
}

/// Where a plugin declares what it contributes. Every method only records the declaration:
/// nothing is started and no I/O happens. Clashes (two registrations of one method and path)
/// are boot errors naming both registrations.
///
/// Webhooks through the durable inbox, jobs, event subscriptions, phone strategies, channels,
/// migrations and admin panels join this protocol with the kernel issues that implement them.
public protocol Registrar: AnyObject {
    /// The id of the plugin registering; routes are mounted under `/<id>/`.
    var pluginID: String { get }

    /// Declares a route. `path` is relative to the plugin's mount point and may
    /// use `:param` segments (`/endpoint/:flow`); an empty path or `/` is the mount point itself.
    /// `maxBody` raises or lowers the 1 MiB default limit on the request body.
    func route(_ method: HTTPMethod, _ path: String, maxBody: Int?, action: RouteAction)
}

extension Registrar {
    /// Declares a route whose handler may suspend (the usual kind).
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, _ handler: @escaping RouteHandler) {
        route(method, path, maxBody: maxBody, action: .async(handler))
    }

    /// Declares a route answered inline from the request alone; see `ImmediateRouteHandler`.
    public func route(_ method: HTTPMethod, _ path: String, maxBody: Int? = nil, immediate handler: @escaping ImmediateRouteHandler) {
        route(method, path, maxBody: maxBody, action: .immediate(handler))
    }
}
