/// Thrown by a job or webhook processor when retrying cannot help (malformed input): the
/// job goes to `dead` at once with this message, visible and replayable.
public struct PermanentJobError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
