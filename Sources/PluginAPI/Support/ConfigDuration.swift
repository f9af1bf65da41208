/// A duration written in config as `500ms`, `30s`, `2m`, `24h` or `7d`.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible, Decodable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func seconds(_ s: Int64) -> ConfigDuration { ConfigDuration(milliseconds: s * 1000) }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public static func < (a: ConfigDuration, b: ConfigDuration) -> Bool { a.milliseconds < b.milliseconds }

    /// Parses `<digits><unit>` with unit `ms`, `s`, `m`, `h` or `d`; nil otherwise.
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            // "ms" also ends in "s": only accept all-digit numbers before the unit.
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(digits),
                  n <= Int64.max / factor else { continue }
            self.milliseconds = n * factor
            return
        }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ConfigDuration(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected a duration like 500ms, 30s, 2m, 24h or 7d, got \"\(text)\""))
        }
        self = value
    }

    public var description: String {
        let ms = milliseconds
        if ms % 86_400_000 == 0, ms > 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0, ms > 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0, ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}
