import PluginAPI

/// Fills `phone`/`phone_source` of a response when phone resolution finds (or corrects) the
/// number of its subject (`metaflow/response/<id>`). Idempotent: a redelivery writes the same.
struct PhoneResolvedHandler: Sendable {
    /// The part of `phone.resolved`'s payload used here.
    struct Payload: Decodable {
        var subject: String
        var phone: String
        var source: String?
    }

    let store: any Store
    let clock: any TimeSource

    func handle(_ event: Event) async throws -> JobOutcome {
        guard let payload = try? JSONText.decode(Payload.self, from: Array(event.payload.utf8)) else {
            return .cancel(reason: "phone.resolved payload without subject and phone")
        }
        guard payload.subject.hasPrefix(ResponseStore.subjectPrefix) else { return .done }
        guard let id = Int64(payload.subject.dropFirst(ResponseStore.subjectPrefix.count)) else {
            return .cancel(reason: "subject \(payload.subject) has no response id")
        }
        let now = clock.nowMillis
        try await store.write { db in
            try db.execute(ResponseSQL.setPhone, id, payload.phone, payload.source, now)
            try event.complete(in: db)
        }
        return .done
    }
}
