/// Turns what people, providers and spreadsheets write for a phone number into an E.164
/// `PhoneNumber`, or says why it is not one. The kernel provides it; it is pure (no I/O, no
/// locks) and safe to call from any task.
///
/// Accepted: `+212 6-10 05 91 59`, `(+212) 610059159`, `00212610059159`, digits that form a
/// valid international number (`212610059159`), national numbers of the default region
/// (`0610059159` in `MA`), WhatsApp ids (`212610059159@c.us`, `…@s.whatsapp.net`,
/// `whatsapp:+212…`) and integers. Rejected with a reason: WhatsApp `@lid` and `@g.us` ids,
/// business-scoped user ids, letters, unknown country codes, impossible lengths.
public protocol PhoneNormalizing: Sendable {
    /// The ISO 3166 region national numbers are read in (`phone.default_region`), or nil.
    var defaultRegion: String? { get }

    /// Normalises text, reading national numbers in `region` (nil: only international ones are accepted).
    func normalize(_ text: String, region: String?) throws(PhoneNumberError) -> PhoneNumber

    /// Normalises a number given as a JSON integer, like the same digits given as text.
    func normalize(_ number: Int64, region: String?) throws(PhoneNumberError) -> PhoneNumber
}

extension PhoneNormalizing {
    /// Normalises text in the default region.
    public func normalize(_ text: String) throws(PhoneNumberError) -> PhoneNumber {
        try normalize(text, region: defaultRegion)
    }

    /// Normalises an integer in the default region.
    public func normalize(_ number: Int64) throws(PhoneNumberError) -> PhoneNumber {
        try normalize(number, region: defaultRegion)
    }
}
