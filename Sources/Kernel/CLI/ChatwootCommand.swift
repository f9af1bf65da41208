import FoundationEssentials
import PluginAPI

/// `switchboard chatwoot labels sync [--json]`: creates the labels the Chatwoot plugin's
/// `sync.labels` names that the Chatwoot account lacks, through the plugin's admin route
/// `POST /chatwoot/labels/sync` (in-process, like `responses export`).
enum ChatwootCommand {
    static func run(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        let session = try StorageSession(file: file, plugins: plugins, environment: environment)
        let route = PluginRouteCall(session: session)
        let response: Response
        do {
            response = try await route.call(plugin: "chatwoot", .post, "/chatwoot/labels/sync", command: "chatwoot labels sync")
        } catch {
            await route.close()
            throw error
        }
        await route.close()
        if response.status == 404 {
            Switchboard.printError("switchboard: chatwoot labels sync: the chatwoot plugin has no API client configured (base_url, account_id, api_token)")
            return 2
        }
        guard response.status == 200 else {
            // The plugin's error body says what Chatwoot answered (never the token).
            Switchboard.printError("switchboard: chatwoot labels sync: \(String(decoding: response.body, as: UTF8.self))")
            return 1
        }
        if parsed.flags.contains("json") {
            print(String(decoding: response.body, as: UTF8.self))
            return 0
        }
        struct Outcome: Decodable { var created: [String]; var existing: [String] }
        let outcome = try JSONText.decode(Outcome.self, from: response.body)
        print("created \(outcome.created.count) label\(outcome.created.count == 1 ? "" : "s")" + (outcome.created.isEmpty ? "" : ": " + outcome.created.joined(separator: ", ")))
        print("already in chatwoot: \(outcome.existing.count)" + (outcome.existing.isEmpty ? "" : " (" + outcome.existing.joined(separator: ", ") + ")"))
        return 0
    }
}
