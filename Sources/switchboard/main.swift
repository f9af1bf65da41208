import BuiltinPlugins
import Kernel

// The built-in plugins (Sources/BuiltinPlugins). A custom build lists its own beside them
// (README, "Custom builds"; Examples/EchoChannel).
await Switchboard.main(plugins: BuiltinPlugins.all)
