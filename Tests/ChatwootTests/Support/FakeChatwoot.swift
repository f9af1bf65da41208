import Foundation
import TestHTTPServer
import PluginAPI
@testable import Chatwoot

/// Chatwoot on loopback, answering in the shapes of the sample payloads. Two modes at once:
/// a directory (`tokens`: message text → contact id; `phones`: contact id → phone or nil)
/// that `conversations/search` and `contacts/{id}` answer from, and per-route scripts
/// (`script("GET /contacts/301", …)`, path below the account; the last reply repeats) that
/// take precedence. Records every request with its `api_access_token` header.
final class FakeChatwoot: @unchecked Sendable {
    static let accountID = 7
    static let token = "cw-user-token-SECRET-0123456789"

    struct Seen: Sendable {
        var method: String
        var path: String
        var query: String
        var token: String?
        var body: [UInt8]
        var route: String { "\(method) \(path)" }
    }

    private let lock = NSLock()
    private var scripts: [String: [FakeReply]] = [:]
    private var onceScripts: [String: [FakeReply]] = [:]
    /// Contacts, conversations, messages and labels that the CRM routes read and write.
    let world = FakeWorld()
    private var seen: [Seen] = []
    private var tokens: [String: Int] = [:]
    private var phones: [Int: String?] = [:]
    private var server: FakeHTTPServer?

    var baseURL: String { "http://127.0.0.1:\(server?.port ?? 0)" }

    init() throws {
        server = try FakeHTTPServer { [unowned self] request in self.answer(request) }
    }

    func stop() { server?.stop() }

    func script(_ route: String, _ replies: FakeReply...) { lock.withLock { scripts[route] = replies } }
    /// Replies used once each, in order, before the route falls back to scripts and the model.
    func scriptOnce(_ route: String, _ replies: FakeReply...) { lock.withLock { onceScripts[route, default: []] += replies } }
    /// Changes the model (under the fake's lock).
    func withWorld<T>(_ body: (FakeWorld) -> T) -> T { lock.withLock { body(world) } }
    /// `conversations/search` finds `token` in a conversation of `contact`, whose details come
    /// from the world (not the directory).
    func searchHit(token: String, contact: Int) { lock.withLock { tokens[token] = contact } }
    func directory(token: String, contact: Int, phone: String?) {
        lock.withLock {
            tokens[token] = contact
            phones[contact] = .some(phone)
        }
    }

    var requests: [Seen] { lock.withLock { seen } }
    func clearRequests() { lock.withLock { seen.removeAll() } }

    static func json(_ text: String, status: Int = 200) -> FakeReply {
        FakeReply(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(text.utf8))
    }

    static func fixture(_ name: String, status: Int = 200) throws -> FakeReply {
        json(try Fixtures.text(name), status: status)
    }

    static let notFound = json(#"{"error":"Resource could not be found"}"#, status: 404)
    static let unauthorized = json(#"{"error":"Invalid Access Token"}"#, status: 401)
    static let tooMany = FakeReply(status: 429, headers: [("Content-Type", "text/plain")], body: Array("Retry later\n".utf8))
    static let serverError = json(#"{"error":"Internal Server Error"}"#, status: 500)

    private func answer(_ request: FakeRequest) -> FakeReply {
        let parts = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let prefix = "/api/v1/accounts/\(Self.accountID)"
        let fullPath = String(parts[0])
        let path = fullPath.hasPrefix(prefix) ? String(fullPath.dropFirst(prefix.count)) : fullPath
        let query = parts.count > 1 ? String(parts[1]) : ""
        let entry = Seen(method: request.method, path: path, query: query, token: request.header("api_access_token"), body: request.body)
        return lock.withLock {
            seen.append(entry)
            guard entry.token == Self.token else { return Self.unauthorized }
            guard fullPath.hasPrefix(prefix) else { return Self.notFound }
            if var once = onceScripts[entry.route], !once.isEmpty {
                let reply = once.removeFirst()
                onceScripts[entry.route] = once
                return reply
            }
            if var replies = scripts[entry.route], !replies.isEmpty {
                let reply = replies.count > 1 ? replies.removeFirst() : replies[0]
                scripts[entry.route] = replies
                return reply
            }
            return directoryAnswer(entry)
        }
    }

    /// `conversations/search` and `contacts/{id}` from the directory, the CRM routes from the
    /// world; 404 for anything else.
    private func directoryAnswer(_ entry: Seen) -> FakeReply {
        if entry.route == "GET /conversations/search" {
            let q = Self.queryValue("q", in: entry.query) ?? ""
            // Chatwoot matches `content ILIKE %q%`.
            let hits = tokens.filter { $0.key.lowercased().contains(q.lowercased()) && !q.isEmpty }
            let items = hits.enumerated().map { index, hit in
                #"{"id":\#(100 + index),"uuid":"u-\#(index)","created_at":1772442000,"contact":{"id":\#(hit.value),"name":"C\#(hit.value)"},"inbox":{"id":3,"name":"WhatsApp","channel_type":"Channel::Whatsapp"},"messages":[{"content":"Votre avis: \#(hit.key)","id":\#(4500 + index),"sender_name":"Bot","message_type":1,"created_at":1772442100}],"account_id":\#(Self.accountID)}"#
            }
            return Self.json(#"{"meta":{"mine_count":0,"unassigned_count":\#(items.count),"all_count":\#(items.count)},"payload":[\#(items.joined(separator: ","))]}"#)
        }
        if entry.method == "GET", entry.path.hasPrefix("/contacts/"), let id = Int(entry.path.dropFirst("/contacts/".count)), let phone = phones[id] {
            let number = phone.map { "\"\($0)\"" } ?? "null"
            return Self.json(#"{"payload":{"additional_attributes":{},"availability_status":"offline","email":null,"id":\#(id),"name":"C\#(id)","phone_number":\#(number),"blocked":false,"identifier":null,"thumbnail":"","custom_attributes":{},"last_activity_at":1772446530,"created_at":1772442000,"contact_inboxes":[]}}"#)
        }
        return world.answer(method: entry.method, path: entry.path, query: entry.query, body: entry.body) ?? Self.notFound
    }

    static func queryValue(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == name { return String(kv[1]).removingPercentEncoding }
        }
        return nil
    }
}

/// The sample payloads copied from the protocol notes.
enum Fixtures {
    static func text(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw TestFailure("no fixture \(name)")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try text(name.hasSuffix(".json") ? String(name.dropLast(5)) : name).utf8)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
