import PluginAPI

/// Why a send request is refused (answered with its status, code and message). Messages
/// name the field or config key at fault and never repeat a phone number or a token.
struct SendError: HTTPResponseError, CustomStringConvertible, Sendable {
    var status: Int
    var code: String
    var message: String

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    var description: String { "\(status) \(code): \(message)" }
}
