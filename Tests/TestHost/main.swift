import Kernel
import MetaFlow
import Chatwoot
import Wasender
import CloudTalk
import Integrity
import TestPlugins

// A custom build for the process-level tests (crash, restart, two instances): the built-in
// plugins plus the test plugins.
await Switchboard.main(plugins: [
    MetaFlowPlugin.self,
    ChatwootPlugin.self,
    WasenderPlugin.self,
    CloudTalkPlugin.self,
    IntegrityPlugin.self,
    WebhookKitPlugin.self,
    PhoneKitPlugin.self,
])
