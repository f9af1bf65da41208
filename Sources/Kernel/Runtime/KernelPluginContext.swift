import FoundationEssentials
import PluginAPI

/// The context a plugin gets from the real kernel.
struct KernelPluginContext: PluginContext {
    let pluginID: String
    let entry: PluginEntry
    let log: any PluginAPI.Logger
    let services: KernelServices
    let metrics: any MetricsRecorder

    var clock: any TimeSource { services.clock }
    var crypto: any CryptoProvider { services.crypto }
    var http: any HTTPClient { services.http }
    var store: any Store { services.store }
    var jobs: any JobQueue { ServicesJobQueue(services: services) }
    var events: any EventBus { ServicesEventBus(services: services) }
    var channels: any Channels { KernelChannels(services: services) }
    var operations: any OperationsView { KernelOperations(store: services.store) }
    let phones: any Phones
    let adminCheck: AdminTokenCheck

    /// The admin token, or the operator's own CLI calling a plugin route in-process
    /// (`PluginRouteCall`: an address no socket can have).
    func adminAuthorized(_ request: Request) -> Bool {
        request.remoteAddress == PluginRouteCall.inProcessAddress || adminCheck.authorizes(request)
    }

    func config<C: Decodable>(_ type: C.Type) throws -> C {
        try StrictDecoder.decode(type, from: entry.config, path: "plugins.\(pluginID).config")
    }
}

/// The system's wall clock.
public struct SystemClock: TimeSource {
    public init() {}
    public var now: Date { Date() }
}
