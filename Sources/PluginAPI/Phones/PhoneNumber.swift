/// A phone number in E.164 form: a country calling code and a national significant number,
/// at most 15 digits together. Only the kernel's normaliser makes one (`PhoneNormalizing`),
/// so holding a `PhoneNumber` means the text it came from was checked against the numbering
/// plan of its country. Plain value; performs no I/O.
public struct PhoneNumber: Sendable, Hashable, Comparable, CustomStringConvertible, Encodable {
    /// The ITU country calling code: `212` for Morocco, `1` for the NANP countries.
    public let countryCode: Int
    /// The national significant number: digits only, without the trunk prefix (`610059159`,
    /// not `0610059159`). Italian numbers keep their leading 0, which is part of the number.
    public let nationalNumber: String

    /// `package`: plugins get numbers from the normaliser, never by assembling digits.
    package init(countryCode: Int, nationalNumber: String) {
        self.countryCode = countryCode
        self.nationalNumber = nationalNumber
    }

    /// `+212610059159`.
    public var e164: String { "+\(countryCode)\(nationalNumber)" }

    public var description: String { e164 }

    /// For log lines at info level and above: `+2126••••59` (see `Mask.phone`).
    public var masked: String { Mask.phone(e164) }

    /// By country calling code, then national number: numbers of one country sort together.
    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool {
        if lhs.countryCode != rhs.countryCode { return lhs.countryCode < rhs.countryCode }
        return lhs.nationalNumber < rhs.nationalNumber
    }

    /// One JSON string, the E.164 form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}
