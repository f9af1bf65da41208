// PLACEHOLDER until the normaliser branch (wt-phones) lands; replaced by its file.
public struct PhoneNumber: Sendable, Hashable, Comparable, CustomStringConvertible, Encodable {
    public let countryCode: Int
    public let nationalNumber: String
    package init(countryCode: Int, nationalNumber: String) {
        self.countryCode = countryCode
        self.nationalNumber = nationalNumber
    }
    public var e164: String { "+\(countryCode)\(nationalNumber)" }
    public var description: String { e164 }
    public var masked: String { Mask.phone(e164) }
    public static func < (a: PhoneNumber, b: PhoneNumber) -> Bool { a.e164 < b.e164 }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(e164)
    }
}
public struct PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable { case letters, tooShort = "too_short" }
    public let reason: Reason
    public let detail: String
    public var description: String { detail }
    package init(reason: Reason, detail: String) { self.reason = reason; self.detail = detail }
}
public protocol PhoneNormalizing: Sendable {
    var defaultRegion: String? { get }
    func normalize(_ text: String, region: String?) throws(PhoneNumberError) -> PhoneNumber
    func normalize(_ number: Int64, region: String?) throws(PhoneNumberError) -> PhoneNumber
}
extension PhoneNormalizing {
    public func normalize(_ text: String) throws(PhoneNumberError) -> PhoneNumber { try normalize(text, region: defaultRegion) }
}
