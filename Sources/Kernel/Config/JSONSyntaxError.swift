/// Why a document is not strict JSON, and where: a 1-based line and column (columns count
/// Unicode scalars, so a line with `é` before the error still points at the right place).
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    /// 1-based line of the offending character.
    public var line: Int
    /// 1-based column of the offending character, in Unicode scalars.
    public var column: Int
    /// What is wrong, lower-case (`expected ',' or '}'`).
    public var message: String

    /// An error at `line` and `column` (both 1-based).
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 14: expected ',' or '}'`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
