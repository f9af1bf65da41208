/// Standard base64 (RFC 4648 §4: `A–Z a–z 0–9 + /`, `=` padding) over bytes.
///
/// Decoding is strict so that one byte string has exactly one accepted text: no whitespace or line
/// breaks, no URL-safe alphabet, padding either complete or entirely absent, and the unused low bits
/// of the last character must be zero (RFC 4648 §3.5). Foundation's decoder is not used because it
/// rejects unpadded input and its handling of the unused bits differs between platforms.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")

    /// Maps an ASCII byte to its 6-bit value, or 0xFF when it is not in the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        return table
    }()

    /// The padded base64 text of `bytes`. Pure.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(chunk >> 18 & 0x3F)])
            out.append(alphabet[Int(chunk >> 12 & 0x3F)])
            out.append(alphabet[Int(chunk >> 6 & 0x3F)])
            out.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let chunk = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(chunk >> 18 & 0x3F)])
            out.append(alphabet[Int(chunk >> 12 & 0x3F)])
            out.append(padding)
            out.append(padding)
        case 2:
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(chunk >> 18 & 0x3F)])
            out.append(alphabet[Int(chunk >> 12 & 0x3F)])
            out.append(alphabet[Int(chunk >> 6 & 0x3F)])
            out.append(padding)
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64 `text`, padded or not; nil when it is not strict standard base64. Pure.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    /// The bytes of base64 given as ASCII bytes (for example a raw request body); nil when invalid. Pure.
    public static func decode(utf8 input: [UInt8]) -> [UInt8]? {
        // 1. strip padding: only a complete group (1 or 2 `=` making the length a multiple of 4)
        var count = input.count
        var padded = 0
        while count > 0, input[count - 1] == padding, padded < 2 {
            count -= 1
            padded += 1
        }
        if padded > 0, input.count % 4 != 0 { return nil }

        // 2. a final group of one character cannot encode a whole byte
        let remainder = count % 4
        if remainder == 1 { return nil }
        if padded > 0, padded != (4 - remainder) % 4 { return nil }

        // 3. decode full groups, then the tail; any byte outside the alphabet (including a stray `=`) fails
        var out = [UInt8]()
        out.reserveCapacity(count / 4 * 3 + 2)
        var index = 0
        while index + 4 <= count {
            let a = values[Int(input[index])], b = values[Int(input[index + 1])]
            let c = values[Int(input[index + 2])], d = values[Int(input[index + 3])]
            // an invalid byte maps to 0xFF, so any of the top two bits set means invalid input
            guard (a | b | c | d) & 0xC0 == 0 else { return nil }
            let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out.append(UInt8(chunk >> 16 & 0xFF))
            out.append(UInt8(chunk >> 8 & 0xFF))
            out.append(UInt8(chunk & 0xFF))
            index += 4
        }
        switch remainder {
        case 2:
            let a = values[Int(input[index])], b = values[Int(input[index + 1])]
            // the low 4 bits of `b` are not part of the byte and must be zero
            guard (a | b) & 0xC0 == 0, b & 0x0F == 0 else { return nil }
            out.append(a << 2 | b >> 4)
        case 3:
            let a = values[Int(input[index])], b = values[Int(input[index + 1])], c = values[Int(input[index + 2])]
            // the low 2 bits of `c` are not part of the bytes and must be zero
            guard (a | b | c) & 0xC0 == 0, c & 0x03 == 0 else { return nil }
            out.append(a << 2 | b >> 4)
            out.append(b << 4 | c >> 2)
        default:
            break
        }
        return out
    }
}
