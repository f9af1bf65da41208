import BuiltinPlugins
import EchoChannel
import Kernel

// Switchboard with the built-in plugins plus Echo: the same CLI (`echo-switchboard serve`,
// `migrate`, `plugins`, …); `plugins.json` enables `echo` like any built-in plugin.
await Switchboard.main(plugins: BuiltinPlugins.all + [EchoChannelPlugin.self])
