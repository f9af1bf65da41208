import Foundation
import TestHTTPServer

/// The Wasender API on loopback: records every request and answers from a script (in order,
/// the last answer repeating), success by default with `msgId` 1000 + n.
final class FakeWasender: @unchecked Sendable {
    struct Seen {
        var method: String
        var target: String
        var authorization: String?
        var body: [String: Any]
    }

    private let lock = NSLock()
    private var script: [FakeReply] = []
    private var seen: [Seen] = []
    private var server: FakeHTTPServer?

    var baseURL: String { "http://127.0.0.1:\(server?.port ?? 0)/api" }

    init() throws {
        server = try FakeHTTPServer { [unowned self] request in self.answer(request) }
    }

    func stop() { server?.stop() }

    func script(_ replies: FakeReply...) { lock.withLock { script = replies } }

    var requests: [Seen] { lock.withLock { seen } }

    static func json(_ body: [UInt8], status: Int = 200, headers: [(String, String)] = []) -> FakeReply {
        FakeReply(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    static func success(_ msgID: Int) -> FakeReply {
        json(Array(#"{"success":true,"data":{"msgId":\#(msgID),"jid":"+212600000001","status":"in_progress"}}"#.utf8))
    }

    private func answer(_ request: FakeRequest) -> FakeReply {
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let entry = Seen(method: request.method, target: request.target, authorization: request.header("authorization"), body: body)
        return lock.withLock {
            seen.append(entry)
            return script.isEmpty ? Self.success(1000 + seen.count) : (script.count > 1 ? script.removeFirst() : script[0])
        }
    }
}
