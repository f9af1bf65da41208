import PluginAPI

/// `context.phones`: the normaliser at once, the resolution chain once every plugin has
/// registered (a plugin's `init` may normalise numbers in its config, but not resolve).
struct KernelPhones: Phones {
    let services: KernelServices
    let normalizer: E164Normalizer

    var defaultRegion: String? { normalizer.defaultRegion }

    func normalize(_ text: String, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        try normalizer.normalize(text, region: region)
    }

    func normalize(_ number: Int64, region: String?) throws(PhoneNumberError) -> PhoneNumber {
        try normalizer.normalize(number, region: region)
    }

    private func service() throws -> PhoneService {
        guard let service = services.phones else { throw PhoneError("phones cannot be resolved before every plugin has registered") }
        return service
    }

    func resolve(key: PhoneKey, subject: String) async throws -> PhoneResolution {
        try await service().resolve(key: key, subject: subject)
    }

    func track(key: PhoneKey, subject: String, label: String?, in connection: any SQLConnection) throws -> PhoneResolution {
        try service().track(key: key, subject: subject, label: label, in: connection)
    }

    func learn(key: PhoneKey, phone: PhoneNumber, source: String, kind: PhoneSourceKind, note: String?,
               in connection: any SQLConnection) throws -> PhoneLearnResult {
        try service().learn(key: key, phone: phone, source: source, kind: kind, note: note, in: connection)
    }

    func link(_ key: PhoneKey, _ other: PhoneKey, in connection: any SQLConnection) throws {
        try service().link(key, other, in: connection)
    }

    func resolution(subject: String) async throws -> PhoneResolution? {
        try await service().resolution(subject: subject)
    }
}
