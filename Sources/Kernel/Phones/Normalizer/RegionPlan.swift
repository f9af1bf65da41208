/// One region's numbering plan as the generated tables write it (`PhoneNumberingPlan+Regions.swift`):
/// libphonenumber's fields, patterns still as text.
struct RegionPlanSource: Sendable {
    /// ISO 3166 region (`MA`), or `001` for a non-geographic entity (+800, +882, …).
    let region: String
    let countryCode: Int
    /// Pattern of the international (IDD) prefix dialled from this region: `00`, `011`, `810`.
    let internationalPrefix: String?
    /// The trunk prefix as dialled (`0`, `8`, `06`), or nil when the region has none.
    let nationalPrefix: String?
    /// Pattern of what may precede a national number and is removed when parsing: the trunk
    /// prefix, sometimes with carrier codes (`BR`) or area-code rules (`AR`'s `15`).
    let nationalPrefixForParsing: String?
    /// What replaces the matched national prefix, with `\1`-style group references (`9\1` in `AR`).
    let nationalPrefixTransform: String?
    /// Every national significant number of the region matches it (the union of its mobile,
    /// fixed-line and other ranges, as libphonenumber states it).
    let nationalNumberPattern: String
    /// Lengths of national significant numbers.
    let possibleLengths: [Int]
    /// Lengths that can only be dialled locally, never a whole number.
    let localOnlyLengths: [Int]
    /// For regions that share a calling code: the leading digits that pick this region.
    let leadingDigits: String?
    /// The ranges assigned to each type of number, in the order libphonenumber tries them.
    let numberTypes: [NumberTypeSource]
}

/// libphonenumber's kinds of numbers.
enum PhoneNumberType: String, Sendable {
    case premiumRate, tollFree, sharedCost, voip, personalNumber, pager, uan, voicemail, fixedLine, mobile
}

/// The numbers of one type in a region: a pattern and their lengths (empty: the region's).
struct NumberTypeSource: Sendable {
    let type: PhoneNumberType
    let pattern: String
    let lengths: [Int]

    init(_ type: PhoneNumberType, _ pattern: String, _ lengths: [Int]) {
        self.type = type
        self.pattern = pattern
        self.lengths = lengths
    }
}

/// A region's plan with its patterns compiled (`PhoneNumberingPlan` compiles each on first use).
struct RegionPlan: Sendable {
    struct NumberTypeRange: Sendable {
        let type: PhoneNumberType
        let pattern: DigitPattern
        let lengths: [Int]
    }

    enum TransformPart: Sendable, Equatable {
        case literal([UInt8])
        case group(Int)
    }

    /// How `_test_number_length` in libphonenumber judges a length.
    enum LengthCheck: Equatable {
        case possible, localOnly, tooShort, tooLong, invalid
    }

    let region: String
    let countryCode: Int
    let nationalPrefix: String?
    let internationalPrefix: DigitPattern?
    let nationalPrefixForParsing: DigitPattern?
    let nationalPrefixTransform: [TransformPart]?
    let nationalNumber: DigitPattern
    /// Sorted, never empty.
    let possibleLengths: [Int]
    let localOnlyLengths: [Int]
    let leadingDigits: DigitPattern?
    let numberTypes: [NumberTypeRange]

    init(_ source: RegionPlanSource) throws(DigitPatternError) {
        region = source.region
        countryCode = source.countryCode
        nationalPrefix = source.nationalPrefix
        internationalPrefix = try source.internationalPrefix.map { (p) throws(DigitPatternError) in try DigitPattern(p) }
        nationalPrefixForParsing = try source.nationalPrefixForParsing.map { (p) throws(DigitPatternError) in try DigitPattern(p) }
        nationalPrefixTransform = source.nationalPrefixTransform.map(Self.parseTransform)
        nationalNumber = try DigitPattern(source.nationalNumberPattern)
        guard !source.possibleLengths.isEmpty else {
            throw DigitPatternError(source: source.nationalNumberPattern, position: 0, "\(source.region) has no possible lengths")
        }
        possibleLengths = source.possibleLengths.sorted()
        localOnlyLengths = source.localOnlyLengths
        leadingDigits = try source.leadingDigits.map { (p) throws(DigitPatternError) in try DigitPattern(p) }
        var types: [NumberTypeRange] = []
        for type in source.numberTypes {
            types.append(NumberTypeRange(type: type.type, pattern: try DigitPattern(type.pattern), lengths: type.lengths))
        }
        numberTypes = types
    }

    /// `9\1` → literal "9", then group 1.
    static func parseTransform(_ rule: String) -> [TransformPart] {
        var parts: [TransformPart] = []
        var bytes = Array(rule.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "\\"), let digit = bytes.first, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                bytes.removeFirst()
                parts.append(.group(Int(digit - UInt8(ascii: "0"))))
            } else if case .literal(let text) = parts.last {
                parts[parts.count - 1] = .literal(text + [byte])
            } else {
                parts.append(.literal([byte]))
            }
        }
        return parts
    }

    var minimumLength: Int { possibleLengths[0] }
    var maximumLength: Int { possibleLengths[possibleLengths.count - 1] }

    /// libphonenumber's `_test_number_length` on the general description.
    func checkLength(_ count: Int) -> LengthCheck {
        if localOnlyLengths.contains(count) { return .localOnly }
        if count < minimumLength { return .tooShort }
        if count > maximumLength { return .tooLong }
        return possibleLengths.contains(count) ? .possible : .invalid
    }

    /// Whether `digits` has a possible length and lies in the region's general range: what
    /// every number of the region satisfies, assigned or not yet.
    func isInGeneralRange(_ digits: [UInt8]) -> Bool {
        possibleLengths.contains(digits.count) && nationalNumber.matchesWhole(digits)
    }

    /// The type of number `digits` is (libphonenumber's `_number_type_helper`), or nil when it
    /// is in no assigned range: libphonenumber's "valid".
    func numberType(_ digits: [UInt8]) -> PhoneNumberType? {
        guard isInGeneralRange(digits) else { return nil }
        for range in numberTypes where range.lengths.isEmpty || range.lengths.contains(digits.count) {
            if range.pattern.matchesWhole(digits) { return range.type }
        }
        return nil
    }
}
