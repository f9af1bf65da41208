import PluginAPI

/// Resolves `${VAR}` references inside JSON strings, whole (`"${TOKEN}"`) or embedded
/// (`"postgres://u:${PG_PASS}@h/db"`).
///
/// - `VAR` set and non-empty: its value.
/// - Otherwise, `VAR_FILE` set and non-empty: that file's contents, one trailing newline
///   (`\n` or `\r\n`) stripped, as container secrets are mounted.
/// - Neither: an error naming the variable and the JSON path.
///
/// An empty variable counts as unset: an empty secret is always a mistake, and
/// `environment: [VAR=]` pass-throughs in compose files produce exactly that.
///
/// `$${` writes a literal `${`; any other `$` is literal. Resolved text is never scanned
/// again, so a secret containing `${` stays as it is. Only string values are resolved, not
/// object keys. Error messages name variables, files and paths, never a resolved value.
struct EnvironmentSubstitution {
    var environment: [String: String]
    /// Reads a `*_FILE` secret; injected so tests need no real files.
    var readFile: (String) throws -> [UInt8]
    /// Every value read from the environment or a secret file, so logs can redact them.
    let resolved = ResolvedSecrets()

    /// `value` with every string resolved; `path` is the value's own path, for errors.
    func resolve(_ value: JSONValue, path: String) throws -> JSONValue {
        switch value {
        case .string(let text):
            return .string(try resolve(text, path: path))
        case .array(let items):
            var resolved: [JSONValue] = []
            resolved.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                resolved.append(try resolve(item, path: JSONPath.appending(path, index: index)))
            }
            return .array(resolved)
        case .object(let members):
            var resolved: [(key: String, value: JSONValue)] = []
            resolved.reserveCapacity(members.count)
            for member in members {
                resolved.append((key: member.key, value: try resolve(member.value, path: JSONPath.appending(path, key: member.key))))
            }
            return .object(resolved)
        case .null, .bool, .integer, .double:
            return value
        }
    }

    /// `text` with every `${VAR}` replaced and every `$${` turned into `${`.
    func resolve(_ text: String, path: String) throws -> String {
        let dollar = UInt8(ascii: "$"), open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        guard text.utf8.contains(dollar) else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            // `$${` → a literal `${`.
            if bytes[index] == dollar, index + 2 < bytes.count, bytes[index + 1] == dollar, bytes[index + 2] == open {
                out += [dollar, open]
                index += 3
                continue
            }
            guard bytes[index] == dollar, index + 1 < bytes.count, bytes[index + 1] == open else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard let end = bytes[(index + 2)...].firstIndex(of: close) else {
                throw ConfigError(path: path, "unterminated ${ (missing '}'; write $${ for a literal ${)")
            }
            let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
            try Self.validate(name: name, path: path)
            out += try value(of: name, path: path).utf8
            index = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Names are `[A-Za-z_][A-Za-z0-9_]*`, as in POSIX shells.
    static func validate(name: String, path: String) throws {
        guard let first = name.utf8.first else { throw ConfigError(path: path, "empty variable name in ${}") }
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || c == UInt8(ascii: "_") }
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        guard isLetter(first), name.utf8.allSatisfy({ isLetter($0) || isDigit($0) }) else {
            throw ConfigError(path: path, "invalid variable name \"\(name)\" in ${…} (expected letters, digits and _, not starting with a digit)")
        }
    }

    private func value(of name: String, path: String) throws -> String {
        if let value = environment[name], !value.isEmpty {
            resolved.values.append(value)
            return value
        }
        let fileVariable = name + "_FILE"
        if let file = environment[fileVariable], !file.isEmpty {
            let value = try secret(inFile: file, variable: fileVariable, path: path)
            resolved.values.append(value)
            return value
        }
        if environment[name] != nil {
            throw ConfigError(path: path, "environment variable \(name) is empty (and \(fileVariable) is not set)")
        }
        throw ConfigError(path: path, "environment variable \(name) is not set (nor \(fileVariable))")
    }

    private func secret(inFile file: String, variable: String, path: String) throws -> String {
        var bytes: [UInt8]
        do {
            bytes = try readFile(file)
        } catch {
            throw ConfigError(path: path, "cannot read \(variable) file \(file): \(error)")
        }
        // One line ending, as `echo secret > file` writes; anything more is part of the secret.
        if bytes.last == UInt8(ascii: "\n") {
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        }
        guard !bytes.isEmpty else { throw ConfigError(path: path, "\(variable) file \(file) is empty") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(path: path, "\(variable) file \(file) is not valid utf-8")
        }
        return text
    }
}

/// Values that came from `${VAR}` references, collected while one config is loaded.
final class ResolvedSecrets {
    var values: [String] = []
}
