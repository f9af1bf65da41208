/// `--help` of the `phones …` commands.
enum PhonesCommandHelp {
    /// The help of `command`, or nil when it is not one of these.
    static func text(for command: String) -> String? {
        switch command {
        case "phones":
            return """
            usage: switchboard phones normalize [options]

              phones normalize   normalise phone numbers to E.164, or say why they are not numbers

            See switchboard phones <subcommand> --help.
            """
        case "phones normalize":
            return """
            usage: switchboard phones normalize [--region R] [--json] [--config FILE] NUMBER…

              --region R       read national numbers in region R (ISO 3166, like MA); overrides the config
              --config FILE    take phone.default_region from FILE (no config is needed otherwise)
              --json           one JSON object per input: {"input","e164"} or {"input","error","message"},
                               error being a reason code (too_long, unknown_country_code, whatsapp_lid, …)

            NUMBER is text as people and providers write it: +212 6-10 05 91 59, (+212) 610059159,
            00212610059159, 0610059159 (with a region), 212610059159@c.us, whatsapp:+212610059159.
            "-" reads one number per line from stdin; blank lines are answered too, so answers pair with lines.
            Prints one line per input, in order: INPUT<TAB>+E164 or INPUT<TAB>error: REASON.
            Exit codes: 0 every input is a phone number, 1 some input was rejected, 2 usage or config error.
            """
        default:
            return nil
        }
    }
}
