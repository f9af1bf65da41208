import PluginAPI

/// The body of `POST /metaflow/send`: `phone_number` (text or a JSON integer),
/// `customer_name`?, `flow`?, `mode`?; the seeds' `phoneNumber` and `customerName` too.
struct SendRequest: Sendable {
    var phone: JSONValue
    var customerName: String?
    var flow: String?
    var mode: String?

    static let phoneKeys = ["phone_number", "phoneNumber"]
    static let nameKeys = ["customer_name", "customerName"]

    init(body: [UInt8]) throws(SendError) {
        guard let object = (try? JSONText.decode(JSONValue.self, from: body))?.objectValue else {
            throw SendError(400, "invalid_json", "the body must be a JSON object")
        }
        guard let phone = Self.phoneKeys.lazy.compactMap({ object[$0] }).first else {
            throw SendError(400, "missing_phone_number", "phone_number is required")
        }
        self.phone = phone
        customerName = try Self.optionalString(object, Self.nameKeys)
        flow = try Self.optionalString(object, ["flow"])
        mode = try Self.optionalString(object, ["mode"])
    }

    /// The phone, normalised; a 400 with the reason when it is not one.
    func normalizedPhone(_ phones: any Phones) throws(SendError) -> PhoneNumber {
        do {
            switch phone {
            case .string(let text): return try phones.normalize(text)
            case .integer(let number): return try phones.normalize(number)
            default: throw SendError(400, "invalid_phone_number", "phone_number must be a string or an integer")
            }
        } catch let error as PhoneNumberError {
            throw SendError(400, "invalid_phone_number", "phone_number is not a phone number: \(error)")
        } catch let error as SendError {
            throw error
        } catch {
            throw SendError(400, "invalid_phone_number", "phone_number is not a phone number")
        }
    }

    private static func optionalString(_ object: [String: JSONValue], _ keys: [String]) throws(SendError) -> String? {
        for key in keys {
            switch object[key] {
            case nil, .null?: continue
            case .string(let text)?: return text
            default: throw SendError(400, "invalid_\(keys[0])", "\(keys[0]) must be a string")
            }
        }
        return nil
    }
}
