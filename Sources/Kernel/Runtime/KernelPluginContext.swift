import Foundation
import PluginAPI

/// The context a plugin gets from the real kernel.
struct KernelPluginContext: PluginContext {
    let pluginID: String
    let entry: PluginEntry
    let log: any PluginAPI.Logger
    let clock: any TimeSource
    let crypto: any CryptoProvider
    let metrics: any MetricsRecorder
    let http: any HTTPClient

    func config<C: Decodable>(_ type: C.Type) throws -> C {
        try StrictDecoder.decode(type, from: entry.config, path: "plugins.\(pluginID).config")
    }
}

/// The system's wall clock.
public struct SystemClock: TimeSource {
    public init() {}
    public var now: Date { Date() }
}
