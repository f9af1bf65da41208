import PluginAPI

/// Descriptions of `/api/admin/phones/…` (`AdminRoutes+Phones`).
extension AdminRouteDocs {
    static let rate = JSONSchema.number(minimum: 0, maximum: 1).nullable()
    static let resolution = JSONSchema.object([
        "subject": .string(), "key": .string(), "status": .string(enum: AdminParameters.phoneStatuses),
        "phone": .string(format: "e164").nullable(), "source": .string().nullable(),
        "source_kind": .string(enum: PhoneSourceKind.allCases.map(\.description)).nullable(),
        "rounds": .integer(minimum: 0), "created_at": time, "updated_at": time, "resolved_at": time.nullable(),
        "next_attempt_at": time.nullable(),
    ])
    static let report = JSONSchema.object([
        "subjects": .integer(minimum: 0), "resolved": .integer(minimum: 0), "pending": .integer(minimum: 0),
        "unresolved": .integer(minimum: 0), "conflict": .integer(minimum: 0), "capture_rate": rate,
        "by_source": .array(of: .object(["source": .string(), "kind": .string(), "subjects": .integer(minimum: 0), "rate": rate])),
        "by_day": .array(of: .object(["day": .string(format: "date"), "subjects": .integer(minimum: 0), "resolved": .integer(minimum: 0),
                                      "capture_rate": rate])),
    ])
    static var detail: JSONSchema {
        guard case .object(var properties, var required, let additional) = resolution.shape else { return resolution }
        let extra: [JSONSchema.Property] = [
            .init("linked_keys", .array(of: .string())),
            .init("attempts", .array(of: .object([
                "round": .integer(minimum: 0), "strategy": .string(), "outcome": .string(), "latency_ms": .number(minimum: 0),
                "detail": .string().nullable(), "at": time,
            ]))),
            .init("disagreements", .array(of: .object([
                "kind": .string(), "kept_phone": .string(), "kept_source": .string(), "other_phone": .string(),
                "other_source": .string(), "at": time,
            ]))),
        ]
        properties += extra
        required += extra.map(\.name)
        return JSONSchema(.object(properties: properties, required: required, additional: additional))
    }

    static var phones: [(HTTPMethod, String, RouteDoc)] {
        let p = "\(prefix)/phones"
        return [
            (.get, "\(p)/report", Self.admin(
                "The capture rate: subjects by status, by source and by day",
                [.json(200, "the report", report), badParameter])),
            (.get, "\(p)/subjects", Self.admin(
                "The review queues (pending, unresolved, conflict), oldest first",
                parameters: [.query("status", .string(enum: AdminParameters.phoneStatuses + ["all"]), "one status, or `all`; default: the queues"),
                             limit, after],
                [.json(200, "a page of subjects", page(resolution)), badParameter])),
            (.get, "\(p)/subject", Self.admin(
                "One subject: its phone, linked keys, every strategy attempt and disagreement",
                parameters: [.query("subject", .string(minLength: 1), "the subject (`metaflow/response/42`)", required: true)],
                [.json(200, "the subject", detail), badParameter, notFound])),
            (.post, "\(p)/assign", Self.admin(
                "Record the operator's number for a subject's key (source `manual`)",
                body: .json(.object(["subject": .string(minLength: 1), "phone": .string(minLength: 1),
                                     "note": .string().nullable(), "region": .string().nullable()], required: ["subject", "phone"])),
                [.json(200, "the subject, resolved", resolution), badParameter, notFound])),
            (.get, "\(p)/normalize", Self.admin(
                "Normalise a number to E.164 (what the kernel's normaliser makes of it)",
                parameters: [.query("number", .string(minLength: 1), required: true),
                             .query("region", .string(), "the region for national numbers (default `phone.default_region`)")],
                [.json(200, "a number", .object(["input": .string(), "e164": .string(format: "e164")])), badParameter,
                 .json(422, "not a number: the reason", .object(["input": .string(), "error": .string()]))])),
        ]
    }
}
