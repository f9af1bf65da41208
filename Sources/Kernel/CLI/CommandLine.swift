/// The parsed command line: a command and its options. Parsing never exits; the caller
/// prints the error and exits 2.
struct ParsedCommand: Equatable {
    var command: String
    var options: [String: String] = [:]
    var help = false
}

/// A usage error, printed as one line on stderr (exit 2).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum CommandLineParser {
    /// The options each command takes (all take `--help`).
    static let commands: [String: [String]] = [
        "serve": ["config", "host", "port", "log-level"],
        "check-config": ["config"],
        "plugins": ["config"],
        "version": [],
        "help": [],
    ]

    static func parse(_ arguments: [String]) throws(UsageError) -> ParsedCommand {
        guard let first = arguments.first else { return ParsedCommand(command: "help") }
        if first == "--help" || first == "-h" { return ParsedCommand(command: "help") }
        if first == "--version" { return ParsedCommand(command: "version") }
        guard let allowed = commands[first] else {
            throw UsageError("unknown command \"\(first)\" (commands: \(commands.keys.sorted().joined(separator: ", ")))")
        }
        var parsed = ParsedCommand(command: first)
        var rest = arguments.dropFirst()[...]
        while let arg = rest.popFirst() {
            if arg == "--help" || arg == "-h" { parsed.help = true; continue }
            guard arg.hasPrefix("--") else { throw UsageError("\(first): unexpected argument \"\(arg)\"") }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard allowed.contains(name) else { throw UsageError("\(first): unknown option --\(name) (see switchboard \(first) --help)") }
            if value == nil {
                guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw UsageError("\(first): option --\(name) needs a value") }
                value = next
            }
            guard parsed.options[name] == nil else { throw UsageError("\(first): option --\(name) given twice") }
            parsed.options[name] = value
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
        default:
            return usage
        }
    }
}
