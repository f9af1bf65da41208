/// One result row with typed getters by column name. Getters throw `StorageError` naming
/// the column when it is absent or of another type, so a schema mistake is a clear error.
public struct Row: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ column: String) -> SQLValue? {
        guard let i = columns.firstIndex(of: column) else { return nil }
        return values[i]
    }

    private func value(_ column: String) throws(StorageError) -> SQLValue {
        guard let v = self[column] else { throw StorageError(.schema, "no column \(column) in result (columns: \(columns.joined(separator: ", ")))") }
        return v
    }

    public func int(_ column: String) throws(StorageError) -> Int64 {
        switch try value(column) {
        case .integer(let v): return v
        case let other: throw StorageError(.schema, "column \(column): expected an integer, got \(other.kind)")
        }
    }

    public func optionalInt(_ column: String) throws(StorageError) -> Int64? {
        if case .null = try value(column) { return nil }
        return try int(column)
    }

    public func double(_ column: String) throws(StorageError) -> Double {
        switch try value(column) {
        case .double(let v): return v
        case .integer(let v): return Double(v)
        case let other: throw StorageError(.schema, "column \(column): expected a number, got \(other.kind)")
        }
    }

    public func string(_ column: String) throws(StorageError) -> String {
        switch try value(column) {
        case .text(let v): return v
        case let other: throw StorageError(.schema, "column \(column): expected text, got \(other.kind)")
        }
    }

    public func optionalString(_ column: String) throws(StorageError) -> String? {
        if case .null = try value(column) { return nil }
        return try string(column)
    }

    public func bytes(_ column: String) throws(StorageError) -> [UInt8] {
        switch try value(column) {
        case .blob(let v): return v
        case .text(let v): return Array(v.utf8)
        case let other: throw StorageError(.schema, "column \(column): expected bytes, got \(other.kind)")
        }
    }

    public func optionalBytes(_ column: String) throws(StorageError) -> [UInt8]? {
        if case .null = try value(column) { return nil }
        return try bytes(column)
    }

    public func bool(_ column: String) throws(StorageError) -> Bool { try int(column) != 0 }
}

extension SQLValue {
    /// `integer`, `text`, … for error messages.
    public var kind: String {
        switch self {
        case .null: "null"
        case .integer: "an integer"
        case .double: "a double"
        case .text: "text"
        case .blob: "bytes"
        }
    }
}
