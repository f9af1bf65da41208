import Foundation
import TestHTTPServer
import PluginAPI
@testable import MetaFlow

/// The Graph API on loopback: records every request and answers from a script (in order,
/// the last answer repeating), success by default with wamids `wamid.fake.<n>`. `onRequest`
/// runs before answering (to look at the database at the moment of the call).
final class FakeGraph: @unchecked Sendable {
    struct Seen {
        var target: String
        var authorization: String?
        var body: JSONValue
    }

    private let lock = NSLock()
    private var script: [FakeReply] = []
    private var seen: [Seen] = []
    private var hook: (@Sendable (Seen) -> Void)?
    private var server: FakeHTTPServer?

    var baseURL: String { "http://127.0.0.1:\(server?.port ?? 0)/v21.0" }

    init() throws {
        server = try FakeHTTPServer { [unowned self] request in self.answer(request) }
    }

    func stop() { server?.stop() }

    /// Answers these next (the last one keeps answering).
    func script(_ replies: FakeReply...) {
        lock.withLock { script = replies }
    }

    func onRequest(_ hook: @escaping @Sendable (Seen) -> Void) { lock.withLock { self.hook = hook } }

    var requests: [Seen] { lock.withLock { seen } }

    static func success(_ wamid: String) -> FakeReply {
        FakeReply(headers: [("Content-Type", "application/json")], body: Array(
            #"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"\#(wamid)"}]}"#.utf8))
    }

    static func error(_ code: Int, status: Int = 400) -> FakeReply {
        FakeReply(status: status, headers: [("Content-Type", "application/json")], body: Array(
            #"{"error":{"message":"(#\#(code)) test","type":"OAuthException","code":\#(code),"error_data":{"messaging_product":"whatsapp","details":"details of \#(code)"},"fbtrace_id":"T"}}"#.utf8))
    }

    private func answer(_ request: FakeRequest) -> FakeReply {
        let body = (try? JSONDecoder().decode(JSONValue.self, from: Data(request.body))) ?? .null
        let entry = Seen(target: request.target, authorization: request.header("authorization"), body: body)
        let hook = lock.withLock { self.hook }
        hook?(entry)
        return lock.withLock {
            seen.append(entry)
            let reply = script.isEmpty ? Self.success("wamid.fake.\(seen.count)") : (script.count > 1 ? script.removeFirst() : script[0])
            return reply
        }
    }
}
