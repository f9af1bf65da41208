import PluginAPI

/// `POST /metaflow/send/bulk?flow=&mode=&batch=` and `GET /metaflow/send/bulk/:id`.
///
/// A batch is named by `batch` or, without it, by the digest of its flow, mode and input, so
/// posting the same input again is the same batch. Invalid rows (with their line and reason)
/// and repeated phones are skipped; a phone already in the batch is never queued again, so a
/// re-run (after fixing bad rows, or after a crash) sends only what was not sent. Everything
/// one request queues is stored in one transaction; the sends then run on the channel's
/// rate-limited queue.
struct BulkRoutes: Sendable {
    let sender: FlowSender
    let store: any Store
    let phones: any Phones
    let crypto: any CryptoProvider
    let clock: any TimeSource
    let log: any Logger

    struct Skipped: Codable, Sendable {
        var invalid: [Invalid]
        var duplicates: [Duplicate]
    }

    struct Invalid: Codable, Sendable {
        var line: Int
        var reason: String
    }

    struct Duplicate: Codable, Sendable {
        var line: Int
        var firstLine: Int
        enum CodingKeys: String, CodingKey {
            case line
            case firstLine = "first_line"
        }
    }

    func create(_ request: Request) async throws -> Response {
        let query = request.queryItems
        if query["batch"]?.isEmpty == true { throw SendError(400, "invalid_batch", "batch must not be empty (leave it out for a digest)") }
        let plan = try sender.plan(flow: query["flow"], mode: query["mode"])
        let input = try BulkInput(body: request.body, contentType: request.headers["content-type"])
        guard !input.rows.isEmpty else { throw SendError(400, "empty_batch", "no rows: send CSV phone_number,customer_name or a JSON array") }
        let key = query["batch"].map { "name:\($0)" }
            ?? "sha256:" + crypto.hex(crypto.sha256(Array("\(plan.flowName)\n\(plan.mode.rawValue)\n".utf8) + request.body))
        var skipped = Skipped(invalid: [], duplicates: [])
        var valid: [(phone: PhoneNumber, name: String?)] = []
        var firstLines: [PhoneNumber: Int] = [:]
        for row in input.rows {
            do {
                let phone = try phones.normalize(row.phone)
                if let first = firstLines[phone] {
                    skipped.duplicates.append(Duplicate(line: row.line, firstLine: first))
                    continue
                }
                firstLines[phone] = row.line
                valid.append((phone, row.name))
            } catch {
                skipped.invalid.append(Invalid(line: row.line, reason: "\(error)"))
            }
        }
        let skippedText = try JSONText.string(skipped)
        let recipients = valid
        let sender = self.sender
        let now = clock.nowMillis
        let total = input.rows.count
        let result = try await store.write { db -> (Int64, Int, Int) in
            let batchID: Int64
            if let existing = try db.queryOne(SendSQL.findBatch, key) {
                batchID = try existing.int("id")
                try db.execute(SendSQL.updateBatch, [.integer(batchID), .integer(Int64(total)), .text(skippedText), .integer(now)])
            } else {
                guard let row = try db.queryOne(SendSQL.insertBatch, key, plan.flowName, plan.mode.rawValue, Int64(total), skippedText, now) else {
                    throw StorageError(.other, "batch insert returned no id")
                }
                batchID = try row.int("id")
            }
            let already = Set(try db.query(SendSQL.batchPhones, [.integer(batchID)]).map { try $0.string("phone") })
            var queued = 0
            for recipient in recipients where !already.contains(recipient.phone.e164) {
                _ = try sender.issue(plan, token: try sender.newToken(), to: recipient.phone, name: recipient.name, batchID: batchID, in: db)
                queued += 1
            }
            return (batchID, queued, recipients.count - queued)
        }
        log.info("bulk flow send", ["batch_id": "\(result.0)", "flow": plan.flowName, "queued": "\(result.1)",
                                    "already_queued": "\(result.2)", "invalid": "\(skipped.invalid.count)", "duplicates": "\(skipped.duplicates.count)"])
        let answer: JSONValue = .object([
            "batch_id": .integer(result.0),
            "flow": .string(plan.flowName),
            "mode": .string(plan.mode.rawValue),
            "rows": .integer(Int64(total)),
            "queued": .integer(Int64(result.1)),
            "already_queued": .integer(Int64(result.2)),
            "invalid": .array(skipped.invalid.map { .object(["line": .integer(Int64($0.line)), "reason": .string($0.reason)]) }),
            "duplicates": .array(skipped.duplicates.map { .object(["line": .integer(Int64($0.line)), "first_line": .integer(Int64($0.firstLine))]) }),
            "progress_url": .string("/metaflow/send/bulk/\(result.0)"),
        ])
        return .json(bytes: try JSONText.bytes(answer), status: result.1 > 0 ? 202 : 200)
    }

    /// Counts by send status: `queued` (waiting on the rate-limited queue or a retry), `sent`, `failed`.
    func progress(_ request: Request) async throws -> Response {
        guard let id = request.parameters["id"].flatMap({ Int64($0) }), id > 0 else {
            throw SendError(400, "invalid_id", "the batch id must be a positive integer")
        }
        let loaded = try await store.read { db -> (Row, [Row])? in
            guard let batch = try db.queryOne(SendSQL.loadBatch, id) else { return nil }
            return (batch, try db.query(SendSQL.batchCounts, [.integer(id)]))
        }
        guard let (batch, counts) = loaded else { throw SendError(404, "not_found", "no batch \(id)") }
        var byStatus: [String: Int64] = [:]
        for row in counts { byStatus[try row.optionalString("send_status") ?? "queued", default: 0] += try row.int("n") }
        let skipped = try? JSONText.decode(Skipped.self, from: Array(try batch.string("skipped").utf8))
        let waiting = byStatus["queued", default: 0]
        let answer: JSONValue = .object([
            "batch_id": .integer(id),
            "flow": .string(try batch.string("flow")),
            "mode": .string(try batch.string("mode")),
            "rows": .integer(try batch.int("rows_total")),
            "total": .integer(byStatus.values.reduce(0, +)),
            "queued": .integer(waiting),
            "sent": .integer(byStatus["sent", default: 0]),
            "failed": .integer(byStatus["failed", default: 0]),
            "invalid": .integer(Int64(skipped?.invalid.count ?? 0)),
            "duplicates": .integer(Int64(skipped?.duplicates.count ?? 0)),
            "done": .bool(waiting == 0),
        ])
        return .json(bytes: try JSONText.bytes(answer))
    }
}
