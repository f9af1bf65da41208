import PluginAPI

/// libphonenumber's `parse` and `is_valid_number`, ported step by step (names in comments are
/// `phonenumberutil.py`'s), plus readings libphonenumber does not make, each tried only when
/// the ones before it give no number libphonenumber would call valid:
///
/// 1. `00` then the default region's own calling code is that region's number, even where
///    the region's IDD prefix is `00` plus a carrier digit (`001`, `005`, `008`): nobody
///    dials abroad to reach home.
/// 2. libphonenumber's own reading: the region's IDD prefix, or the region's calling code in
///    front of a national number, or a national number of the region.
/// 3. `00` starts an international number in every region (`011` is the US prefix, but
///    `0044…` is still British).
/// 4. Digits that form an international number without their `+` (`212610059159`): the shape
///    of WhatsApp ids and many providers' payloads. Without a default region, only 3 and 4.
///
/// A reading libphonenumber calls valid (the number is in an assigned range of one of its
/// country's number types) wins. Failing that, libphonenumber's reading (2) and a number
/// written with `+` or as a WhatsApp id are accepted when they lie in their country's general
/// range with a possible length, so a number from a block opened after the metadata was
/// generated still goes through; readings 1, 3 and 4 are guesses, and must be valid. E.164's
/// 15 digits are a limit.
struct PhoneNumberParser {
    let plan: PhoneNumberingPlan
    /// The default region's plan: national numbers and the region's IDD prefix.
    let region: RegionPlan?

    /// E.164: country code and national number together.
    static let maximumE164Digits = 15
    /// libphonenumber's `_MIN_LENGTH_FOR_NSN` and `_MAX_LENGTH_FOR_NSN`.
    static let minimumNationalDigits = 2
    static let maximumNationalDigits = 17

    /// A country calling code and national significant number, not yet judged.
    struct Reading: Equatable {
        var countryCode: Int
        var national: [UInt8]
    }

    /// How far a reading is a number.
    enum Validity {
        /// In an assigned range of one of its country's number types: libphonenumber's "valid".
        case assigned
        /// A possible length in the country's general range, in no assigned range (yet).
        case inGeneralRange
        case invalid
    }

    /// The ways digits can be read (numbered as above).
    enum Way: Equatable {
        /// 1: the digits after `00`, starting with the region's own calling code.
        case ownCountryAfterZeros([UInt8])
        /// 2: libphonenumber's reading in the default region.
        case libphonenumber([UInt8])
        /// 3: the digits after `00`.
        case afterZeros([UInt8])
        /// 4: digits that may be an international number without its `+`.
        case withoutPlus([UInt8])
        /// A `+` or a WhatsApp user id: international, nothing to guess.
        case international([UInt8])
    }

    func parse(_ input: PhoneInput) throws(PhoneNumberError) -> PhoneNumber {
        switch input {
        case .plus(let digits), .whatsappUser(let digits):
            return try best([.international(digits)], reportingFailureOf: 0)
        case .dialled(let digits):
            return try dialled(digits)
        }
    }

    /// Digits without a `+`: the readings above, in order.
    private func dialled(_ digits: [UInt8]) throws(PhoneNumberError) -> PhoneNumber {
        let afterZeros = afterDoubleZero(digits)
        var ways: [Way] = []
        // The failure worth reporting when nothing reads as a number: the `00` reading's when
        // the digits start with 00, else the region's own reading's.
        var reported = 0
        if let region {
            if let afterZeros, afterZeros.starts(with: Array(String(region.countryCode).utf8)) {
                ways.append(.ownCountryAfterZeros(afterZeros))
            }
            reported = ways.count
            ways.append(.libphonenumber(digits))
        }
        if let afterZeros {
            reported = ways.count
            ways.append(.afterZeros(afterZeros))
        } else if plan.splitCountryCode(digits[...]) != nil {
            ways.append(.withoutPlus(digits))
        }
        guard region == nil && afterZeros == nil else { return try best(ways, reportingFailureOf: reported) }
        // No region and no `00`: international digits without their `+`, or a national number
        // that has no region to be read in.
        do {
            return try best(ways, reportingFailureOf: 0)
        } catch where error.reason == .tooLong {
            throw error
        } catch {
            throw PhoneNumberError(.noRegion, "not a valid international number, and a national one needs a default region")
        }
    }

    private func read(_ way: Way) throws(PhoneNumberError) -> Reading {
        switch way {
        case .international(let digits), .withoutPlus(let digits): return try international(digits)
        case .ownCountryAfterZeros(let rest), .afterZeros(let rest): return try afterIDD(rest)
        case .libphonenumber(let digits):
            guard let region else { throw PhoneNumberError(.noRegion, "a national number needs a default region") }
            return try libphonenumberReading(digits, region)
        }
    }

    /// The first reading libphonenumber would call valid, else the first in the general range,
    /// else the failure of reading `reported`.
    private func best(_ ways: [Way], reportingFailureOf reported: Int) throws(PhoneNumberError) -> PhoneNumber {
        var fallback: Reading?
        var failures: [PhoneNumberError?] = Array(repeating: nil, count: ways.count)
        for (index, way) in ways.enumerated() {
            do {
                let reading = try read(way)
                switch validity(reading) {
                case .assigned: return number(reading)
                case .inGeneralRange where way.acceptsGeneralRange: if fallback == nil { fallback = reading }
                case .inGeneralRange, .invalid: failures[index] = invalid(reading)
                }
            } catch {
                failures[index] = error
            }
        }
        if let fallback { return number(fallback) }
        if reported < failures.count, let failure = failures[reported] { throw failure }
        throw failures.compactMap { $0 }.first ?? PhoneNumberError(.empty, "no digits")
    }

    private func number(_ reading: Reading) -> PhoneNumber {
        PhoneNumber(countryCode: reading.countryCode, nationalNumber: String(decoding: reading.national, as: UTF8.self))
    }

    /// `is_valid_number`, and the general range the normaliser also accepts.
    func validity(_ reading: Reading) -> Validity {
        if let owner = plan.plan(for: reading.national, countryCode: reading.countryCode),
           owner.numberType(reading.national) != nil {
            return .assigned
        }
        return plan.plans(reading.countryCode).contains { $0.isInGeneralRange(reading.national) } ? .inGeneralRange : .invalid
    }

    // MARK: - readings

    /// `+` and the digits after it (`_maybe_extract_country_code`, FROM_NUMBER_WITH_PLUS_SIGN).
    private func international(_ digits: [UInt8]) throws(PhoneNumberError) -> Reading {
        guard digits.count > Self.minimumNationalDigits else {
            throw PhoneNumberError(.tooShort, "an international number has a country code and at least \(Self.minimumNationalDigits) more digits")
        }
        if let (code, rest) = plan.splitCountryCode(digits[...]) {
            return try complete(countryCode: code, Array(rest), strippingWith: plan.mainPlan(code))
        }
        // `parse` reads `+00212…` once more as if the `+` were not there: the region's IDD
        // prefix or calling code may follow it.
        if let region, let reading = try countryCodeWithoutPlus(digits, region) { return reading }
        throw PhoneNumberError(.unknownCountryCode, "no country calling code starts the number")
    }

    /// What libphonenumber makes of digits without `+` in the region: an IDD prefix, the
    /// region's calling code, else a national number.
    private func libphonenumberReading(_ digits: [UInt8], _ region: RegionPlan) throws(PhoneNumberError) -> Reading {
        if let reading = try countryCodeWithoutPlus(digits, region) { return reading }
        return try complete(countryCode: region.countryCode, digits, strippingWith: region)
    }

    /// `_maybe_extract_country_code` without a `+`: the region's IDD prefix (FROM_NUMBER_WITH_IDD)
    /// or its own calling code before a national number (FROM_NUMBER_WITHOUT_PLUS_SIGN); nil
    /// when neither is there.
    private func countryCodeWithoutPlus(_ digits: [UInt8], _ region: RegionPlan) throws(PhoneNumberError) -> Reading? {
        // `_parse_prefix_as_idd`: not when a 0 follows, since no calling code starts with 0.
        if let idd = region.internationalPrefix?.matchPrefix(digits),
           idd.end == digits.count || digits[idd.end] != UInt8(ascii: "0") {
            return try afterIDD(Array(digits[idd.end...]))
        }
        let code = Array(String(region.countryCode).utf8)
        guard digits.starts(with: code) else { return nil }
        let withoutCode = stripNationalPrefix(Array(digits[code.count...]), region)
        // "If the number was not valid before but is valid now, or if it was too long before."
        if (!region.nationalNumber.matchesWhole(digits) && region.nationalNumber.matchesWhole(withoutCode))
            || region.checkLength(digits.count) == .tooLong {
            return try complete(countryCode: region.countryCode, withoutCode, strippingWith: region)
        }
        return nil
    }

    /// The digits after an IDD prefix: a calling code, then the national number.
    private func afterIDD(_ rest: [UInt8]) throws(PhoneNumberError) -> Reading {
        guard rest.count > Self.minimumNationalDigits else {
            throw PhoneNumberError(.tooShort, "an international prefix is followed by a country code and at least \(Self.minimumNationalDigits) more digits")
        }
        guard let (code, national) = plan.splitCountryCode(rest[...]) else {
            throw PhoneNumberError(.unknownCountryCode, "no country calling code follows the international prefix")
        }
        return try complete(countryCode: code, Array(national), strippingWith: plan.mainPlan(code))
    }

    /// The digits after a leading `00` when a calling code (never 0) may follow, else nil.
    private func afterDoubleZero(_ digits: [UInt8]) -> [UInt8]? {
        guard digits.count > 2, digits[0] == UInt8(ascii: "0"), digits[1] == UInt8(ascii: "0"),
              digits[2] != UInt8(ascii: "0") else { return nil }
        return Array(digits[2...])
    }

    /// The end of `parse`: the national prefix is removed when what remains has a possible
    /// length (`_test_number_length`), then the lengths are bounded.
    private func complete(countryCode: Int, _ national: [UInt8], strippingWith stripPlan: RegionPlan?)
        throws(PhoneNumberError) -> Reading {
        guard national.count >= Self.minimumNationalDigits else {
            throw PhoneNumberError(.tooShort, "\(label(countryCode)) numbers have \(lengths(countryCode))")
        }
        var number = national
        if let stripPlan {
            let stripped = stripNationalPrefix(national, stripPlan)
            switch stripPlan.checkLength(stripped.count) {
            case .possible, .tooLong: number = stripped
            case .tooShort, .localOnly, .invalid: break
            }
        }
        let total = String(countryCode).utf8.count + number.count
        guard number.count <= Self.maximumNationalDigits, total <= Self.maximumE164Digits else {
            throw PhoneInput.tooManyDigits(total)
        }
        return Reading(countryCode: countryCode, national: number)
    }

    /// `_maybe_strip_national_prefix_carrier_code`: removes (or transforms) the national prefix
    /// unless that takes a number in the region's range out of it.
    func stripNationalPrefix(_ number: [UInt8], _ region: RegionPlan) -> [UInt8] {
        guard !number.isEmpty, let pattern = region.nationalPrefixForParsing,
              let match = pattern.matchPrefix(number) else { return number }
        let viableOriginal = region.nationalNumber.matchesWhole(number)
        let result: [UInt8]
        if let transform = region.nationalPrefixTransform, pattern.groupCount > 0, match.groups[pattern.groupCount] != nil {
            var transformed: [UInt8] = []
            for part in transform {
                switch part {
                case .literal(let bytes): transformed += bytes
                case .group(let index):
                    if index < match.groups.count, let range = match.groups[index] { transformed += number[range] }
                }
            }
            result = transformed + number[match.end...]
        } else {
            result = Array(number[match.end...])
        }
        if viableOriginal && !region.nationalNumber.matchesWhole(result) { return number }
        return result
    }

    // MARK: - messages

    /// Why a number of a known country is not one: its length, or its digits.
    private func invalid(_ reading: Reading) -> PhoneNumberError {
        let code = reading.countryCode
        let possible = Set(plan.plans(code).flatMap(\.possibleLengths))
        let count = reading.national.count
        let expected = "\(label(code)) numbers have \(lengths(code)), got \(count)"
        if let shortest = possible.min(), count < shortest { return PhoneNumberError(.tooShort, expected) }
        if !possible.contains(count) { return PhoneNumberError(.invalidLength, expected) }
        return PhoneNumberError(.invalidNumber, "not in the ranges of the \(label(code)) numbering plan")
    }

    /// `+212 (MA)`, `+800`.
    private func label(_ countryCode: Int) -> String {
        guard let main = plan.mainPlan(countryCode), main.region != RegionPlan.nonGeographic else { return "+\(countryCode)" }
        return "+\(countryCode) (\(main.region))"
    }

    /// `9 digits`, `8 to 10 digits`, `7, 10 or 12 digits`, after the country code.
    private func lengths(_ countryCode: Int) -> String {
        let possible = Set(plan.plans(countryCode).flatMap(\.possibleLengths)).sorted()
        guard let first = possible.first, let last = possible.last else { return "no known lengths" }
        let words: String
        if possible.count == 1 {
            words = "\(first)"
        } else if last - first + 1 == possible.count {
            words = "\(first) to \(last)"
        } else {
            words = possible.dropLast().map(String.init).joined(separator: ", ") + " or \(last)"
        }
        return "\(words) digits after the country code"
    }
}

extension PhoneNumberParser.Way {
    /// Whether the input itself says to read it this way (a `+`, a WhatsApp id, the region's
    /// own rules), so that a number in its country's general range is enough.
    var acceptsGeneralRange: Bool {
        switch self {
        case .international, .libphonenumber: true
        case .withoutPlus, .ownCountryAfterZeros, .afterZeros: false
        }
    }
}
