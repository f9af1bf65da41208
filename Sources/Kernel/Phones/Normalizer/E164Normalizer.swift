// PLACEHOLDER until the normaliser branch (wt-phones) lands; replaced by its file.
import PluginAPI
public struct E164Normalizer: PhoneNormalizing {
    public let defaultRegion: String?
    public init(defaultRegion: String?) { self.defaultRegion = defaultRegion }
    public func normalize(_ text: String, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        let digits = text.filter { $0.isNumber }
        guard digits.count >= 8, let cc = Int(digits.prefix(3)) else { throw PhoneNumberError(reason: .tooShort, detail: "too short") }
        return PhoneNumber(countryCode: cc, nationalNumber: String(digits.dropFirst(3)))
    }
    public func normalize(_ number: Int64, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        try normalize(String(number), region: region)
    }
}
