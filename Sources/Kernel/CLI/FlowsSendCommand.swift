import FoundationEssentials
import Glibc
import PluginAPI

/// `switchboard flows send --csv FILE [--flow F] [--mode M] [--batch NAME] [--no-wait]`:
/// queues a bulk Flow send through MetaFlow's `POST /metaflow/send/bulk` (in-process), reports
/// the rows it skipped with their line numbers, then follows `GET /metaflow/send/bulk/:id`
/// with a progress bar (a line every few seconds when stdout is not a terminal). The sends
/// themselves are made by the running server's job engine, under the channel's rate limit;
/// a re-run queues nothing twice.
enum FlowsSendCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        guard let csvPath = parsed.options["csv"], !csvPath.isEmpty else { throw UsageError("flows send: --csv FILE is required") }
        let csv: [UInt8]
        do {
            csv = try FileReader.bytes(atPath: csvPath)
        } catch {
            Switchboard.printError("switchboard: flows send: cannot read \(csvPath): \(error)")
            return 1
        }
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        let route = PluginRouteCall(session: session)
        do {
            let status = try await send(parsed, csv: csv, csvPath: csvPath, route: route)
            await route.close()
            return status
        } catch {
            await route.close()
            throw error
        }
    }

    static func send(_ parsed: ParsedCommand, csv: [UInt8], csvPath: String, route: PluginRouteCall) async throws -> Int32 {
        var query: [String] = []
        for name in ["flow", "mode", "batch"] {
            if let value = parsed.options[name] { query.append("\(name)=\(ResponsesCommand.percentEncoded(value))") }
        }
        let target = "/metaflow/send/bulk" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/csv")
        let response = try await route.call(plugin: "metaflow", .post, target, headers: headers, body: csv, command: "flows send")
        let answer = try? JSONParser.parse(response.body)
        guard (200..<300).contains(response.status), let answer, let batch = answer["batch_id"].flatMap(Self.integer) else {
            Switchboard.printError("switchboard: flows send: \(csvPath): \(String(decoding: response.body, as: UTF8.self))")
            return response.status < 500 ? 2 : 1
        }
        // What was skipped, with the lines to fix.
        for invalid in answer["invalid"].flatMap(Self.array) ?? [] {
            print("\(csvPath):\(invalid["line"].flatMap(Self.integer) ?? 0): skipped: \(invalid["reason"].flatMap(Self.string) ?? "invalid")")
        }
        for duplicate in answer["duplicates"].flatMap(Self.array) ?? [] {
            print("\(csvPath):\(duplicate["line"].flatMap(Self.integer) ?? 0): skipped: same phone as line \(duplicate["first_line"].flatMap(Self.integer) ?? 0)")
        }
        let queued = answer["queued"].flatMap(Self.integer) ?? 0
        let already = answer["already_queued"].flatMap(Self.integer) ?? 0
        print("batch \(batch): \(queued) queued, \(already) already queued by an earlier run")
        if parsed.flags.contains("no-wait") { return 0 }
        return try await follow(batch: batch, route: route)
    }

    /// Polls the batch until every row is sent or failed, or nothing moved for `idleLimit`.
    static func follow(batch: Int64, route: PluginRouteCall, idleLimit: Double = 30) async throws -> Int32 {
        let terminal = isatty(1) != 0
        var last = (sent: Int64(-1), failed: Int64(-1))
        var lastChange = Date()
        var lastLine = Date.distantPast
        while true {
            let response = try await route.call(plugin: "metaflow", .get, "/metaflow/send/bulk/\(batch)", command: "flows send")
            guard response.status == 200, let progress = try? JSONParser.parse(response.body) else {
                Switchboard.printError("switchboard: flows send: progress of batch \(batch): \(String(decoding: response.body, as: UTF8.self))")
                return 1
            }
            let total = progress["total"].flatMap(Self.integer) ?? 0
            let sent = progress["sent"].flatMap(Self.integer) ?? 0
            let failed = progress["failed"].flatMap(Self.integer) ?? 0
            let done = progress["done"] == .bool(true)
            if (sent, failed) != last {
                last = (sent, failed)
                lastChange = Date()
            }
            if terminal {
                print("\r" + bar(sent + failed, of: total) + " \(sent)/\(total) sent, \(failed) failed", terminator: "")
                fflushStandardOutput()
            } else if done || Date().timeIntervalSince(lastLine) >= 5 {
                print("\(sent)/\(total) sent, \(failed) failed")
                lastLine = Date()
            }
            if done {
                if terminal { print("") }
                return failed == 0 ? 0 : 1
            }
            if Date().timeIntervalSince(lastChange) >= idleLimit {
                if terminal { print("") }
                print("nothing sent for \(Int(idleLimit)) s: is `switchboard serve` running with this config? The batch stays queued; "
                      + "GET /metaflow/send/bulk/\(batch) shows its progress.")
                return 1
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
    }

    /// `[#########-----------]`, 30 cells.
    static func bar(_ part: Int64, of whole: Int64) -> String {
        let cells = 30
        let filled = whole > 0 ? Int(Double(part) / Double(whole) * Double(cells)) : 0
        return "[" + String(repeating: "#", count: min(filled, cells)) + String(repeating: "-", count: max(cells - filled, 0)) + "]"
    }

    static func integer(_ value: JSONValue) -> Int64? {
        if case .integer(let n) = value { return n }
        return nil
    }

    static func string(_ value: JSONValue) -> String? {
        if case .string(let s) = value { return s }
        return nil
    }

    static func array(_ value: JSONValue) -> [JSONValue]? {
        if case .array(let items) = value { return items }
        return nil
    }

    /// stdout is flushed through the file descriptor's own stream; `print` buffers it.
    static func fflushStandardOutput() { fflush(nil) }
}
