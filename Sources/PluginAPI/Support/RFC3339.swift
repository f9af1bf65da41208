/// RFC 3339 timestamps for the operator surface: stored times are Unix milliseconds, shown
/// as `2026-11-22T10:00:00.123Z` (UTC, milliseconds). Pure arithmetic on the proleptic
/// Gregorian calendar (Howard Hinnant's civil-date algorithms), no formatter or locale.
/// In PluginAPI so the kernel and plugins read `?since=` and write times the same way.
public enum RFC3339 {
    /// `2026-11-22T10:00:00.123Z` for Unix milliseconds `millis`.
    public static func format(millis: Int64) -> String {
        let seconds = floorDivide(millis, 1000)
        let ms = millis - seconds * 1000
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
            + "." + pad(ms, 3) + "Z"
    }

    /// What listing routes take for `?since=`: an RFC 3339 time (`2026-11-22T10:00:00Z`) or a
    /// duration ago (`30m`, `2h`, `7d`), as Unix milliseconds; nil when it is neither.
    public static func timeOrDurationAgo(_ text: String, now: Int64) -> Int64? {
        if let duration = ConfigDuration(parsing: text) { return now - duration.milliseconds }
        return parse(text)
    }

    /// Parses an RFC 3339 date-time (`2026-11-22T10:00:00Z`, `2026-11-22T11:00:00.5+01:00`;
    /// `t`, `z` and a space separator accepted) into Unix milliseconds. Fractions beyond
    /// milliseconds are truncated. Nil when malformed or out of range.
    public static func parse(_ text: String) -> Int64? {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2), scanner.takeAny(["T", "t", " "]),
              let hour = scanner.digits(2), scanner.take(":"), let minute = scanner.digits(2), scanner.take(":"),
              let second = scanner.digits(2) else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var millis: Int64 = 0
        if scanner.take(".") {
            var digits = 0
            while let d = scanner.digit() {
                if digits < 3 { millis = millis * 10 + d }
                digits += 1
            }
            guard digits > 0 else { return nil }
            var scale = digits
            while scale < 3 { millis *= 10; scale += 1 }
        }
        var offsetSeconds: Int64 = 0
        if scanner.takeAny(["Z", "z"]) {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let oh = scanner.digits(2), scanner.take(":"), let om = scanner.digits(2), oh <= 23, om <= 59 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + millis
    }

    // MARK: - calendar arithmetic

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = z + 719_468
        let era = floorDivide(shifted, 146_097)
        let doe = shifted - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Reads ASCII pieces off the front of a byte string.
    private struct Scanner {
        let bytes: [UInt8]
        var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { offset == bytes.count }

        mutating func digit() -> Int64? {
            guard offset < bytes.count, bytes[offset] >= 48, bytes[offset] <= 57 else { return nil }
            defer { offset += 1 }
            return Int64(bytes[offset] - 48)
        }

        /// Exactly `count` digits.
        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let d = digit() else { return nil }
                value = value * 10 + d
            }
            return value
        }

        mutating func take(_ character: Character) -> Bool { takeAny([character]) }

        mutating func takeAny(_ characters: [Character]) -> Bool {
            guard offset < bytes.count, characters.contains(where: { $0.asciiValue == bytes[offset] }) else { return false }
            offset += 1
            return true
        }

        /// `+` → 1, `-` → -1.
        mutating func sign() -> Int64? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}
