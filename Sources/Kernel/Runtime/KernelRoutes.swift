import PluginAPI
import Synchronization

/// The kernel's own routes: liveness, readiness and metrics.
final class KernelRoutes: Sendable {
    /// Set once plugins started; cleared when shutdown begins.
    let ready = Atomic<Bool>(false)
    /// Whether storage answered the job engine's last pass (a PostgreSQL outage makes it false).
    let storageHealthy = Atomic<Bool>(true)
    private let metricsRenderer = Mutex<(@Sendable () async -> String)?>(nil)

    func setMetricsRenderer(_ render: @escaping @Sendable () async -> String) {
        metricsRenderer.withLock { $0 = render }
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
                let render = self.metricsRenderer.withLock { $0 }
                let text = await render?() ?? ""
                return Response(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(text.utf8))
            }),
        ]
    }
}
