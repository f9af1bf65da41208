import PluginAPI

/// The entry point of a Switchboard binary, built-in or custom.
public enum Switchboard {
    /// Runs the command line with the given compiled-in plugins and exits the process.
    public static func main(plugins: [any Plugin.Type]) async {
        // Filled in by the CLI.
    }
}
