import Kernel
import MetaFlow
import Chatwoot
import Wasender
import CloudTalk
import Integrity

// The built-in plugins. A custom build lists its own beside these (see README, "Custom builds").
await Switchboard.main(plugins: [
    MetaFlowPlugin.self,
    ChatwootPlugin.self,
    WasenderPlugin.self,
    CloudTalkPlugin.self,
    IntegrityPlugin.self,
])
