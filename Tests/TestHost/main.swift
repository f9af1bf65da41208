import BuiltinPlugins
import Kernel
import TestPlugins

// A custom build for the process-level tests (crash, restart, two instances): the built-in
// plugins plus the test plugins.
await Switchboard.main(plugins: BuiltinPlugins.all + [WebhookKitPlugin.self, PhoneKitPlugin.self])
