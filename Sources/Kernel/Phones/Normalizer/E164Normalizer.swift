import PluginAPI

/// The kernel's `PhoneNormalizing`: text, WhatsApp ids and integers to E.164, checked against
/// libphonenumber's numbering plans (compiled in, see `PhoneNumberingPlan`). Pure and cheap to
/// copy; the plans are shared.
///
/// How digits without a `+` are read, in order (the first that applies wins):
/// 1. the default region's IDD prefix (`00` in `MA`, `011` in the US) or, everywhere, `00`:
///    an international number follows;
/// 2. the default region's own calling code in front of a national number
///    (`212610059159` in `MA`), as libphonenumber decides it;
/// 3. a valid national number of the default region (`0610059159` in `MA`);
/// 4. a valid international number written without its `+` (`212610059159` in `FR`, or
///    with no default region at all): the shape WhatsApp ids and many providers use.
/// A valid national number therefore always wins over an international reading of the
/// same digits; when neither is valid the national reading's error is reported.
public struct E164Normalizer: PhoneNormalizing {
    public let defaultRegion: String?
    private let plan: PhoneNumberingPlan

    /// `defaultRegion` is an ISO 3166 code (`MA`), checked when a number needs it.
    public init(defaultRegion: String?) {
        self.defaultRegion = defaultRegion
        self.plan = .shared
    }

    /// Whether the numbering plans know `region` (`MA`, `FR`; not `001`, nor lower case).
    public static func isKnownRegion(_ region: String) -> Bool {
        PhoneNumberingPlan.shared.knows(region: region)
    }

    public func normalize(_ text: String, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        let parser = try self.parser(region)
        return try parser.parse(try PhoneInput.scan(text))
    }

    /// An integer is its decimal digits without a `+` (`212610059159` reads as international
    /// unless it is a valid national number of the region).
    public func normalize(_ number: Int64, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        let parser = try self.parser(region)
        guard number >= 0 else { throw PhoneNumberError(.invalidCharacters, "a phone number is not negative") }
        return try parser.parse(.dialled(Array(String(number).utf8)))
    }

    private func parser(_ region: String?) throws(PhoneNumberError) -> PhoneNumberParser {
        guard let region else { return PhoneNumberParser(plan: plan, region: nil) }
        guard let regionPlan = plan.region(region) else {
            let shown = region.count > 8 ? String(region.prefix(8)) + "…" : region
            throw PhoneNumberError(.unknownRegion, "\"\(shown)\" is not a region code the numbering plans know (like MA or FR)")
        }
        return PhoneNumberParser(plan: plan, region: regionPlan)
    }
}
