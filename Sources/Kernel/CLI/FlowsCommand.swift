import FoundationEssentials
import Glibc
import PluginAPI

/// `switchboard flows keygen [--passphrase-env VAR] --out DIR`: a 2048-bit key pair for the
/// Flow data endpoint. Writes `DIR/private.pem` (mode 0600, never overwritten) and
/// `DIR/public.pem`, then prints the public key, the Graph call that uploads it and the config
/// lines that use it. The passphrase comes from an environment variable, never the command
/// line (it would show in `ps`), and is never printed.
///
/// A kernel command because plugins cannot add commands; it uses the kernel's OpenSSL.
enum FlowsCommand {
    static func run(_ parsed: ParsedCommand, environment: [String: String]) throws -> Int32 {
        // 1. Where, and with which passphrase.
        guard let out = parsed.options["out"], !out.isEmpty else { throw UsageError("flows keygen: --out DIR is required") }
        var passphrase: String?
        if let variable = parsed.options["passphrase-env"] {
            guard let value = environment[variable], !value.isEmpty else {
                throw UsageError("flows keygen: --passphrase-env \(variable): the variable is not set or empty")
            }
            passphrase = value
        }
        let privatePath = out + "/private.pem"
        let publicPath = out + "/public.pem"
        guard !FileManager.default.fileExists(atPath: privatePath) else {
            Switchboard.printError("switchboard: flows keygen: \(privatePath) exists; not overwriting a key (move it away first)")
            return 1
        }
        // 2. The pair, written with the private key readable by its owner only.
        let pair = try RSAKeyGenerator.generate(passphrase: passphrase)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try write(pair.privatePEM, to: privatePath, mode: 0o600)
            try write(pair.publicPEM, to: publicPath, mode: 0o644)
        } catch {
            Switchboard.printError("switchboard: flows keygen: \(error)")
            return 1
        }
        // 3. What to do with it.
        print(String(decoding: pair.publicPEM, as: UTF8.self), terminator: "")
        print("""

        wrote \(privatePath) (2048-bit RSA, PKCS#8\(passphrase == nil ? "" : ", encrypted")) and \(publicPath)

        Upload the public key for your WhatsApp business phone number (Graph API; use your API version):

          curl -X POST "https://graph.facebook.com/v21.0/$PHONE_NUMBER_ID/whatsapp_business_encryption" \\
            -H "Authorization: Bearer $ACCESS_TOKEN" \\
            --data-urlencode "business_public_key@\(publicPath)"

        It answers {"success":true}; a GET on the same URL shows business_public_key_signature_status VALID.
        Then, in plugins.json (plugins.metaflow.config):

          "private_key_path": "\(privatePath)"\(passphrase == nil ? "" : ",\n  \"private_key_passphrase\": \"${\(parsed.options["passphrase-env"] ?? "")}\"")
        """)
        return 0
    }

    /// Creates `path` (refusing an existing file) with `mode` and writes `bytes`.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FlowsCommandError(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw FlowsCommandError(path: path, message: String(cString: strerror(errno))) }
            written += n
        }
        guard fsync(fd) == 0 else { throw FlowsCommandError(path: path, message: String(cString: strerror(errno))) }
    }
}

/// A file `flows keygen` could not write.
struct FlowsCommandError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message.lowercased())" }
}
