import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// The E.164 normaliser, table-driven: what it accepts (the issue's examples, then one or more
/// numbers of each core region, checked against libphonenumber 9.0.43), and every reason it
/// rejects with. `scripts/phones/compare_libphonenumber.py` holds it against libphonenumber on
/// a generated corpus of thousands more.
struct PhoneNormalizerTests {
    struct Accepted: Sendable, CustomTestStringConvertible {
        var input: String
        var region: String?
        var e164: String
        init(_ input: String, _ region: String?, _ e164: String) {
            self.input = input
            self.region = region
            self.e164 = e164
        }
        var testDescription: String { "\(input) in \(region ?? "no region") → \(e164)" }
    }

    struct Rejected: Sendable, CustomTestStringConvertible {
        var input: String
        var region: String?
        var reason: PhoneNumberError.Reason
        init(_ input: String, _ region: String?, _ reason: PhoneNumberError.Reason) {
            self.input = input
            self.region = region
            self.reason = reason
        }
        var testDescription: String { "\(input) in \(region ?? "no region") → \(reason.rawValue)" }
    }

    /// The issue's examples, and the shapes around them.
    static let issueExamples: [Accepted] = [
        .init("+212 6-10 05 91 59", nil, "+212610059159"),
        .init("(+212) 610059159", nil, "+212610059159"),
        .init("00212610059159", nil, "+212610059159"),
        .init("00212610059159", "MA", "+212610059159"),
        .init("212610059159", nil, "+212610059159"),
        .init("212610059159", "MA", "+212610059159"),   // the region's own code before a national number
        .init("212610059159", "FR", "+212610059159"),   // not a French number: international without +
        .init("0610059159", "MA", "+212610059159"),
        .init("06 10 05 91 59", "MA", "+212610059159"),
        .init("610059159", "MA", "+212610059159"),      // national, trunk prefix left out
        .init("06 12 34 56 78", "FR", "+33612345678"),
        .init("212610059159@c.us", nil, "+212610059159"),
        .init("212610059159@s.whatsapp.net", "FR", "+212610059159"),
        .init("212610059159:12@s.whatsapp.net", nil, "+212610059159"), // a linked device
        .init("212610059159@C.US", nil, "+212610059159"),
        .init("whatsapp:+212610059159", nil, "+212610059159"),
        .init("WhatsApp:+33 6 12 34 56 78", "MA", "+33612345678"),
        .init("tel:+1-650-253-0000", nil, "+16502530000"),
        .init("  +212 610 059 159\t", nil, "+212610059159"),
        .init("+212.610.059.159", nil, "+212610059159"),
        .init("+212/610/059/159", nil, "+212610059159"),
        .init("+212 – 610 059 159", nil, "+212610059159"),             // en dash
        .init("\u{200E}+212 610 059 159\u{200F}", nil, "+212610059159"), // bidi marks from an Arabic UI
        .init("+212\u{00A0}610\u{202F}059159", nil, "+212610059159"),    // no-break spaces
        .init("+٢١٢٦١٠٠٥٩١٥٩", nil, "+212610059159"),                   // Arabic-Indic digits
        .init("٠٦١٠٠٥٩١٥٩", "MA", "+212610059159"),
        .init("＋２１２６１００５９１５９", nil, "+212610059159"),            // full-width
        .init("+212 (0) 610059159", nil, "+212610059159"),              // trunk prefix after the code
        .init("+44 (0)20 7946 0000", nil, "+442079460000"),
        .init("+800 1234 5678", nil, "+80012345678"),                   // non-geographic
    ]

    /// One number per core region at least (the 40 largest WhatsApp markets, the Maghreb, the
    /// EU), written nationally, with the special rules libphonenumber has for some.
    static let regions: [Accepted] = [
        .init("0551 23 45 67", "DZ", "+213551234567"),
        .init("20 123 456", "TN", "+21620123456"),
        .init("021 123 4567", "LY", "+218211234567"),
        .init("22 12 34 56", "MR", "+22222123456"),
        .init("06 6982 0000", "IT", "+390669820000"),       // Italy keeps its leading 0
        .init("0212345678", "IT", "+390212345678"),
        .init("312 345 6789", "IT", "+393123456789"),
        .init("011 15-2345-6789", "AR", "+5491123456789"),  // Argentine mobile: 0 area 15 → 9 area
        .init("+54 9 11 2345-6789", "AR", "+5491123456789"),
        .init("+54 11 2345-6789", nil, "+541123456789"),
        .init("55 1234 5678", "MX", "+525512345678"),
        .init("8 (912) 345-67-89", "RU", "+79123456789"),   // trunk prefix 8
        .init("+7 912 345 67 89", nil, "+79123456789"),
        .init("8 701 234 5678", "KZ", "+77012345678"),
        .init("06 20 123 4567", "HU", "+36201234567"),      // trunk prefix 06
        .init("0151 23456789", "DE", "+4915123456789"),
        .init("030 123456", "DE", "+4930123456"),
        .init("07400 123456", "GB", "+447400123456"),
        .init("(650) 253-0000", "US", "+16502530000"),
        .init("1 650 253 0000", "US", "+16502530000"),
        .init("011 212 610059159", "US", "+212610059159"),  // the US international prefix
        .init("0044 20 7946 0000", "US", "+442079460000"),  // 00 works everywhere
        .init("(506) 234-5678", "CA", "+15062345678"),
        .init("(11) 96123-4567", "BR", "+5511961234567"),
        .init("0 14 11 96123 4567", "BR", "+5511961234567"), // a carrier code, dropped
        .init("00821012345678", "KR", "+821012345678"),      // 00 + own code, though 008 is a Korean prefix
        .init("0066 81 234 5678", "TH", "+66812345678"),
        .init("081234 56789", "IN", "+918123456789"),
        .init("0812 3456 789", "ID", "+628123456789"),
        .init("0300 1234567", "PK", "+923001234567"),
        .init("0802 123 4567", "NG", "+2348021234567"),
        .init("0917 123 4567", "PH", "+639171234567"),
        .init("0501 234 5678", "TR", "+905012345678"),
        .init("010 01234567", "EG", "+201001234567"),
        .init("612 345 678", "ES", "+34612345678"),
        .init("050 123 4567", "SA", "+966501234567"),
        .init("0712 345678", "KE", "+254712345678"),
        .init("012-345 6789", "MY", "+60123456789"),
        .init("01812-345678", "BD", "+8801812345678"),
        .init("050 123 4567", "UA", "+380501234567"),
        .init("912 345 678", "PE", "+51912345678"),
        .init("9 6123 4567", "CL", "+56961234567"),
        .init("0412 1234567", "VE", "+584121234567"),
        .init("0771 234 5678", "IQ", "+9647712345678"),
        .init("024 123 4567", "GH", "+233241234567"),
        .init("0612 345 678", "TZ", "+255612345678"),
        .init("050 123 4567", "AE", "+971501234567"),
        .init("099 123 4567", "EC", "+593991234567"),
        .init("071 234 5678", "LK", "+94712345678"),
        .init("050-234-5678", "IL", "+972502345678"),
        .init("8123 4567", "SG", "+6581234567"),
        .init("5123 4567", "HK", "+85251234567"),
        .init("0660 1234567", "AT", "+436601234567"),
        .init("0470 12 34 56", "BE", "+32470123456"),
        .init("0612345678", "NL", "+31612345678"),
        .init("512 345 678", "PL", "+48512345678"),
        .init("912 345 678", "PT", "+351912345678"),
        .init("0721 234 567", "RO", "+40721234567"),
        .init("0601 234 567", "SK", "+421601234567"),
        .init("031 234 567", "SI", "+38631234567"),
        .init("070 123 45 67", "SE", "+46701234567"),
        .init("040 123 4567", "FI", "+358401234567"),
        .init("20 12 34 56", "DK", "+4520123456"),
        .init("5123 4567", "EE", "+37251234567"),
        .init("085 123 4567", "IE", "+353851234567"),
        .init("8 612 34567", "LT", "+37061234567"),         // trunk prefix 8
        .init("628 123 456", "LU", "+352628123456"),
        .init("9696 1234", "MT", "+35696961234"),
        .init("96 123456", "CY", "+35796123456"),
        .init("601 123 456", "CZ", "+420601123456"),
        .init("694 123 4567", "GR", "+306941234567"),
        .init("091 234 5678", "HR", "+385912345678"),
    ]

    static let rejected: [Rejected] = [
        .init("", nil, .empty),
        .init("  - ( ) ", "MA", .empty),
        .init("abc", "MA", .letters),
        .init("+212 6l0 059 159", nil, .letters),
        .init("0610059159 ext 12", "MA", .letters),
        .init("1-800-FLOWERS", "US", .letters),
        .init("212610059159@lid", nil, .whatsappLID),
        .init("123456789012345@lid", "MA", .whatsappLID),
        .init("120363025246125486@g.us", nil, .whatsappGroup),
        .init("212610059159-1600000000@g.us", "MA", .whatsappGroup),
        .init("US.13491208655302741918", nil, .businessScopedUserID),
        .init("MA.abcDEF123", "MA", .businessScopedUserID),
        .init("+", nil, .tooShort),
        .init("+21", nil, .tooShort),
        .init("+212 6100591", nil, .tooShort),
        .init("06100591", "MA", .tooShort),
        .init("+2126100591591234", nil, .tooLong),
        .init("+49 800 1234567890123", nil, .tooLong),       // libphonenumber allows it; E.164 does not
        .init(String(repeating: "1", count: 40), "MA", .tooLong),
        .init("+999 1234 5678", nil, .unknownCountryCode),
        .init("+0212610059159", nil, .unknownCountryCode),
        .init("00999 12345678", "MA", .unknownCountryCode),
        .init("+212 61005915912", nil, .invalidLength),
        .init("0610 0591 591", "MA", .invalidLength),
        .init("+212 410059159", nil, .invalidNumber),         // Moroccan numbers start with 5 to 8
        .init("0610059159", nil, .noRegion),
        .init("610059159", nil, .noRegion),
        .init("0610059159", "XX", .unknownRegion),
        .init("+212610059159", "ma", .unknownRegion),         // region codes are upper case
        .init("+212 610#059159", nil, .invalidCharacters),
        .init("+212 +610059159", nil, .invalidCharacters),
        .init("212+610059159", nil, .invalidCharacters),
        .init("john@example.com", nil, .invalidCharacters),
        .init("status@broadcast", nil, .invalidCharacters),
        .init("abc@c.us", nil, .invalidCharacters),
    ]

    @Test(arguments: issueExamples + regions)
    func accepts(_ example: Accepted) throws {
        let number = try E164Normalizer(defaultRegion: nil).normalize(example.input, region: example.region)
        #expect(number.e164 == example.e164)
        #expect(number.e164 == "+\(number.countryCode)\(number.nationalNumber)")
    }

    @Test(arguments: rejected)
    func rejects(_ example: Rejected) {
        #expect(throws: PhoneNumberError.self) {
            _ = try E164Normalizer(defaultRegion: nil).normalize(example.input, region: example.region)
        }
        do {
            _ = try E164Normalizer(defaultRegion: nil).normalize(example.input, region: example.region)
        } catch {
            #expect(error.reason == example.reason, "\(error)")
            // Messages go to logs: they never repeat the input's digits.
            let digits = example.input.filter(\.isNumber)
            if digits.count >= 6 { #expect(!error.description.contains(digits), "\(error)") }
            #expect(error.description.hasPrefix(example.reason.rawValue.replacingOccurrences(of: "_", with: " ")))
        }
    }

    @Test func integersReadLikeDigitsWithoutPlus() throws {
        let normalizer = E164Normalizer(defaultRegion: "MA")
        #expect(try normalizer.normalize(Int64(212_610_059_159)).e164 == "+212610059159")
        #expect(try normalizer.normalize(Int64(610_059_159)).e164 == "+212610059159")
        #expect(try normalizer.normalize(Int64(33_612_345_678), region: "FR").e164 == "+33612345678")
        #expect(try normalizer.normalize(Int64(212_610_059_159), region: nil).e164 == "+212610059159")
        #expect(throws: PhoneNumberError(.invalidCharacters, "a phone number is not negative")) {
            _ = try normalizer.normalize(Int64(-212_610_059_159))
        }
        #expect(throws: PhoneNumberError.self) { _ = try normalizer.normalize(Int64(0)) }
        #expect(throws: PhoneNumberError.self) { _ = try normalizer.normalize(Int64.max) }
    }

    @Test func theDefaultRegionAppliesWhenNoneIsGiven() throws {
        let morocco = E164Normalizer(defaultRegion: "MA")
        #expect(morocco.defaultRegion == "MA")
        #expect(try morocco.normalize("0610059159").e164 == "+212610059159")
        #expect(try morocco.normalize("06 12 34 56 78", region: "FR").e164 == "+33612345678")
        let nowhere: any PhoneNormalizing = E164Normalizer(defaultRegion: nil)
        #expect(throws: PhoneNumberError.self) { _ = try nowhere.normalize("0610059159") }
        #expect(try nowhere.normalize("+212610059159").e164 == "+212610059159")
    }

    /// Digits that are a valid national number of the region stay national, even when they
    /// could also be read as an international number without its `+`.
    @Test func aValidNationalReadingWinsOverAnInternationalOne() throws {
        let normalizer = E164Normalizer(defaultRegion: nil)
        // 33 612 345 678 is also a valid French mobile number written without +; in the US it is
        // too long to be national, so it reads as French.
        #expect(try normalizer.normalize("33612345678", region: "US").e164 == "+33612345678")
        // In Germany, 0033… is international, while 033… is a German area code.
        #expect(try normalizer.normalize("0033612345678", region: "DE").e164 == "+33612345678")
        #expect(try normalizer.normalize("0336123456", region: "DE").e164 == "+49336123456")
        // 98 123 4567 is a mistyped Nepali number, not an Iranian one written without +.
        #expect(throws: PhoneNumberError.self) { _ = try normalizer.normalize("98 123 4567", region: "NP") }
    }

    @Test func phoneNumberValue() throws {
        let number = try E164Normalizer(defaultRegion: "MA").normalize("0610059159")
        #expect(number.countryCode == 212)
        #expect(number.nationalNumber == "610059159")
        #expect(number.description == "+212610059159")
        #expect(number.masked == "+2126••••59")
        #expect(!number.masked.contains("610059159"))
        let encoded = try JSONEncoder().encode([number])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["+212610059159"]"#)
        let french = try E164Normalizer(defaultRegion: "FR").normalize("06 12 34 56 78")
        let other = try E164Normalizer(defaultRegion: "MA").normalize("+212 5 22 12 34 56")
        #expect([number, french, other].sorted().map(\.e164) == ["+33612345678", "+212522123456", "+212610059159"])
        #expect(Set([number, try E164Normalizer(defaultRegion: nil).normalize("212610059159@c.us")]).count == 1)
    }

    @Test func errorDescriptionsNameTheRule() {
        #expect(PhoneNumberError(.tooLong, "E.164 allows at most 15 digits, got 16").description
                == "too long: E.164 allows at most 15 digits, got 16")
        #expect(PhoneNumberError(.empty, "").description == "empty")
        #expect(PhoneNumberError.Reason.whatsappLID.rawValue == "whatsapp_lid")
        #expect(PhoneNumberError.Reason.businessScopedUserID.rawValue == "business_scoped_user_id")
    }

    @Test func knownRegions() {
        for region in ["MA", "DZ", "TN", "LY", "MR", "FR", "DE", "US", "IN", "BR"] { #expect(E164Normalizer.isKnownRegion(region)) }
        for region in ["", "XX", "ma", "001", "MAR"] { #expect(!E164Normalizer.isKnownRegion(region)) }
    }
}
