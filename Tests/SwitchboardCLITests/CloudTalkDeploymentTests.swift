import Foundation
import Testing

/// The built binary with a plugins.json that enables only CloudTalk and Wasender (MetaFlow,
/// Chatwoot and Integrity off), secrets from the environment: it checks, starts, mounts those
/// two plugins' routes only, and never writes the secrets to its log.
@Suite("cloudtalk + wasender deployment")
struct CloudTalkDeploymentTests {
    static let config = #"""
    {"server": {"host": "127.0.0.1", "port": 0}, "storage": {"url": "sqlite:switchboard.db"}, "log": {"level": "debug"},
     "admin": {"token": "${SWITCHBOARD_ADMIN_TOKEN}"},
     "plugins": {
       "metaflow": {"enabled": false, "config": {}},
       "chatwoot": {"enabled": false, "config": {}},
       "integrity": {"enabled": false, "config": {}},
       "wasender": {"enabled": true, "config": {"base_url": "https://www.wasenderapi.com/api", "api_key": "${WASENDER_API_KEY}",
                    "webhook_secret": "${WASENDER_WEBHOOK_SECRET}", "rate_limit": "1/60s"}},
       "cloudtalk": {"enabled": true, "config": {"webhook_token": "${CLOUDTALK_WEBHOOK_TOKEN}",
                     "api_key_id": "${CLOUDTALK_API_KEY_ID}", "api_key_secret": "${CLOUDTALK_API_KEY_SECRET}",
                     "follow_up": {"channel": "wasender", "delay": "30s", "cooldown": "24h", "reply_window": "7d",
                                   "template": "Buongiorno, sono {agent_name}: ci invii una foto della sua ultima bolletta della luce."}}}}}
    """#

    static let secrets = [
        "SWITCHBOARD_ADMIN_TOKEN": "admin-token-deployment-0123456789",
        "WASENDER_API_KEY": "wasender-key-deployment-0123456789",
        "WASENDER_WEBHOOK_SECRET": "wasender-secret-deployment-0123456789",
        "CLOUDTALK_WEBHOOK_TOKEN": "cloudtalk-token-deployment-0123456789",
        "CLOUDTALK_API_KEY_ID": "cloudtalk-key-id-deployment-01",
        "CLOUDTALK_API_KEY_SECRET": "cloudtalk-key-secret-deployment-0123456789",
    ]

    @Test func onlyCloudTalkAndWasenderStartAndServe() throws {
        let dir = try BinaryRunner.configDirectory(Self.config)
        defer { try? FileManager.default.removeItem(at: dir) }
        let check = try BinaryRunner.run(["check-config"], environment: Self.secrets, directory: dir)
        #expect(check.status == 0, "\(check.stderr)")
        let listed = try BinaryRunner.run(["plugins"], environment: Self.secrets, directory: dir)
        #expect(listed.stdout.contains("cloudtalk\tenabled") && listed.stdout.contains("wasender\tenabled"), "\(listed.stdout)")
        #expect(listed.stdout.contains("metaflow\tdisabled") && listed.stdout.contains("chatwoot\tdisabled"))

        let server = try BinaryRunner.start(["serve"], environment: Self.secrets, directory: dir)
        let port = try server.waitForPort()
        #expect(try HTTPGet.get(port: port, path: "/readyz").0 == 200)
        // CloudTalk's listing exists and wants the admin token; the disabled plugins' routes do not exist.
        #expect(try HTTPGet.get(port: port, path: "/cloudtalk/calls").0 == 401)
        #expect(try HTTPGet.get(port: port, path: "/metaflow/responses").0 == 404)
        // The webhook is POST only; a token in the query is not logged either.
        let token = Self.secrets["CLOUDTALK_WEBHOOK_TOKEN"] ?? ""
        #expect(try HTTPGet.get(port: port, path: "/cloudtalk/webhook?token=\(token)").0 == 405)
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        let result = server.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("\"listening\""))
        for (name, secret) in Self.secrets {
            #expect(!result.stderr.contains(secret), "\(name) in the log")
        }
    }
}
