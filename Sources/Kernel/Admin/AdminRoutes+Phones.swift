import PluginAPI

/// `/api/admin/phones/…`: the capture-rate report, the review queues, one subject's history,
/// manual assignment and the normaliser, for the Integrity plugin and the admin UI.
extension AdminRoutes {
    static let phoneListKeys: Set<String> = ["status", "limit", "after"]
    static let assignKeys: Set<String> = ["subject", "phone", "note", "region"]

    func phoneRoutes(_ phones: PhoneQueries) -> [(HTTPMethod, String, RouteAction)] {
        let p = "\(Self.prefix)/phones"
        return [
            (.get, "\(p)/report", guarded { request in
                try AdminParameters.checkKnown(request.queryItems, allowed: [])
                return Self.json(try await phones.report().json)
            }),
            (.get, "\(p)/subjects", guarded { request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: Self.phoneListKeys)
                let filter = try AdminParameters.phoneFilter(values, limits: .paged)
                return Self.page(try await phones.subjects(filter)) { $0.resolution.json }
            }),
            (.get, "\(p)/subject", guarded { request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: ["subject"])
                let subject = try AdminParameters.nonEmpty("subject", values["subject"] ?? "")
                return Self.json(try await phones.detail(subject: subject).json)
            }),
            (.post, "\(p)/assign", guarded { request in
                let body = try Self.objectBody(request.body, allowed: Self.assignKeys, example: #"{"subject": "metaflow/response/42", "phone": "+212610059159"}"#)
                let subject = try Self.requiredString(body, "subject")
                let phone = try Self.requiredString(body, "phone")
                let resolution = try await phones.assign(subject: subject, phone: phone, region: try Self.optionalString(body, "region"),
                                                         note: try Self.optionalString(body, "note"))
                return Self.json(resolution.json)
            }),
            (.get, "\(p)/normalize", guarded { request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: ["number", "region"])
                let number = try AdminParameters.nonEmpty("number", values["number"] ?? "")
                do {
                    let phone = try phones.service.normalizer.normalize(number, region: values["region"] ?? phones.service.normalizer.defaultRegion)
                    return Self.json(.object([("input", .string(number)), ("e164", .string(phone.e164))]))
                } catch {
                    return Self.json(.object([("input", .string(number)), ("error", .string("\(error)"))]), status: 422)
                }
            }),
        ]
    }

    /// A JSON object body with only `allowed` keys.
    static func objectBody(_ body: [UInt8], allowed: Set<String>, example: String) throws(AdminError) -> [(key: String, value: JSONValue)] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw AdminError.invalid("body", "expected a JSON object like \(example): \(error)")
        }
        guard case .object(let members) = value else { throw AdminError.invalid("body", "expected a JSON object like \(example)") }
        if let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw AdminError.invalid(unknown.key, "unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        return members
    }

    static func optionalString(_ members: [(key: String, value: JSONValue)], _ key: String) throws(AdminError) -> String? {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        guard case .string(let text) = value else { throw AdminError.invalid(key, "expected a string") }
        return text
    }

    static func requiredString(_ members: [(key: String, value: JSONValue)], _ key: String) throws(AdminError) -> String {
        guard let text = try optionalString(members, key) else { throw AdminError.invalid(key, "required") }
        return try AdminParameters.nonEmpty(key, text)
    }
}

extension AdminParameters {
    static let phoneStatuses = PhoneResolutionStatus.allCases.map(\.rawValue)

    /// `status` (one, or `all`), `limit`, `after`; no status means the review queues.
    static func phoneFilter(_ values: [String: String], limits: LimitPolicy) throws(AdminError) -> PhoneQueries.Filter {
        var filter = PhoneQueries.Filter()
        if let status = values["status"], status != "all" {
            let name = try oneOf("status", status, phoneStatuses + ["all"])
            filter.statuses = PhoneResolutionStatus(rawValue: name).map { [$0] }
        } else if values["status"] == "all" {
            filter.statuses = PhoneResolutionStatus.allCases
        }
        if let after = values["after"] { filter.after = try cursor("after", after) }
        filter.limit = try limit(values["limit"], limits)
        return filter
    }
}
