import Foundation
import PluginAPI

/// Posts messages to `{base_url}/send-message` with the session's API key. Answers Wasender's
/// `msgId`, or throws `WasenderError` (Wasender refused) or `OutboundHTTPError` (transport;
/// retryable when a retry can help). The key travels only in the header, which the HTTP client
/// never logs or puts in an error.
struct WasenderClient: Sendable {
    let baseURL: String
    let apiKey: String
    let http: any HTTPClient

    var sendURL: String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return "\(base)/send-message"
    }

    /// Sends one `send-message` body (`{"to","text"}`, plus a media URL).
    func send(_ body: [UInt8]) async throws -> String {
        var request = OutboundRequest.post(sendURL, json: body)
        request.headers.set("Authorization", "Bearer \(apiKey)")
        request.timeout = .seconds(20)
        let response = try await http.send(request)
        guard response.isSuccess else { throw WasenderError.from(response, apiKey: apiKey) }
        guard let id = Self.messageID(response.body) else {
            // Wasender took the message but we cannot tell its id: resending would duplicate it.
            throw PermanentJobError("wasender accepted the message but its answer has no data.msgId")
        }
        return id
    }

    /// `{"success":true,"data":{"msgId":1048576,…}}`: `msgId` is an integer (a string is accepted too).
    static func messageID(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              (object["success"] as? Bool) != false,
              let data = object["data"] as? [String: Any] else { return nil }
        if let text = data["msgId"] as? String, !text.isEmpty { return text }
        if let number = data["msgId"] as? NSNumber, !(number is Bool) { return number.stringValue }
        return nil
    }
}
