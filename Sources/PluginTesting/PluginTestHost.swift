import Foundation
import Kernel
import PluginAPI

/// An in-process host for plugin tests: the real kernel (strict config, router, error
/// handling) without sockets, with a manual clock.
///
///     let host = try PluginTestHost(plugins: [MyPlugin.self], config: #"{"plugins": {"my": {"enabled": true, "config": {}}}}"#)
///     let response = await host.request(.get, "/my/hello")
///
/// Storage, jobs and recorded outbound HTTP join it with the kernel issues that build them.
public final class PluginTestHost: @unchecked Sendable {
    public let clock: ManualClock
    public let kernel: KernelServer

    /// Loads `config` (the text of a plugins.json) with `environment` for `${VAR}`
    /// references. Throws the same errors `switchboard check-config` reports. `http` is the
    /// plugins' outbound client (a fake, usually); the real libcurl client when nil.
    public init(plugins: [any Plugin.Type], config: String, environment: [String: String] = [:],
                clock: ManualClock = ManualClock(), http: (any HTTPClient)? = nil) throws {
        self.clock = clock
        var parsed = try ConfigLoader.parse(Array(config.utf8), environment: environment, knownPlugins: plugins.map { $0.id })
        parsed.log.level = .error
        kernel = try KernelServer(config: parsed, plugins: plugins, clock: clock, http: http)
    }

    /// Sends a request through the router to its handler and returns the answer.
    public func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) async -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let request = Request(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: body, remoteAddress: "127.0.0.1")
        return await kernel.respond(to: request)
    }

    /// Sends a request with a UTF-8 text body.
    public func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), text: String) async -> Response {
        await request(method, target, headers: headers, body: Array(text.utf8))
    }
}

/// A clock that moves only when told to.
public final class ManualClock: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }

    public var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        lock.lock()
        current += seconds
        lock.unlock()
    }
}
