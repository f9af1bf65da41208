import CPostgres
import PluginAPI

/// How `SQLValue`s cross the libpq boundary.
///
/// Parameters go in text format with no declared type, so the server infers each type from
/// context (an ambiguous context casts in the SQL: `$1::bigint`); bytes go in binary format
/// declared as `bytea`, so no escaping is needed and every byte value survives; NULL is a
/// null pointer. Results come back in text format and are mapped by the column's type OID.
enum PostgresValueCoding {
    /// Type OIDs from `pg_type.h` (stable across PostgreSQL versions).
    enum TypeOID {
        static let bool: Oid = 16
        static let bytea: Oid = 17
        static let int8: Oid = 20
        static let int2: Oid = 21
        static let int4: Oid = 23
        static let oid: Oid = 26
        static let float4: Oid = 700
        static let float8: Oid = 701
        static let numeric: Oid = 1700
        /// "Infer from context".
        static let unspecified: Oid = 0
    }

    /// Parameters laid out for `PQexecPrepared`: one byte buffer with every value, and the
    /// per-parameter offsets, lengths, formats and declared types.
    struct Parameters {
        /// Values back to back; text values are NUL-terminated as libpq requires.
        var bytes: [UInt8] = []
        /// Offset of each value in `bytes`; nil for SQL NULL.
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        /// 0 text, 1 binary.
        var formats: [Int32] = []
        /// Declared at prepare time; part of the statement cache key.
        var types: [Oid] = []

        var count: Int { offsets.count }

        /// Calls `body` with the C arrays `PQexecPrepared` takes; they are valid only inside.
        func withCArrays<R>(
            _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
        ) -> R {
            guard count > 0 else { return body(nil, nil, nil) }
            // One trailing byte so the buffer is never empty: an empty blob still needs a
            // non-null pointer (a null pointer means SQL NULL).
            let storage = bytes + [0]
            return storage.withUnsafeBytes { raw in
                let base = raw.baseAddress
                let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                    guard let offset, let base else { return nil }
                    return (base + offset).assumingMemoryBound(to: CChar.self)
                }
                return pointers.withUnsafeBufferPointer { values in
                    lengths.withUnsafeBufferPointer { lengths in
                        formats.withUnsafeBufferPointer { formats in
                            body(values.baseAddress, lengths.baseAddress, formats.baseAddress)
                        }
                    }
                }
            }
        }
    }

    /// Lays out `values`. Throws `.other` for what PostgreSQL cannot store: text holding a
    /// NUL character (text format would silently cut it there) or a value over 2 GiB.
    static func encode(_ values: [SQLValue]) throws(StorageError) -> Parameters {
        var out = Parameters()
        out.offsets.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            switch value {
            case .null:
                out.offsets.append(nil)
                out.lengths.append(0)
                out.formats.append(0)
                out.types.append(TypeOID.unspecified)
            case .integer(let v):
                appendText(String(v), to: &out)
            case .double(let v):
                appendText(text(of: v), to: &out)
            case .text(let v):
                guard !v.utf8.contains(0) else {
                    throw StorageError(.other, "parameter $\(index + 1): PostgreSQL text cannot hold a NUL character")
                }
                appendText(v, to: &out)
            case .blob(let v):
                guard let length = Int32(exactly: v.count) else {
                    throw StorageError(.other, "parameter $\(index + 1): \(v.count) bytes is over PostgreSQL's limit")
                }
                out.offsets.append(out.bytes.count)
                out.bytes.append(contentsOf: v)
                out.lengths.append(length)
                out.formats.append(1)
                out.types.append(TypeOID.bytea)
            }
        }
        return out
    }

    private static func appendText(_ text: String, to out: inout Parameters) {
        out.offsets.append(out.bytes.count)
        out.bytes.append(contentsOf: text.utf8)
        out.bytes.append(0)
        out.lengths.append(0)  // ignored for text format
        out.formats.append(0)
        out.types.append(TypeOID.unspecified)
    }

    /// The text PostgreSQL's float input reads back to the same double (Swift prints the
    /// shortest round-tripping form; the special values have their own spellings).
    static func text(of value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "Infinity" }
        if value == -.infinity { return "-Infinity" }
        return "\(value)"
    }

    /// One non-null result field, in text format, by its column type.
    static func decode(_ field: UnsafeRawBufferPointer, type: Oid) -> SQLValue {
        switch type {
        case TypeOID.int2, TypeOID.int4, TypeOID.int8, TypeOID.oid:
            if let v = parseInteger(field) { return .integer(v) }
        case TypeOID.float4, TypeOID.float8, TypeOID.numeric:
            if let v = parseDouble(field) { return .double(v) }
        case TypeOID.bool:
            if field.count == 1 { return .integer(field[0] == UInt8(ascii: "t") ? 1 : 0) }
        case TypeOID.bytea:
            if let v = decodeBytea(field) { return .blob(v) }
        default:
            break
        }
        // Text, and anything the cases above could not parse (never silently lose data).
        return .text(String(decoding: field, as: UTF8.self))
    }

    /// A decimal integer without allocating a String.
    static func parseInteger(_ field: UnsafeRawBufferPointer) -> Int64? {
        guard !field.isEmpty else { return nil }
        var index = 0
        let negative = field[0] == UInt8(ascii: "-")
        if negative || field[0] == UInt8(ascii: "+") { index = 1 }
        guard index < field.count else { return nil }
        var value: Int64 = 0
        while index < field.count {
            let digit = field[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            // Accumulate negatively so Int64.min parses too.
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = (0 as Int64).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    static func parseDouble(_ field: UnsafeRawBufferPointer) -> Double? {
        let text = String(decoding: field, as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    /// `bytea` in text format: the `\x` hex form (the default `bytea_output`), or the legacy
    /// escape form, which libpq decodes.
    static func decodeBytea(_ field: UnsafeRawBufferPointer) -> [UInt8]? {
        if field.count >= 2, field[0] == UInt8(ascii: "\\"), field[1] == UInt8(ascii: "x") {
            return decodeHex(UnsafeRawBufferPointer(rebasing: field[2...]))
        }
        // libpq needs a NUL-terminated copy.
        let terminated = Array(field) + [0]
        var length = 0
        guard let decoded = terminated.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress.flatMap { PQunescapeBytea($0, &length) }
        }) else { return nil }
        defer { PQfreemem(decoded) }
        return Array(UnsafeBufferPointer(start: decoded, count: length))
    }

    /// Pairs of hex digits to bytes; nil for an odd length or a non-hex character.
    static func decodeHex(_ hex: UnsafeRawBufferPointer) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(hex.count / 2)
        var index = 0
        while index < hex.count {
            guard let high = hexNibble(hex[index]), let low = hexNibble(hex[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hexNibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
