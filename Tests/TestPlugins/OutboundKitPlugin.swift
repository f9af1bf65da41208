import PluginAPI

/// A plugin that calls an outside API from a job, for `PluginTesting` tests: `POST
/// /outboundkit/notify?text=…` enqueues `outboundkit.notify`, which POSTs the text to
/// `<base_url>/notify` and fails (to be retried) on a transient answer.
public struct OutboundKitPlugin: Plugin {
    public static let id = "outboundkit"

    struct Config: Decodable {
        var baseURL: String
        enum CodingKeys: String, CodingKey { case baseURL = "base_url" }
    }

    let config: Config
    let context: any PluginContext

    public init(context: any PluginContext) throws {
        config = try context.config(Config.self)
        self.context = context
    }

    public func register(_ registrar: any Registrar) throws {
        let http = context.http
        let url = config.baseURL + "/notify"
        registrar.job("notify", options: JobOptions(maxAttempts: 4)) { job in
            _ = try await http.sendChecked(.post(url, json: Array(job.payload.utf8)))
            return .done
        }
        let jobs = context.jobs
        let store = context.store
        registrar.route(.post, "/notify") { request in
            let text = request.queryItems["text"] ?? ""
            try await store.write { try jobs.enqueue(JobRequest(name: "outboundkit.notify", payload: "{\"text\":\"\(text)\"}"), in: $0) }
            return .text("queued")
        }
    }
}
