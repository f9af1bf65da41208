import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// ConfigLoader: plugins.json sections, defaults, ${VAR} substitution and errors, exact messages.
struct ConfigTests {}

private let knownPlugins = ["metaflow", "chatwoot", "wasender"]

/// A file reader over an in-memory table, so most tests need no real files.
private func reader(_ files: [String: String]) -> (String) throws -> [UInt8] {
    { path in
        guard let text = files[path] else { throw FileReadError(code: ENOENT) }
        return Array(text.utf8)
    }
}

private func parse(_ text: String, env: [String: String] = [:], files: [String: String] = [:]) throws -> SwitchboardConfig {
    try ConfigLoader.parse(Array(text.utf8), environment: env, knownPlugins: knownPlugins, readFile: reader(files))
}

/// The description of what parsing throws, or nil when it succeeds.
private func failure(_ text: String, env: [String: String] = [:], files: [String: String] = [:]) -> String? {
    do {
        _ = try parse(text, env: env, files: files)
        return nil
    } catch {
        return String(describing: error)
    }
}

/// A file in a fresh temporary directory, removed by `cleanUp`.
private struct TemporaryFile {
    let directory: URL
    let path: String

    init(name: String = "file", contents: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(name).path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

// MARK: defaults and a full file

extension ConfigTests {
    @Test(arguments: [
        "{}",
        #"{"server": {}, "storage": {}, "admin": {}, "log": {}, "phone": {}, "plugins": {}}"#,
        "\n{ }\n",
    ])
    func appliesDefaultsWhenSectionsAreAbsent(text: String) throws {
        let config = try parse(text)
        #expect(config == SwitchboardConfig())
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 8080)
        #expect(config.storage.url == "sqlite:switchboard.db")
        #expect(config.admin.token == nil)
        #expect(config.log.level == .info)
        #expect(config.phone.retrySchedule.count == 5)
    }

    @Test func readsEverySetting() throws {
        let text = #"""
            {
              "server":  { "host": "::1", "port": 9090, "event_loops": 4, "max_connections": 500,
                           "header_timeout": "5s", "body_timeout": "1m", "keep_alive_timeout": "500ms",
                           "shutdown_grace": "20s", "max_body": 0 },
              "storage": { "url": "postgres://switchboard:${PG_PASS}@db/switchboard" },
              "admin":   { "token": "${SWITCHBOARD_ADMIN_TOKEN}" },
              "log":     { "level": "debug" },
              "phone":   { "default_region": "MA",
                           "strategies": ["metaflow.token_map", "chatwoot.conversation_search", "metaflow.token_pattern"],
                           "retry_schedule": ["5s", "30s", "2m", "10m", "1h"] },
              "plugins": {
                "metaflow": { "enabled": true,  "config": { "app_secret": "${META_APP_SECRET}", "private_key_path": "${FLOW_PRIVATE_KEY_PATH}" } },
                "chatwoot": { "enabled": false, "config": { "base_url": "https://chat.example.com", "account_id": 14, "api_token": "${CHATWOOT_API_TOKEN}" } },
                "wasender": { "enabled": true }
              }
            }
            """#
        let env = [
            "PG_PASS": "pg-secret",
            "SWITCHBOARD_ADMIN_TOKEN": "0123456789abcdef0123",
            "META_APP_SECRET": "meta-secret",
            "FLOW_PRIVATE_KEY_PATH": "/keys/flow.pem",
        ]
        let config = try parse(text, env: env)

        var server = ServerSettings()
        server.host = "::1"
        server.port = 9090
        server.eventLoops = 4
        server.maxConnections = 500
        server.headerTimeout = .seconds(5)
        server.bodyTimeout = .seconds(60)
        server.keepAliveTimeout = ConfigDuration(milliseconds: 500)
        server.shutdownGrace = .seconds(20)
        server.maxBody = 0
        #expect(config.server == server)
        #expect(config.storage.url == "postgres://switchboard:pg-secret@db/switchboard")
        #expect(config.admin.token == "0123456789abcdef0123")
        #expect(config.log.level == .debug)
        #expect(config.phone.defaultRegion == "MA")
        #expect(config.phone.strategies == ["metaflow.token_map", "chatwoot.conversation_search", "metaflow.token_pattern"])
        #expect(config.phone.retrySchedule == [.seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(3600)])
        #expect(config.enabledPluginIDs == ["metaflow", "wasender"])
        #expect(config.plugins["metaflow"]?.config == .object([
            (key: "app_secret", value: .string("meta-secret")),
            (key: "private_key_path", value: .string("/keys/flow.pem")),
        ]))
        // Disabled: kept as written, the missing CHATWOOT_API_TOKEN is no error.
        #expect(config.plugins["chatwoot"] == PluginEntry(enabled: false, config: .object([
            (key: "base_url", value: .string("https://chat.example.com")),
            (key: "account_id", value: .integer(14)),
            (key: "api_token", value: .string("${CHATWOOT_API_TOKEN}")),
        ])))
        #expect(config.plugins["wasender"] == PluginEntry(enabled: true, config: .object([])))
    }

    @Test(arguments: ["127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1"])
    func acceptsAddressLiterals(host: String) throws {
        #expect(try parse(#"{"server": {"host": "\#(host)"}}"#).server.host == host)
    }

    @Test(arguments: ["sqlite:switchboard.db", "sqlite:/var/lib/switchboard/db.sqlite", "postgres://u@h/db", "postgresql://h/db"])
    func acceptsStorageURLs(url: String) throws {
        #expect(try parse(#"{"storage": {"url": "\#(url)"}}"#).storage.url == url)
    }

    @Test func acceptsBoundaryValues() throws {
        let low = try parse(#"{"server": {"port": 0, "event_loops": 1, "max_connections": 1, "max_body": 0}}"#)
        #expect(low.server.port == 0 && low.server.eventLoops == 1 && low.server.maxConnections == 1 && low.server.maxBody == 0)
        let high = try parse(#"{"server": {"port": 65535, "event_loops": 64}}"#)
        #expect(high.server.port == 65535 && high.server.eventLoops == 64)
        #expect(try parse(#"{"admin": {"token": "0123456789abcdef"}}"#).admin.token == "0123456789abcdef")
        #expect(try parse(#"{"admin": {"token": null}}"#).admin.token == nil)
        let admin = try parse(#"{"admin": {"session_ttl": "30m", "secure_cookie": true}}"#).admin
        #expect(admin.sessionTTL == .seconds(1800) && admin.secureCookie == true)
        #expect(try parse(#"{"admin": {}}"#).admin.sessionTTL == .seconds(43_200))
        #expect(try parse(#"{"admin": {}}"#).admin.secureCookie == nil)
        #expect(try parse(#"{"phone": {"strategies": []}}"#).phone.strategies == [])
        #expect(try parse(#"{"plugins": {"metaflow": {"enabled": true, "config": null}}}"#).plugins["metaflow"]?.config == .object([]))
    }
}

// MARK: errors

private let durationHelp = "expected a duration like 500ms, 30s, 2m, 24h or 7d"
private let hostHelp = "expected an IPv4 or IPv6 address literal (like 127.0.0.1, 0.0.0.0 or ::1), not a host name"

private let invalidConfigs: [(String, String)] = [
    // shape and unknown keys at every level
    ("[]", "expected an object at the top level, got an array"),
    (#"{"srever": {}}"#, "srever: unknown key"),
    (#"{"server": {"prot": 1}}"#, "server.prot: unknown key"),
    (#"{"server": []}"#, "server: expected an object, got an array"),
    (#"{"server": null}"#, "server: expected an object, got null"),
    (#"{"storage": {"path": "x"}}"#, "storage.path: unknown key"),
    (#"{"admin": {"tokn": "x"}}"#, "admin.tokn: unknown key"),
    (#"{"log": {"format": "json"}}"#, "log.format: unknown key"),
    (#"{"phone": {"region": "MA"}}"#, "phone.region: unknown key"),
    (#"{"plugins": {"metaflow": {"enabled": true, "confg": {}}}}"#, "plugins.metaflow.confg: unknown key"),
    // server
    (#"{"server": {"port": "80"}}"#, "server.port: expected an integer, got a string"),
    (#"{"server": {"port": 80.5}}"#, "server.port: expected an integer, got a number"),
    (#"{"server": {"port": 65536}}"#, "server.port: must be between 0 and 65535"),
    (#"{"server": {"port": -1}}"#, "server.port: must be between 0 and 65535"),
    (#"{"server": {"event_loops": 0}}"#, "server.event_loops: must be between 1 and 64"),
    (#"{"server": {"event_loops": 65}}"#, "server.event_loops: must be between 1 and 64"),
    (#"{"server": {"max_connections": 0}}"#, "server.max_connections: must be at least 1"),
    (#"{"server": {"max_body": -1}}"#, "server.max_body: must not be negative"),
    (#"{"server": {"header_timeout": "10"}}"#, #"server.header_timeout: \#(durationHelp), got "10""#),
    (#"{"server": {"body_timeout": "1.5s"}}"#, #"server.body_timeout: \#(durationHelp), got "1.5s""#),
    (#"{"server": {"keep_alive_timeout": 10}}"#, "server.keep_alive_timeout: expected a string, got an integer"),
    (#"{"server": {"shutdown_grace": "-1s"}}"#, #"server.shutdown_grace: \#(durationHelp), got "-1s""#),
    (#"{"server": {"host": "localhost"}}"#, "server.host: \(hostHelp)"),
    (#"{"server": {"host": "[::1]"}}"#, "server.host: \(hostHelp)"),
    (#"{"server": {"host": "256.0.0.1"}}"#, "server.host: \(hostHelp)"),
    (#"{"server": {"host": "127.0.0.1\u0000x"}}"#, "server.host: \(hostHelp)"),
    (#"{"server": {"host": 127}}"#, "server.host: expected a string, got an integer"),
    // storage, admin, log
    (#"{"storage": {"url": "mysql://h/db"}}"#, "storage.url: expected sqlite:PATH or postgres://…"),
    (#"{"storage": {"url": "sqlite:"}}"#, "storage.url: expected sqlite:PATH or postgres://…"),
    (#"{"storage": {"url": "switchboard.db"}}"#, "storage.url: expected sqlite:PATH or postgres://…"),
    (#"{"admin": {"token": "short"}}"#, "admin.token: must be at least 16 characters"),
    (#"{"admin": {"token": 1234567890123456}}"#, "admin.token: expected a string, got an integer"),
    (#"{"admin": {"session_ttl": "30s"}}"#, "admin.session_ttl: expected 1m…30d"),
    (#"{"admin": {"session_ttl": "31d"}}"#, "admin.session_ttl: expected 1m…30d"),
    (#"{"admin": {"secure_cookie": "auto"}}"#, "admin.secure_cookie: expected a boolean, got a string"),
    (#"{"log": {"level": "verbose"}}"#, "log.level: expected one of debug, info, warning, error"),
    (#"{"log": {"level": "WARNING"}}"#, "log.level: expected one of debug, info, warning, error"),
    // phone
    (#"{"phone": {"default_region": "ma"}}"#, "phone.default_region: expected two upper-case letters (an ISO 3166 region like MA)"),
    (#"{"phone": {"default_region": "MAR"}}"#, "phone.default_region: expected two upper-case letters (an ISO 3166 region like MA)"),
    (#"{"phone": {"default_region": "XX"}}"#, "phone.default_region: XX is not a region the phone numbering plans know"),
    (#"{"phone": {"strategies": "metaflow.token_map"}}"#, "phone.strategies: expected an array, got a string"),
    (#"{"phone": {"strategies": ["a", ""]}}"#, "phone.strategies[1]: must not be empty"),
    (#"{"phone": {"strategies": ["a", 2]}}"#, "phone.strategies[1]: expected a string, got an integer"),
    (#"{"phone": {"strategies": ["a", "b", "a"]}}"#, "phone.strategies[2]: duplicate of phone.strategies[0]"),
    (#"{"phone": {"retry_schedule": []}}"#, "phone.retry_schedule: must not be empty"),
    (#"{"phone": {"retry_schedule": ["5s", "30s", "2x"]}}"#, #"phone.retry_schedule[2]: \#(durationHelp), got "2x""#),
    // plugins
    (#"{"plugins": []}"#, "plugins: expected an object, got an array"),
    (#"{"plugins": {"metaflow": true}}"#, "plugins.metaflow: expected an object, got a boolean"),
    (#"{"plugins": {"metaflow": {}}}"#, "plugins.metaflow.enabled: missing required key"),
    (#"{"plugins": {"metaflow": {"config": {}}}}"#, "plugins.metaflow.enabled: missing required key"),
    (#"{"plugins": {"metaflow": {"enabled": "true"}}}"#, "plugins.metaflow.enabled: expected a boolean, got a string"),
    (#"{"plugins": {"metaflow": {"enabled": null}}}"#, "plugins.metaflow.enabled: expected a boolean, got null"),
    (#"{"plugins": {"metaflow": {"enabled": true, "config": []}}}"#, "plugins.metaflow.config: expected an object, got an array"),
    (#"{"plugins": {"slack": {"enabled": true}}}"#, "plugins.slack: unknown plugin (built-in: metaflow, chatwoot, wasender)"),
    (#"{"plugins": {"slack": {"enabled": false}}}"#, "plugins.slack: unknown plugin (built-in: metaflow, chatwoot, wasender)"),
    // the first problem in document order is the one reported
    (#"{"server": {"port": -1}, "srever": {}}"#, "server.port: must be between 0 and 65535"),
    (#"{"server": {"prot": 1, "port": -1}}"#, "server.prot: unknown key"),
    // JSON syntax
    (#"{"server": {"port": 8080,}}"#, "line 1, column 25: trailing comma before '}'"),
    ("{\n  \"server\": {},\n  \"server\": {}\n}", #"line 3, column 3: duplicate key "server" (first on line 2)"#),
    ("{\"log\": {\"level\": \"info\"} // debug later\n}", "line 1, column 27: comments are not allowed"),
]

extension ConfigTests {
    @Test(arguments: invalidConfigs)
    func rejectsInvalidConfigs(text: String, expected: String) {
        #expect(failure(text) == expected)
    }
}

// MARK: ${VAR} substitution

private let substitutions: [(String, [String: String], String)] = [
    ("${TOKEN}", ["TOKEN": "0123456789abcdef"], "0123456789abcdef"),
    ("prefix-${A}-${B_2}-suffix", ["A": "one", "B_2": "two"], "prefix-one-two-suffix"),
    ("$${TOKEN}", ["TOKEN": "unused"], "${TOKEN}"),
    ("$${A}${A}", ["A": "x"], "${A}x"),
    ("a$b$$c$", [:], "a$b$$c$"),
    ("$ {A}", [:], "$ {A}"),
    ("{A}", [:], "{A}"),
    ("${_lower9}", ["_lower9": "v"], "v"),
    // resolved text is not scanned again
    ("${A}", ["A": "${B}"], "${B}"),
    ("${A}", ["A": "", "A_FILE": "/run/secrets/a"], "from-file"),
    ("${A}", ["A": "from-env", "A_FILE": "/run/secrets/a"], "from-env"),
    ("${A}", ["A_FILE": "/run/secrets/a"], "from-file"),
    ("${A}", ["A_FILE": "/run/secrets/two-newlines"], "line\n"),
    ("${A}", ["A_FILE": "/run/secrets/crlf"], "windows"),
    ("${A}", ["A_FILE": "/run/secrets/no-newline"], "bare"),
]

private let secretFiles = [
    "/run/secrets/a": "from-file\n",
    "/run/secrets/two-newlines": "line\n\n",
    "/run/secrets/crlf": "windows\r\n",
    "/run/secrets/no-newline": "bare",
    "/run/secrets/empty": "\n",
]

extension ConfigTests {
    @Test(arguments: substitutions)
    func resolvesReferences(text: String, env: [String: String], expected: String) throws {
        let config = try parse(#"{"plugins": {"metaflow": {"enabled": true, "config": {"value": "\#(text)"}}}}"#, env: env, files: secretFiles)
        #expect(config.plugins["metaflow"]?.config == .object([(key: "value", value: .string(expected))]))
    }
}

private let substitutionFailures: [(String, String, [String: String], String)] = [
    (#"{"admin": {"token": "${TOKEN}"}}"#, "admin.token", [:], "environment variable TOKEN is not set (nor TOKEN_FILE)"),
    (#"{"admin": {"token": "${TOKEN}"}}"#, "admin.token", ["TOKEN": ""], "environment variable TOKEN is empty (and TOKEN_FILE is not set)"),
    (#"{"admin": {"token": "${TOKEN}"}}"#, "admin.token", ["TOKEN_FILE": "/run/secrets/missing"], "cannot read TOKEN_FILE file /run/secrets/missing: No such file or directory"),
    (#"{"admin": {"token": "${TOKEN}"}}"#, "admin.token", ["TOKEN_FILE": "/run/secrets/empty"], "TOKEN_FILE file /run/secrets/empty is empty"),
    (#"{"admin": {"token": "${TOKEN"}}"#, "admin.token", [:], "unterminated ${ (missing '}'; write $${ for a literal ${)"),
    (#"{"admin": {"token": "${}"}}"#, "admin.token", [:], "empty variable name in ${}"),
    (#"{"admin": {"token": "${1X}"}}"#, "admin.token", [:], #"invalid variable name "1X" in ${…} (expected letters, digits and _, not starting with a digit)"#),
    (#"{"admin": {"token": "${A-B}"}}"#, "admin.token", [:], #"invalid variable name "A-B" in ${…} (expected letters, digits and _, not starting with a digit)"#),
    (#"{"storage": {"url": "postgres://u:${PG_PASS}@h/db"}}"#, "storage.url", [:], "environment variable PG_PASS is not set (nor PG_PASS_FILE)"),
    (#"{"phone": {"strategies": ["a", "${S}"]}}"#, "phone.strategies[1]", [:], "environment variable S is not set (nor S_FILE)"),
    (#"{"server": {"host": "${HOST}"}}"#, "server.host", [:], "environment variable HOST is not set (nor HOST_FILE)"),
    (#"{"log": {"level": "${LEVEL}"}}"#, "log.level", [:], "environment variable LEVEL is not set (nor LEVEL_FILE)"),
    (
        #"{"plugins": {"metaflow": {"enabled": true, "config": {"keys": [{"secret": "${META_APP_SECRET}"}]}}}}"#,
        "plugins.metaflow.config.keys[0].secret", [:],
        "environment variable META_APP_SECRET is not set (nor META_APP_SECRET_FILE)"
    ),
]

extension ConfigTests {
    @Test(arguments: substitutionFailures)
    func reportsUnresolvableReferences(text: String, path: String, env: [String: String], message: String) {
        #expect(failure(text, env: env, files: secretFiles) == "\(path): \(message)")
    }

    @Test func leavesDisabledPluginsUnresolved() throws {
        let text = #"{"plugins": {"chatwoot": {"enabled": false, "config": {"api_token": "${CHATWOOT_API_TOKEN}", "bad": "${"}}}}"#
        let config = try parse(text)
        #expect(config.plugins["chatwoot"]?.config == .object([
            (key: "api_token", value: .string("${CHATWOOT_API_TOKEN}")),
            (key: "bad", value: .string("${")),
        ]))
        #expect(config.enabledPluginIDs.isEmpty)
    }

    @Test func leavesKeysAndNonStringsAlone() throws {
        let text = #"{"plugins": {"metaflow": {"enabled": true, "config": {"${K}": [1, true, null, 2.5]}}}}"#
        let config = try parse(text, env: ["K": "x"])
        #expect(config.plugins["metaflow"]?.config == .object([(key: "${K}", value: .array([.integer(1), .bool(true), .null, .double(2.5)]))]))
    }

    @Test func neverPrintsResolvedSecrets() {
        let token = "tooshort-secret"  // 15 characters
        let tokenError = failure(#"{"admin": {"token": "${TOKEN}"}}"#, env: ["TOKEN": token])
        #expect(tokenError == "admin.token: must be at least 16 characters")
        #expect(tokenError?.contains(token) == false)

        let password = "hunter2-password"
        let urlError = failure(#"{"storage": {"url": "mysql://u:${PASS}@h/db"}}"#, env: ["PASS": password])
        #expect(urlError == "storage.url: expected sqlite:PATH or postgres://…")
        #expect(urlError?.contains(password) == false)

        let fileError = failure(#"{"admin": {"token": "${TOKEN}"}}"#, env: ["TOKEN_FILE": "/run/secrets/short"], files: ["/run/secrets/short": "file-secret\n"])
        #expect(fileError == "admin.token: must be at least 16 characters")
        #expect(fileError?.contains("file-secret") == false)
    }

    @Test func readsSecretsFromRealFiles() throws {
        let secret = try TemporaryFile(name: "admin_token", contents: "0123456789abcdef-from-file\n")
        defer { secret.cleanUp() }
        let text = Array(#"{"admin": {"token": "${TOKEN}"}}"#.utf8)
        let config = try ConfigLoader.parse(text, environment: ["TOKEN_FILE": secret.path], knownPlugins: knownPlugins)
        #expect(config.admin.token == "0123456789abcdef-from-file")

        let missing = secret.directory.appendingPathComponent("missing").path
        #expect(throws: ConfigError(path: "admin.token", "cannot read TOKEN_FILE file \(missing): No such file or directory")) {
            try ConfigLoader.parse(text, environment: ["TOKEN_FILE": missing], knownPlugins: knownPlugins)
        }
        #expect(throws: ConfigError(path: "admin.token", "cannot read TOKEN_FILE file \(secret.directory.path): Is a directory")) {
            try ConfigLoader.parse(text, environment: ["TOKEN_FILE": secret.directory.path], knownPlugins: knownPlugins)
        }
    }
}

// MARK: loading files

extension ConfigTests {
    @Test func loadsAFile() throws {
        let file = try TemporaryFile(name: "plugins.json", contents: #"{"server": {"port": 9000}, "plugins": {"wasender": {"enabled": true}}}"#)
        defer { file.cleanUp() }
        let config = try ConfigLoader.load(file: file.path, environment: [:], knownPlugins: knownPlugins)
        #expect(config.server.port == 9000)
        #expect(config.enabledPluginIDs == ["wasender"])
    }

    @Test func namesTheFileInErrors() throws {
        let directory = try TemporaryFile(contents: "")
        defer { directory.cleanUp() }
        let missing = directory.directory.appendingPathComponent("plugins.json").path
        #expect(throws: ConfigFileError(file: missing, reason: .unreadable("No such file or directory"))) {
            try ConfigLoader.load(file: missing, environment: [:], knownPlugins: knownPlugins)
        }

        func loadError(_ text: String) -> String? {
            do {
                _ = try ConfigLoader.load(file: "plugins.json", environment: [:], knownPlugins: knownPlugins, readFile: reader(["plugins.json": text]))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(loadError(#"{"srever": {}}"#) == "plugins.json: srever: unknown key")
        #expect(loadError("{\n  \"server\": {\n    \"port\": 8080 \"host\": \"::1\"\n  }\n}") == "plugins.json: line 3, column 18: expected ',' or '}'")
        #expect(loadError(#"{"admin": {"token": "${TOKEN}"}}"#) == "plugins.json: admin.token: environment variable TOKEN is not set (nor TOKEN_FILE)")
        #expect(loadError("{}") == nil)
        #expect(throws: ConfigFileError(file: "other.json", reason: .unreadable("No such file or directory"))) {
            try ConfigLoader.load(file: "other.json", environment: [:], knownPlugins: knownPlugins, readFile: reader([:]))
        }
        #expect(ConfigFileError(file: "plugins.json", reason: .unreadable("No such file or directory")).description == "plugins.json: cannot read file: No such file or directory")
    }

    @Test func readsTheProcessEnvironment() {
        #expect(ConfigLoader.defaultEnvironment() == ProcessInfo.processInfo.environment)
    }
}

// MARK: plugin configs, decoded by the plugin

/// What a plugin's config looks like: explicit snake_case keys, optional with defaults.
private struct ChatwootConfig: Decodable {
    var baseURL: String
    var accountID: Int
    var apiToken: String

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case accountID = "account_id"
        case apiToken = "api_token"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL) ?? "https://app.chatwoot.com"
        accountID = try container.decodeIfPresent(Int.self, forKey: .accountID) ?? 1
        apiToken = try container.decodeIfPresent(String.self, forKey: .apiToken) ?? ""
    }
}

private func pluginConfigFailure(_ config: String, env: [String: String] = [:]) -> String? {
    do {
        let loaded = try parse(#"{"plugins": {"chatwoot": {"enabled": true, "config": \#(config)}}}"#, env: env)
        let entry = try #require(loaded.plugins["chatwoot"])
        _ = try StrictDecoder.decode(ChatwootConfig.self, from: entry.config, path: "plugins.chatwoot.config")
        return nil
    } catch {
        return String(describing: error)
    }
}

extension ConfigTests {
    @Test(arguments: [
        (#"{"account_id": 14, "acount_id": 14}"#, "plugins.chatwoot.config.acount_id: unknown key"),
        (#"{"account_id": "14"}"#, "plugins.chatwoot.config.account_id: expected an integer, got a string"),
        (#"{"account_id": "${ACCOUNT}"}"#, "plugins.chatwoot.config.account_id: expected an integer, got a string"),
        (#"{"api_token": "${CHATWOOT_API_TOKEN}", "base_url": "https://chat.example.com"}"#, nil),
        ("{}", nil),
    ] as [(String, String?)])
    func decodesPluginConfigsStrictly(config: String, expected: String?) {
        #expect(pluginConfigFailure(config, env: ["ACCOUNT": "14", "CHATWOOT_API_TOKEN": "t"]) == expected)
    }
}

extension ConfigTests {
    @Test func saysWhenNoPluginsAreBuiltIn() {
        #expect(throws: ConfigError(path: "plugins.metaflow", "unknown plugin (none are built in)")) {
            try ConfigLoader.parse(Array(#"{"plugins": {"metaflow": {"enabled": false}}}"#.utf8), environment: [:], knownPlugins: [])
        }
    }
}
