/// Reads the kernel's own job payloads: one JSON object naming the row a job works on,
/// `{"inbox_id":N}`, `{"event_id":N}` or `{"message_id":N}`. Parsed with the kernel's
/// `JSONParser` (FoundationEssentials has no `JSONSerialization`).
enum JobPayload {
    /// The number at `key` in the JSON object `payload`; nil when the payload is not a JSON
    /// object or the member is missing or not a number. A fractional number is truncated
    /// toward zero, as `NSNumber.int64Value` did before.
    static func id(_ key: String, in payload: String) -> Int64? {
        guard let value = try? JSONParser.parse(Array(payload.utf8))[key] else { return nil }
        switch value {
        case .integer(let id):
            return id
        case .double(let number):
            return Int64(exactly: number.rounded(.towardZero))
        default:
            return nil
        }
    }
}
