import Glibc

/// Reads whole small files (the config file, `*_FILE` secrets) with errors that say why in
/// the system's words (`No such file or directory`) and never quote the file's contents.
public enum FileReader {
    /// Files larger than this are refused: config and secrets are small, and a mistaken
    /// `/dev/zero` must not hang the boot.
    public static let maximumSize = 16 << 20

    /// The bytes of the file at `path`. Blocking I/O: for boot and the command line only.
    public static func bytes(atPath path: String) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(code: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maximumSize else { throw FileReadError(code: EFBIG) }
        }
    }
}

/// Why a file could not be read: an `errno` value, described by the system.
public struct FileReadError: Error, Equatable, CustomStringConvertible {
    /// The `errno` value (`ENOENT`, `EACCES`, `EISDIR`, `EFBIG` for files over the limit).
    public var code: Int32

    /// An error for the `errno` value `code`.
    public init(code: Int32) { self.code = code }

    /// The system's text for the code (`No such file or directory`).
    public var description: String { String(cString: strerror(code)) }
}
