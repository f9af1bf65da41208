import PluginAPI
import MetaFlow
import Chatwoot
import Wasender
import CloudTalk
import Integrity

/// The plugins compiled into the `switchboard` binary, in start order. A custom build (see
/// `Examples/EchoChannel`) passes these plus its own to `Switchboard.main(plugins:)`:
///
///     await Switchboard.main(plugins: BuiltinPlugins.all + [EchoChannelPlugin.self])
///
/// Being compiled in does not make a plugin run: `plugins.json` enables each one.
public enum BuiltinPlugins {
    public static let all: [any Plugin.Type] = [
        MetaFlowPlugin.self,
        ChatwootPlugin.self,
        WasenderPlugin.self,
        CloudTalkPlugin.self,
        IntegrityPlugin.self,
    ]
}
