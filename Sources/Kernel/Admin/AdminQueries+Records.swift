import PluginAPI

// What the operator surface shows: one record type per listing, each rendered the same way
// by the CLI's `--json` lines and the admin API (snake_case keys, RFC 3339 times with
// milliseconds, explicit nulls).
extension AdminQueries {
    /// A page of a listing. `next` is the cursor (`after=`) for the following page, or nil
    /// when this page holds the last match.
    struct Page<Item: Sendable>: Sendable {
        var items: [Item]
        var next: Int64?
    }

    /// One inbox item in a listing; `status` is derived (`dead` when its job died).
    struct InboxSummary: Sendable, Equatable {
        var id: Int64
        var plugin: String
        /// The mounted webhook path (`/wasender/webhook`).
        var route: String
        var dedupeKey: String?
        var status: String
        var receivedAt: Int64
        var processedAt: Int64?
        var duplicateOf: Int64?
        var jobID: Int64?
        var size: Int64
        var error: String?

        /// Reads a row of `InboxSQL.listColumns`.
        init(row: Row) throws {
            id = try row.int("id")
            plugin = try row.string("plugin")
            route = try row.string("route")
            dedupeKey = try row.optionalString("dedupe_key")
            status = try row.string("status")
            receivedAt = try row.int("received_at")
            processedAt = try row.optionalInt("processed_at")
            duplicateOf = try row.optionalInt("duplicate_of")
            jobID = try row.optionalInt("job_id")
            size = try row.optionalInt("size") ?? 0
            error = try row.optionalString("error")
        }

        var json: JSONValue {
            .object([
                ("id", .integer(id)), ("plugin", .string(plugin)), ("route", .string(route)),
                ("dedupe_key", .optional(dedupeKey)), ("status", .string(status)),
                ("received_at", .time(receivedAt)), ("processed_at", .time(processedAt)),
                ("duplicate_of", .optional(duplicateOf)), ("size", .integer(size)),
                ("error", .optional(error)), ("job_id", .optional(jobID)),
            ])
        }
    }

    /// One item with everything stored about it, and its current job.
    struct InboxDetail: Sendable {
        var summary: InboxSummary
        /// As stored: the request's headers minus those that carry credentials.
        var headers: HTTPHeaders
        var body: [UInt8]
        var job: JobSummary?

        /// The body as text when it is valid UTF-8, else nil (shown as base64).
        var bodyText: String? { String(validating: body, as: UTF8.self) }

        var json: JSONValue {
            guard case .object(var members) = summary.json else { return summary.json }
            members.append(("headers", .array(headers.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })))
            if let text = bodyText {
                members.append(("body_encoding", .string("utf8")))
                members.append(("body", .string(text)))
            } else {
                members.append(("body_encoding", .string("base64")))
                members.append(("body", .string(Base64.encode(body))))
            }
            members.append(("job", job?.json ?? .null))
            return .object(members)
        }
    }

    /// One job in a listing.
    struct JobSummary: Sendable, Equatable {
        var id: Int64
        var name: String
        var queue: String
        /// `available`, `running`, `done`, `dead` or `cancelled`.
        var status: String
        var attempt: Int64
        var maxAttempts: Int64
        var runAt: Int64
        var lastError: String?
        var createdAt: Int64
        var finishedAt: Int64?

        /// Reads a row of `AdminSQL.jobList`.
        init(row: Row) throws {
            id = try row.int("id")
            name = try row.string("name")
            queue = try row.string("queue")
            status = try row.string("status")
            attempt = try row.int("attempt")
            maxAttempts = try row.int("max_attempts")
            runAt = try row.int("run_at")
            lastError = try row.optionalString("last_error")
            createdAt = try row.int("created_at")
            finishedAt = try row.optionalInt("finished_at")
        }

        var json: JSONValue {
            .object([
                ("id", .integer(id)), ("name", .string(name)), ("queue", .string(queue)), ("status", .string(status)),
                ("attempt", .integer(attempt)), ("max_attempts", .integer(maxAttempts)), ("run_at", .time(runAt)),
                ("last_error", .optional(lastError)), ("created_at", .time(createdAt)), ("finished_at", .time(finishedAt)),
            ])
        }
    }

    /// A webhook request that failed verification: what and where, never its body.
    struct RejectionSummary: Sendable, Equatable {
        var id: Int64
        var plugin: String
        var route: String
        var reason: String
        var size: Int64
        var remoteAddress: String
        var time: Int64

        /// Reads a row of `AdminSQL.rejectionList`.
        init(row: Row) throws {
            id = try row.int("id")
            plugin = try row.string("plugin")
            route = try row.string("route")
            reason = try row.string("reason")
            size = try row.int("size")
            remoteAddress = try row.string("remote_address")
            time = try row.int("received_at")
        }

        var json: JSONValue {
            .object([
                ("id", .integer(id)), ("time", .time(time)), ("plugin", .string(plugin)), ("route", .string(route)),
                ("reason", .string(reason)), ("size", .integer(size)), ("remote_address", .string(remoteAddress)),
            ])
        }
    }

    /// What replaying one item did.
    struct ReplayResult: Sendable, Equatable {
        enum Outcome: Sendable, Equatable {
            /// A new processing job was enqueued.
            case queued(jobID: Int64)
            /// Its job still waits or runs (`status`); the unique key allows no second one.
            case alreadyQueued(jobID: Int64, status: String)
        }

        var id: Int64
        var outcome: Outcome

        var json: JSONValue {
            switch outcome {
            case .queued(let job):
                .object([("id", .integer(id)), ("result", .string("queued")), ("job_id", .integer(job))])
            case .alreadyQueued(let job, let status):
                .object([("id", .integer(id)), ("result", .string("already_queued")), ("job_id", .integer(job)), ("job_status", .string(status))])
            }
        }
    }

    /// What a replay by time did.
    struct BulkReplayResult: Sendable, Equatable {
        /// Non-duplicate items that matched.
        var matched: Int
        /// Items whose processing was enqueued.
        var queued: [Int64]
        /// Items whose job was still waiting or running.
        var alreadyQueued: [Int64]

        var json: JSONValue {
            .object([("matched", .integer(Int64(matched))), ("queued", .integer(Int64(queued.count))),
                     ("already_queued", .array(alreadyQueued.map { .integer($0) }))])
        }
    }
}

extension JSONValue {
    /// A string, or null.
    static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// An integer, or null.
    static func optional(_ value: Int64?) -> JSONValue { value.map { .integer($0) } ?? .null }

    /// Unix milliseconds as RFC 3339 text, or null.
    static func time(_ millis: Int64?) -> JSONValue { millis.map { .string(RFC3339.format(millis: $0)) } ?? .null }
}
