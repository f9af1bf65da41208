import FoundationEssentials
import Glibc
import PluginAPI

/// `switchboard responses export --csv [--flow F] [--since TIME] [--status S] [--out FILE]`:
/// the MetaFlow survey responses as CSV (what `GET /metaflow/responses.csv` serves), on stdout
/// or into FILE. Reads storage beside a running server.
enum ResponsesCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        guard parsed.flags.contains("csv") else { throw UsageError("responses export: --csv is required (the only format so far)") }
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        var query: [String] = []
        for name in ["flow", "since", "status"] {
            if let value = parsed.options[name] { query.append("\(name)=\(percentEncoded(value))") }
        }
        let target = "/metaflow/responses.csv" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let route = PluginRouteCall(session: session)
        let response: Response
        do {
            response = try await route.call(plugin: "metaflow", .get, target, command: "responses export")
        } catch {
            await route.close()
            throw error
        }
        await route.close()
        guard response.status == 200 else {
            // The plugin's error body names the bad filter (`since: expected …`).
            Switchboard.printError("switchboard: responses export: \(String(decoding: response.body, as: UTF8.self))")
            return response.status == 400 ? 2 : 1
        }
        if let out = parsed.options["out"] {
            do {
                try Data(response.body).write(to: URL(fileURLWithPath: out))
            } catch {
                Switchboard.printError("switchboard: responses export: cannot write \(out): \(error)")
                return 1
            }
            let rows = response.body.split(separator: UInt8(ascii: "\n")).count - 1
            print("wrote \(max(rows, 0)) responses to \(out)")
        } else {
            writeAll(response.body, to: 1)
        }
        return 0
    }

    /// Writes every byte to `fd` (bytes, not text: the CSV keeps its BOM exactly).
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Percent-encodes a query value (everything but unreserved characters).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
