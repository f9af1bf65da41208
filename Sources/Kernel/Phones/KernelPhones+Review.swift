import PluginAPI

/// `context.phones`' operator queries: the same `PhoneQueries` as the CLI and the admin API.
extension KernelPhones {
    private func queries() throws -> PhoneQueries {
        guard let service = services.phones else { throw PhoneError("phones cannot be queried before every plugin has registered") }
        return PhoneQueries(store: services.store, service: service)
    }

    func report(_ scope: PhoneSubjectScope) async throws -> PhoneReport {
        try await queries().report(scope)
    }

    func subjects(statuses: [PhoneResolutionStatus], scope: PhoneSubjectScope, after: Int64?, limit: Int) async throws -> PhoneSubjectPage {
        guard !statuses.isEmpty else { return PhoneSubjectPage(items: [], next: nil) }
        guard (1...1000).contains(limit) else { throw PhoneError("a subject listing's limit is 1 to 1000") }
        let page = try await queries().subjects(PhoneQueries.Filter(statuses: statuses, limit: limit, after: after, scope: scope))
        return PhoneSubjectPage(items: page.items, next: page.next)
    }

    func history(subject: String) async throws -> PhoneSubjectHistory? {
        do {
            return try await queries().detail(subject: subject)
        } catch let error as AdminError where error.kind == .notFound {
            return nil
        }
    }

    func assign(subject: String, phone: String, region: String?, note: String?) async throws -> PhoneResolution {
        try await queries().assign(subject: subject, phone: phone, region: region, note: note)
    }
}
