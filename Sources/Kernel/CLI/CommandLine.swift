/// The parsed command line: a command (`serve`, or `inbox list` for a group's subcommand),
/// its options, flags and positional arguments. Parsing never exits; the caller prints the
/// error and exits 2.
struct ParsedCommand: Equatable {
    var command: String
    var options: [String: String] = [:]
    /// Options that take no value (`--json`).
    var flags: Set<String> = []
    /// Positional arguments (`inbox show 12` → `["12"]`).
    var arguments: [String] = []
    var help = false
}

/// A usage error, printed as one line on stderr (exit 2).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a command accepts on its command line.
struct CommandSpec: Sendable {
    /// Options that take a value (`--config FILE`).
    var options: [String]
    /// Options that take none (`--json`).
    var flags: [String] = []
    /// How many positional arguments it takes, and what they are called in errors.
    var arguments: ClosedRange<Int> = 0...0
    var argumentName = "ID"

    /// As many positional arguments as given, at least `minimum`.
    static let unbounded = Int.max
}

enum CommandLineParser {
    /// The options each command takes (all take `--help`). A group's subcommands are keyed
    /// `group subcommand` (`inbox list`).
    static let commands: [String: CommandSpec] = [
        "serve": CommandSpec(options: ["config", "host", "port", "log-level"]),
        "check-config": CommandSpec(options: ["config"]),
        "plugins": CommandSpec(options: ["config"]),
        "migrate": CommandSpec(options: ["config"]),
        "inbox list": CommandSpec(options: ["config", "since", "status", "plugin", "limit"], flags: ["json"]),
        "inbox show": CommandSpec(options: ["config"], flags: ["json"], arguments: 1...1),
        "inbox replay": CommandSpec(options: ["config", "since", "plugin"], arguments: 0...1),
        "jobs list": CommandSpec(options: ["config", "status", "name", "limit"], flags: ["json"]),
        "jobs retry": CommandSpec(options: ["config"], arguments: 1...1),
        "phones report": CommandSpec(options: ["config"], flags: ["json"]),
        "phones pending": CommandSpec(options: ["config", "status", "limit"], flags: ["json"]),
        "phones show": CommandSpec(options: ["config"], flags: ["json"], arguments: 1...1, argumentName: "SUBJECT"),
        "phones assign": CommandSpec(options: ["config", "note", "region"], flags: ["json"], arguments: 2...2, argumentName: "SUBJECT PHONE"),
        "phones normalize": CommandSpec(options: ["config", "region"], flags: ["json"], arguments: 1...CommandSpec.unbounded,
                                        argumentName: "NUMBER"),
        "flows keygen": CommandSpec(options: ["out", "passphrase-env"]),
        "flows send": CommandSpec(options: ["config", "csv", "flow", "mode", "batch"], flags: ["no-wait"]),
        "responses export": CommandSpec(options: ["config", "flow", "since", "status", "out"], flags: ["csv"]),
        "chatwoot labels sync": CommandSpec(options: ["config"], flags: ["json"]),
        "version": CommandSpec(options: []),
        "help": CommandSpec(options: []),
    ]

    /// Commands that are groups of subcommands.
    static let groups: [String: [String]] = [
        "inbox": ["list", "show", "replay"],
        "jobs": ["list", "retry"],
        "phones": ["report", "pending", "show", "assign", "normalize"],
        "flows": ["keygen", "send"],
        "responses": ["export"],
        "chatwoot": ["labels"],
        "chatwoot labels": ["sync"],
    ]

    /// The first words a command line may start with.
    static var topLevelNames: [String] {
        Array(Set(commands.keys.map { String($0.split(separator: " ")[0]) })).sorted()
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> ParsedCommand {
        guard let first = arguments.first else { return ParsedCommand(command: "help") }
        if first == "--help" || first == "-h" { return ParsedCommand(command: "help") }
        if first == "--version" { return ParsedCommand(command: "version") }
        var rest = arguments.dropFirst()[...]
        var name = first
        // Groups may nest (`chatwoot labels sync`).
        while let subcommands = groups[name] {
            let list = subcommands.joined(separator: ", ")
            guard let sub = rest.first else { throw UsageError("\(name): expected a subcommand (\(list))") }
            if sub == "--help" || sub == "-h" { return ParsedCommand(command: name, help: true) }
            guard subcommands.contains(sub) else { throw UsageError("\(name): unknown subcommand \"\(sub)\" (\(list))") }
            rest = rest.dropFirst()
            name = "\(name) \(sub)"
        }
        guard let spec = commands[name] else {
            throw UsageError("unknown command \"\(first)\" (commands: \(topLevelNames.joined(separator: ", ")))")
        }
        var parsed = ParsedCommand(command: name)
        while let arg = rest.popFirst() {
            if arg == "--help" || arg == "-h" { parsed.help = true; continue }
            guard arg.hasPrefix("--") else {
                guard parsed.arguments.count < spec.arguments.upperBound else { throw UsageError("\(name): unexpected argument \"\(arg)\"") }
                parsed.arguments.append(arg)
                continue
            }
            var option = String(arg.dropFirst(2))
            var value: String?
            if let eq = option.firstIndex(of: "=") {
                value = String(option[option.index(after: eq)...])
                option = String(option[..<eq])
            }
            if spec.flags.contains(option) {
                guard value == nil else { throw UsageError("\(name): option --\(option) takes no value") }
                parsed.flags.insert(option)
                continue
            }
            guard spec.options.contains(option) else { throw UsageError("\(name): unknown option --\(option) (see switchboard \(name) --help)") }
            if value == nil {
                guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw UsageError("\(name): option --\(option) needs a value") }
                value = next
            }
            guard parsed.options[option] == nil else { throw UsageError("\(name): option --\(option) given twice") }
            parsed.options[option] = value
        }
        if !parsed.help && parsed.arguments.count < spec.arguments.lowerBound {
            throw UsageError("\(name): expected \(spec.argumentName) (see switchboard \(name) --help)")
        }
        return parsed
    }

    static let usage = """
    switchboard: a self-hosted integration host for WhatsApp-centric businesses.

    usage: switchboard <command> [options]

    commands:
      serve          start the HTTP server (until SIGTERM or SIGINT)
      check-config   validate plugins.json without binding a port or touching storage
      plugins        list the built-in plugins, enabled or not, and what each registers
      migrate        open storage and apply pending migrations (kernel and enabled plugins)
      inbox list     list stored webhook requests (filters: time, status, plugin)
      inbox show     show one stored request: headers, body, its job
      inbox replay   process stored requests again (one by id, or all since a time)
      jobs list      list durable jobs (filters: status, name)
      jobs retry     make a dead or cancelled job run again
      phones report  capture rate of phone resolution, overall, by source and by day
      phones pending subjects waiting for a phone: pending, unresolved, conflict
      phones show    one subject: phone, source, keys, every strategy attempt
      phones assign  give a subject a phone by hand (settles a conflict)
      phones normalize
                     normalise phone numbers to E.164 (or say why not); - reads stdin
      flows keygen   make the WhatsApp Flows endpoint's RSA key pair and show how to upload it
      flows send     queue a bulk Flow send from a CSV file and follow its progress
      responses export
                     the MetaFlow survey responses as CSV (filters: flow, since, status)
      chatwoot labels sync
                     create the labels plugins.chatwoot.config.sync.labels names that Chatwoot lacks
      version        print the version
      help           print this help

    Every command takes --help. Exit codes: 0 ok, 1 failure, 2 usage or config error.
    """

    static func help(for command: String) -> String {
        switch command {
        case "serve":
            return """
            usage: switchboard serve [--config FILE] [--host H] [--port N] [--log-level L]

              --config FILE      plugins.json to use (default ./plugins.json)
              --host H           listen address, overrides server.host
              --port N           listen port (0 picks a free one), overrides server.port
              --log-level L      debug, info, warning or error, overrides log.level

            Stops accepting on SIGTERM/SIGINT, lets requests in flight finish (server.shutdown_grace), exits 0.
            """
        case "check-config":
            return """
            usage: switchboard check-config [--config FILE]

            Validates the file, resolves ${VAR} secrets of enabled plugins and decodes each enabled
            plugin's config strictly. Binds no port and touches no storage. Exit 0 when valid, 2 otherwise.
            """
        case "plugins":
            return """
            usage: switchboard plugins [--config FILE]

            Lists the built-in plugins, whether the config enables them, and what each enabled one registers.
            Without a config file every plugin is shown as not configured.
            """
        case "version":
            return "usage: switchboard version\n\nPrints the version."
        case "flows send":
            return """
            usage: switchboard flows send --csv FILE [--flow F] [--mode interactive|template] [--batch NAME] [--no-wait] [--config FILE]

              --csv FILE       rows phone_number,customer_name (a header line is optional)
              --flow F         the flow to send (default: default_flow, or the only one)
              --mode M         interactive (default) or template
              --batch NAME     name the batch, so a corrected file re-run under the same name sends only new rows
              --no-wait        queue and exit, without following the progress

            Queues the rows through MetaFlow's bulk send: invalid rows and repeated phones are reported with
            their line numbers and skipped; a row already queued by an earlier run is never sent twice. The
            running server sends them under the channel's rate limit; this command shows the progress (a bar
            on a terminal) until every row is sent or failed. Exit 0 when all were sent, 1 when some failed
            or nothing moved for 30 s (no server running), 2 for a bad file or option.
            """
        case "flows", "flows keygen":
            return """
            usage: switchboard flows keygen --out DIR [--passphrase-env VAR]

              --out DIR             where to write private.pem (mode 0600; an existing one is never
                                    overwritten) and public.pem
              --passphrase-env VAR  encrypt the private key with the passphrase in environment variable VAR
                                    (PKCS#8, AES-256-CBC); without it the key is stored unencrypted

            A 2048-bit RSA key pair for the WhatsApp Flows data endpoint (plugins.metaflow.config.private_key_path).
            Prints the public key, the Graph API call that uploads it, and the config lines to use.
            """
        case "responses", "responses export":
            return """
            usage: switchboard responses export --csv [--flow F] [--since TIME] [--status S] [--out FILE] [--config FILE]

              --flow F         only responses of flow F
              --since TIME     created since TIME: RFC 3339 (2026-11-22T10:00:00Z) or a duration ago (30m, 2h, 7d)
              --status S       in_progress or completed
              --out FILE       write to FILE instead of stdout

            The MetaFlow survey responses as CSV, what GET /metaflow/responses.csv serves: UTF-8 with a BOM,
            fixed columns then one column per answer key. Needs the metaflow plugin enabled in the config.
            \(StorageCommandHelp.storageNote)
            """
        case "chatwoot", "chatwoot labels", "chatwoot labels sync":
            return """
            usage: switchboard chatwoot labels sync [--json] [--config FILE]

              --json           print {"created": [...], "existing": [...]}

            Creates, in the Chatwoot account, every label that plugins.chatwoot.config.sync.labels names and
            Chatwoot does not have yet (titles are checked when the config is read, with Chatwoot's rule:
            letters, digits, _ and -, not first, at least 2 characters, stored lower-case). Running it again
            creates nothing. Needs the chatwoot plugin enabled with base_url, account_id and api_token.
            \(StorageCommandHelp.storageNote)
            """
        default:
            return StorageCommandHelp.text(for: command) ?? PhonesCommandHelp.text(for: command) ?? usage
        }
    }
}
