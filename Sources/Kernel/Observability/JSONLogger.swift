import CShims
import Glibc
import PluginAPI

/// Writes one JSON object per line to a file descriptor (stderr by default):
/// `{"time":"…","level":"info","message":"…","plugin":"…",…fields}`. Each line is one
/// `write(2)`, so lines from different threads never interleave.
struct JSONLogger: PluginAPI.Logger {
    let level: LogLevel
    /// Added to every line (`plugin`).
    let base: [String: String]
    let fd: Int32
    /// Values that must never appear in a line (configured secrets); replaced by `[redacted]`.
    let redactions: [String]

    init(level: LogLevel, base: [String: String] = [:], fd: Int32 = 2, redactions: [String] = []) {
        self.level = level
        self.base = base
        self.fd = fd
        self.redactions = redactions.filter { $0.count >= 4 }
    }

    /// A logger for one plugin: same level and sink, tagged with its id.
    func with(plugin: String) -> JSONLogger {
        var fields = base
        fields["plugin"] = plugin
        return JSONLogger(level: level, base: fields, fd: fd, redactions: redactions)
    }

    func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    func log(_ level: LogLevel, _ message: String, _ fields: [String: String]) {
        guard isEnabled(level) else { return }
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(level)\",\"message\":\"\(ErrorBody.escape(redact(message)))\""
        for (key, value) in base.merging(fields, uniquingKeysWith: { _, new in new }).sorted(by: { $0.key < $1.key }) {
            line += ",\"\(ErrorBody.escape(key))\":\"\(ErrorBody.escape(redact(value)))\""
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { cshims_write_all(fd, $0.baseAddress, $0.count) }
    }

    private func redact(_ text: String) -> String {
        var out = text
        for secret in redactions { out = out.replacingLiteral(secret, with: "[redacted]") }
        return out
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        let date = "\((parts.tm_year + 1900).zeroPadded(4))-\((parts.tm_mon + 1).zeroPadded(2))-\(parts.tm_mday.zeroPadded(2))"
        let time = "\(parts.tm_hour.zeroPadded(2)):\(parts.tm_min.zeroPadded(2)):\(parts.tm_sec.zeroPadded(2))"
        return "\(date)T\(time).\((ts.tv_nsec / 1_000_000).zeroPadded(3))Z"
    }
}
