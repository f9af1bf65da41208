import PluginAPI
import Synchronization

/// The kernel's own routes: liveness, readiness and metrics.
final class KernelRoutes: Sendable {
    /// Set once plugins started; cleared when shutdown begins.
    let ready = Atomic<Bool>(false)
    /// Whether storage answered the job engine's last pass (a PostgreSQL outage makes it false).
    let storageHealthy = Atomic<Bool>(true)
    /// Boxed for the same reason as `WriteHook`: a function value in a `Mutex` gains a
    /// reabstraction thunk on every access.
    private final class Renderer: Sendable {
        let render: @Sendable () async -> String
        init(_ render: @escaping @Sendable () async -> String) { self.render = render }
    }

    private let metricsRenderer = Mutex<Renderer?>(nil)

    func setMetricsRenderer(_ render: @escaping @Sendable () async -> String) {
        metricsRenderer.withLock { $0 = Renderer(render) }
    }

    static let healthBody = Array("{\"status\":\"ok\"}".utf8)
    static let readyBody = Array("{\"status\":\"ready\"}".utf8)

    var routes: [(HTTPMethod, String, RouteAction)] {
        [
            // Probes are answered inline: no task per request (load balancers poll them often).
            (.get, "/healthz", .immediate { _ in Response.json(bytes: KernelRoutes.healthBody) }),
            (.get, "/readyz", .immediate { [self] _ in
                guard self.ready.load(ordering: .relaxed) else {
                    return Response.error(status: 503, code: "not_ready", message: "the kernel is starting or stopping")
                }
                guard self.storageHealthy.load(ordering: .relaxed) else {
                    return Response.error(status: 503, code: "storage_unavailable", message: "storage does not answer")
                }
                return Response.json(bytes: KernelRoutes.readyBody)
            }),
            (.get, "/metrics", .async { [self] _ in
                let renderer = self.metricsRenderer.withLock { $0 }
                let text = await renderer?.render() ?? ""
                return Response(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(text.utf8))
            }),
        ]
    }
}
