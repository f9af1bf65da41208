import FoundationEssentials

/// Parses the three HTTP-date forms of RFC 9110 §5.6.7 without a locale-dependent formatter:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
/// and asctime (`Sun Nov  6 08:49:37 1994`). The weekday is not checked.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: true)
        switch tokens.count {
        case 6 where tokens[5] == "GMT": // IMF-fixdate
            return make(day: tokens[1], month: tokens[2], year: tokens[3], time: tokens[4])
        case 4 where tokens[3] == "GMT": // RFC 850
            let parts = tokens[1].split(separator: "-")
            guard parts.count == 3, parts[2].count == 2, let yy = Int(parts[2]) else { return nil }
            // Two-digit years: RFC 9110 says a year more than 50 years ahead is in the past.
            return make(day: parts[0], month: parts[1], year: Substring(String(yy < 70 ? 2000 + yy : 1900 + yy)), time: tokens[2])
        case 5: // asctime
            return make(day: tokens[2], month: tokens[1], year: tokens[4], time: tokens[3])
        default:
            return nil
        }
    }

    private static func make(day: Substring, month: Substring, year: Substring, time: Substring) -> Date? {
        let clock = time.split(separator: ":")
        guard let d = Int(day), (1...31).contains(d),
              let m = months.firstIndex(of: month.lowercased()),
              year.count == 4, let y = Int(year),
              clock.count == 3, let hh = Int(clock[0]), let mm = Int(clock[1]), let ss = Int(clock[2]),
              (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss) else { return nil }
        let days = daysFromCivil(year: y, month: m + 1, day: d)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hh * 3600 + mm * 60 + ss))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
