/// Why a text or an integer is not a phone number. The message names the rule that failed
/// and never repeats the input's digits: phone numbers are masked in logs, and errors end up
/// in logs.
public struct PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason (`too_long`); `--json` output and metrics use it.
    public enum Reason: String, Sendable, CaseIterable {
        /// Nothing but spaces and separators.
        case empty
        /// Letters: a name, an extension (`x12`) or a vanity number (`1-800-FLOWERS`).
        case letters
        /// A character that is neither a digit, a separator nor a leading `+`.
        case invalidCharacters = "invalid_characters"
        /// `…@lid`: WhatsApp's anonymous linked id, which hides the number.
        case whatsappLID = "whatsapp_lid"
        /// `…@g.us`: a WhatsApp group, not a person.
        case whatsappGroup = "whatsapp_group"
        /// `US.13491208655302741918`: a business-scoped user id, which hides the number.
        case businessScopedUserID = "business_scoped_user_id"
        /// Fewer digits than any number of the country (or none after the `+`).
        case tooShort = "too_short"
        /// More than E.164's 15 digits.
        case tooLong = "too_long"
        /// No country calling code starts the international number.
        case unknownCountryCode = "unknown_country_code"
        /// A length the country's numbers never have (between its shortest and longest).
        case invalidLength = "invalid_length"
        /// A possible length, but digits outside every range the country's plan assigns.
        case invalidNumber = "invalid_number"
        /// A national number (no `+`, no international prefix) and no default region to read it in.
        case noRegion = "no_region"
        /// The region given is not an ISO 3166 region the numbering plans know.
        case unknownRegion = "unknown_region"
    }

    public let reason: Reason
    /// What was expected, lower-case, without the input's digits (`E.164 allows at most 15 digits, got 17`).
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// `too long: E.164 allows at most 15 digits, got 17`.
    public var description: String {
        let summary = reason.rawValue.replacingLiteral("_", with: " ")
        return detail.isEmpty ? summary : "\(summary): \(detail)"
    }
}
