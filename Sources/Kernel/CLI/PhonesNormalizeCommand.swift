import PluginAPI

/// `switchboard phones normalize [--region R] [--json] NUMBER…`: the kernel's normaliser from
/// the command line, one answer per input, in input order. `-` stands for the lines of stdin.
/// Needs no config; with `--config FILE` the file's `phone.default_region` applies (`--region`
/// wins). Exit 0 when every input is a phone number, 1 when any was rejected.
enum PhonesNormalizeCommand {
    static func run(_ parsed: ParsedCommand, plugins: [any Plugin.Type], environment: [String: String]) throws -> Int32 {
        // 1. The region: --region, else the config's phone.default_region, else none.
        var region: String?
        if let file = parsed.options["config"] {
            region = try Switchboard.loadConfig(file: file, plugins: plugins, environment: environment).phone.defaultRegion
        }
        if let text = parsed.options["region"] {
            let upper = text.uppercased()
            guard E164Normalizer.isKnownRegion(upper) else {
                throw UsageError("phones normalize: --region expects a region code like MA or FR, got \"\(text)\"")
            }
            region = upper
        }
        // 2. Each argument, `-` read as one input per line of stdin (blank lines included, so
        //    output lines pair with input lines).
        let normalizer = E164Normalizer(defaultRegion: region)
        let json = parsed.flags.contains("json")
        var rejected = false
        func answer(_ input: String) {
            do {
                print(line(input, .success(try normalizer.normalize(input)), json: json))
            } catch {
                rejected = true
                print(line(input, .failure(error), json: json))
            }
        }
        for argument in parsed.arguments {
            guard argument == "-" else {
                answer(argument)
                continue
            }
            while let input = readLine(strippingNewline: true) { answer(input) }
        }
        // 3. The exit code says whether everything was a number.
        return rejected ? 1 : 0
    }

    /// `input<TAB>+e164` or `input<TAB>error: reason`; with `--json`
    /// `{"input":…,"e164":…}` or `{"input":…,"error":"too_long","message":"too long: …"}`.
    static func line(_ input: String, _ result: Result<PhoneNumber, PhoneNumberError>, json: Bool) -> String {
        switch (result, json) {
        case (.success(let number), false):
            return "\(input)\t\(number.e164)"
        case (.failure(let error), false):
            return "\(input)\terror: \(error)"
        case (.success(let number), true):
            return "{\"input\":\"\(ErrorBody.escape(input))\",\"e164\":\"\(number.e164)\"}"
        case (.failure(let error), true):
            return "{\"input\":\"\(ErrorBody.escape(input))\",\"error\":\"\(error.reason.rawValue)\",\"message\":\"\(ErrorBody.escape(error.description))\"}"
        }
    }
}
