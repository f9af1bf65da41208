import Foundation
import Kernel
import PluginAPI
import PluginTesting
import CloudTalk
import Wasender

/// CloudTalk and Wasender in the plugin test host: a manual clock, jobs run when the test says,
/// outbound HTTP recorded and answered from a script (Wasender's `send-message`, CloudTalk's
/// `GET /calls/{id}`).
struct CloudTalkHost {
    static let token = "cloudtalk-shared-token-0123456789"
    static let adminToken = "admin-token-for-cloudtalk-tests-0123"
    static let wasenderSecret = "wasender-webhook-secret-0123456789"
    static let wasenderURL = "https://wasender.test/api"
    static let cloudTalkURL = "https://cloudtalk.test/api"
    static let apiKeyID = "ct-key-id-0001"
    static let apiKeySecret = "ct-key-secret-0123456789"
    static let phone = "+212600000001"
    static var backends: [String] { ["sqlite"] + (TestDatabase.postgresURL == nil ? [] : ["postgres"]) }

    /// The follow-up block most tests use; `template` and the rest can be replaced.
    static func followUp(template: String = "Bonjour {contact_name}, merci pour votre appel ({external_number}).",
                         cooldown: String = "24h", extra: String = "") -> String {
        #"{"channel": "wasender", "delay": "30s", "template": "\#(template)", "cooldown": "\#(cooldown)", "reply_window": "7d"\#(extra)}"#
    }

    let host: PluginTestHost
    let url: String

    var clock: ManualClock { host.clock }

    /// `cloudtalk` members after `webhook_token` (`"follow_up": …`, API keys) as JSON text.
    /// `sendStatus` other than 200 makes Wasender refuse every send with that status; 429 only the first.
    static func start(backend: String = "sqlite", cloudtalk: String? = nil, sendStatus: Int = 200) async throws -> CloudTalkHost {
        let url = backend == "postgres" ? try await TestDatabase.freshURL() : TestDatabase.sqliteURL()
        let members = cloudtalk ?? #""follow_up": \#(followUp())"#
        let config = """
        {"admin": {"token": "\(adminToken)"}, "phone": {"default_region": "MA"},
         "plugins": {
           "cloudtalk": {"enabled": true, "config": {"webhook_token": "\(token)"\(members.isEmpty ? "" : ", " + members)}},
           "wasender": {"enabled": true, "config": {"base_url": "\(wasenderURL)", "api_key": "wasender-api-key-0123456789",
                        "webhook_secret": "\(wasenderSecret)", "rate_limit": "10/60s"}}}}
        """
        let host = try PluginTestHost(plugins: [CloudTalkPlugin.self, WasenderPlugin.self], config: config, storageURL: url)
        let success = RecordingHTTPClient.Answer.json(#"{"success":true,"data":{"msgId":1048576,"jid":"+212600000001","status":"in_progress"}}"#)
        switch sendStatus {
        case 200: host.http.respond(to: .post, "\(wasenderURL)/send-message", with: success)
        case 429:
            // The trial's answer once, then success.
            host.http.respond(to: .post, "\(wasenderURL)/send-message",
                              with: .json(#"{"message":"You can only send 1 message every 1 minute.","retry_after":60}"#, status: 429), success)
        default:
            host.http.respond(to: .post, "\(wasenderURL)/send-message",
                              with: .json(#"{"success":false,"message":"invalid recipient"}"#, status: sendStatus))
        }
        try await host.start()
        return CloudTalkHost(host: host, url: url)
    }

    func stop() async {
        await host.stop()
        TestDatabase.remove(url)
    }

    enum TokenPlace { case header, query, none }

    /// Posts a CloudTalk delivery with the token in the header (default), the query, or nowhere.
    @discardableResult
    func postCall(_ body: [UInt8], token: String = CloudTalkHost.token, in place: TokenPlace = .header) async -> Response {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "User-Agent": "cloudtalk-workflow-automation"]
        var target = "/cloudtalk/webhook"
        switch place {
        case .header: headers.set("X-Switchboard-Token", token)
        case .query: target += "?token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)
        case .none: break
        }
        return await host.request(.post, target, headers: headers, body: body)
    }

    /// A call body: the recommended template's fixture with members replaced (nil removes one).
    static func call(_ changes: [String: Any?] = [:]) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: Data(try Fixture.bytes("cloudtalk_call_ended.json"))) as? [String: Any] ?? [:]
        for (key, value) in changes {
            if let value { object[key] = value } else { object.removeValue(forKey: key) }
        }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// `GET /cloudtalk/calls` with the admin token; the decoded answer.
    func listing(_ query: String = "") async throws -> (status: Int, body: [String: JSONDocument]) {
        let response = await host.request(.get, "/cloudtalk/calls" + (query.isEmpty ? "" : "?" + query),
                                          headers: ["Authorization": "Bearer \(Self.adminToken)"])
        let body = (try? JSONText.decode(JSONDocument.self, from: response.body))?.objectValue ?? [:]
        return (response.status, body)
    }

    /// The calls the listing answers, newest first.
    func calls() async throws -> [[String: JSONDocument]] {
        let (_, body) = try await listing()
        guard case .array(let items)? = body["calls"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    /// A column of the calls table, in row order (calls delivered together may be processed in
    /// any order: then order by `call_uuid`).
    func column(_ name: String, orderBy: String = "id") async throws -> [SQLValue] {
        try await host.query("SELECT \(name) FROM cloudtalk_calls ORDER BY \(orderBy)").map { $0[name] ?? .null }
    }

    /// Bodies of the `send-message` requests made so far.
    var sends: [[String: Any]] {
        host.http.requests.filter { $0.url.hasSuffix("/send-message") }.map {
            (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] ?? [:]
        }
    }

    /// A customer's WhatsApp message through Wasender's webhook: text, or a document (a PDF),
    /// stamped at the manual clock's time (seconds).
    @discardableResult
    func reply(from digits: String = "212600000001", id: String, document: Bool = false) async throws -> Int {
        let seconds = Int64(clock.now.timeIntervalSince1970)
        let message = document
            ? #"{"documentMessage":{"url":"https://mmg.whatsapp.net/d.enc","mimetype":"application/pdf","fileName":"bolletta.pdf"}}"#
            : #"{"conversation":"Ecco, grazie"}"#
        let body = #"{"event":"messages.received","timestamp":\#(seconds),"data":{"messages":{"key":{"id":"\#(id)","fromMe":false,"#
            + #""remoteJid":"\#(digits)@s.whatsapp.net","cleanedSenderPn":"\#(digits)"},"messageTimestamp":\#(seconds),"message":\#(message)}}}"#
        let response = await host.request(.post, "/wasender/webhook",
                                          headers: ["Content-Type": "application/json", "X-Webhook-Signature": Self.wasenderSecret],
                                          text: body)
        return response.status
    }

    /// Moves the clock and runs what became due.
    func advance(_ seconds: TimeInterval) async throws {
        clock.advance(by: seconds)
        try await host.runDueJobs()
    }
}

enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else { throw CocoaError(.fileNoSuchFile) }
        return [UInt8](try Data(contentsOf: url))
    }
}

extension JSONDocument {
    var isNull: Bool { self == .null }
}

extension Response {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
