import CShims
import Dispatch
import FoundationEssentials
import Glibc
import PluginAPI
import Synchronization

/// The entry point of a Switchboard binary, built-in or custom:
/// `await Switchboard.main(plugins: [MetaFlowPlugin.self, MyChannelPlugin.self])`.
public enum Switchboard {
    /// The version printed by `switchboard version`.
    public static let version = "0.1.0"

    /// Runs the command line with the given compiled-in plugins and exits the process with
    /// 0 (ok), 1 (failure) or 2 (usage or config error).
    public static func main(plugins: [any Plugin.Type]) async -> Never {
        let code = await run(arguments: Array(CommandLine.arguments.dropFirst()), plugins: plugins,
                             environment: ProcessInfo.processInfo.environment)
        exit(code)
    }

    /// Runs one command and returns its exit code; output goes to stdout, errors to stderr.
    public static func run(arguments: [String], plugins: [any Plugin.Type], environment: [String: String]) async -> Int32 {
        let parsed: ParsedCommand
        do {
            parsed = try CommandLineParser.parse(arguments)
        } catch {
            printError("switchboard: \(error)")
            return 2
        }
        if parsed.help || parsed.command == "help" {
            print(CommandLineParser.help(for: parsed.command))
            return 0
        }
        let configFile = parsed.options["config"] ?? "plugins.json"
        do {
            switch parsed.command {
            case "version":
                print("switchboard \(version)")
                return 0
            case "check-config":
                return try checkConfig(file: configFile, plugins: plugins, environment: environment)
            case "plugins":
                return try listPlugins(file: configFile, explicit: parsed.options["config"] != nil, plugins: plugins, environment: environment)
            case "serve":
                return try await serve(parsed, file: configFile, plugins: plugins, environment: environment)
            case "migrate":
                return try await MigrateCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "inbox list", "inbox show", "inbox replay":
                return try await InboxCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "jobs list", "jobs retry":
                return try await JobsCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "phones report", "phones pending", "phones show", "phones assign":
                return try await PhonesCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "phones normalize":
                return try PhonesNormalizeCommand.run(parsed, plugins: plugins, environment: environment)
            case "responses export":
                return try await ResponsesCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "flows send":
                return try await FlowsSendCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "chatwoot labels sync":
                return try await ChatwootCommand.run(parsed, file: configFile, plugins: plugins, environment: environment)
            case "flows keygen":
                return try FlowsCommand.run(parsed, environment: environment)
            default:
                printError("switchboard: unknown command \(parsed.command)")
                return 2
            }
        } catch let error as ConfigFileError {
            printError("switchboard: \(error)")
            return 2
        } catch let error as ConfigError {
            printError("switchboard: \(configFile): \(error)")
            return 2
        } catch let error as BootError {
            printError("switchboard: \(configFile): \(error)")
            return 2
        } catch let error as StorageOpenError {
            // The configured database cannot be reached: the operator's setting (exit 2).
            printError("switchboard: \(error)")
            return 2
        } catch let error as UsageError {
            printError("switchboard: \(error)")
            return 2
        } catch let error as StorageOpenError {
            // Unreachable or unopenable storage is the config's (or the environment's) to fix.
            printError("switchboard: \(error)")
            return 2
        } catch let error as AdminError {
            switch error.kind {
            case .invalidParameter(let name):
                // CLI names: `--since`, `ID`.
                printError("switchboard: \(parsed.command): \(name == "id" ? "ID" : "--" + name): \(error.detail)")
                return 2
            case .notFound, .refused:
                printError("switchboard: \(parsed.command): \(error.detail)")
                return 1
            }
        } catch {
            printError("switchboard: \(error)")
            return 1
        }
    }

    // MARK: - commands

    static func loadConfig(file: String, plugins: [any Plugin.Type], environment: [String: String]) throws -> SwitchboardConfig {
        try KernelBuilder.validate(pluginTypes: plugins)
        return try ConfigLoader.load(file: file, environment: environment, knownPlugins: plugins.map { $0.id })
    }

    static func checkConfig(file: String, plugins: [any Plugin.Type], environment: [String: String]) throws -> Int32 {
        let config = try loadConfig(file: file, plugins: plugins, environment: environment)
        // Building the kernel decodes every enabled plugin's config and finds route clashes; nothing is bound.
        let kernel = try KernelServer(config: config, plugins: plugins)
        let enabled = kernel.pluginIDs
        print("\(file): ok (plugins enabled: \(enabled.isEmpty ? "none" : enabled.joined(separator: ", ")))")
        return 0
    }

    static func listPlugins(file: String, explicit: Bool, plugins: [any Plugin.Type], environment: [String: String]) throws -> Int32 {
        var config: SwitchboardConfig?
        if explicit || FileManager.default.fileExists(atPath: file) {
            config = try loadConfig(file: file, plugins: plugins, environment: environment)
        }
        let registrations = try config.map { try KernelServer(config: $0, plugins: plugins).registrations } ?? [:]
        for type in plugins {
            let state: String
            if let entry = config?.plugins[type.id] { state = entry.enabled ? "enabled" : "disabled" } else { state = config == nil ? "not configured" : "disabled (absent from config)" }
            print("\(type.id)\t\(state)\t\(type.summary)")
            if let lines = registrations[type.id] {
                if lines.isEmpty { print("  registers nothing") }
                for line in lines { print("  \(line)") }
            }
        }
        return 0
    }

    static func serve(_ parsed: ParsedCommand, file: String, plugins: [any Plugin.Type], environment: [String: String]) async throws -> Int32 {
        var config = try loadConfig(file: file, plugins: plugins, environment: environment)
        if let host = parsed.options["host"] {
            guard IPAddressLiteral.isValid(host) else { throw UsageError("serve: --host expects an IPv4 or IPv6 address, got \"\(host)\"") }
            config.server.host = host
        }
        if let text = parsed.options["port"] {
            guard let port = Int(text), (0...65535).contains(port) else { throw UsageError("serve: --port expects 0…65535, got \"\(text)\"") }
            config.server.port = port
        }
        if let text = parsed.options["log-level"] {
            guard let level = LogLevel(name: text) else { throw UsageError("serve: --log-level expects debug, info, warning or error, got \"\(text)\"") }
            config.log.level = level
        }
        let kernel = try KernelServer(config: config, plugins: plugins)
        let signals = SignalWaiter(signals: [SIGTERM, SIGINT])
        do {
            try await kernel.start()
        } catch let error as ServerError {
            printError("switchboard: \(error)")
            return 1
        }
        let received = await signals.wait()
        kernel.log.info("shutting down", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT"])
        await kernel.stop()
        return 0
    }

    /// One line to stderr, in one `write(2)` (retried on short writes and EINTR).
    static func printError(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { cshims_write_all(2, $0.baseAddress, $0.count) }
    }
}

/// Turns SIGTERM/SIGINT into an awaitable event through Dispatch (no async-signal-unsafe
/// work in a handler).
final class SignalWaiter: @unchecked Sendable {
    private struct State {
        var received: Int32?
        var waiter: CheckedContinuation<Int32, Never>?
    }

    private var sources: [any DispatchSourceSignal] = []
    private let state = Mutex(State())

    init(signals: [Int32]) {
        for signo in signals {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in self?.fire(signo) }
            source.resume()
            sources.append(source)
        }
    }

    private func fire(_ signo: Int32) {
        let waiter = state.withLock { s in
            if s.received == nil { s.received = signo }
            let waiter = s.waiter
            s.waiter = nil
            return waiter
        }
        waiter?.resume(returning: signo)
    }

    /// Returns the first signal received.
    func wait() async -> Int32 {
        await withCheckedContinuation { c in
            let received = state.withLock { s in
                if s.received == nil { s.waiter = c }
                return s.received
            }
            if let received { c.resume(returning: received) }
        }
    }
}
