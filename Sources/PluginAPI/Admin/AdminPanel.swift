/// A view a plugin adds to the admin web UI (`/admin`): a table filled from one of the plugin's
/// own JSON routes, with optional actions on each row. The kernel lists the enabled plugins'
/// panels at `GET /api/admin/panels`; the UI draws them, so a plugin ships no HTML of its own.
///
/// The source route answers an object whose `rowsKey` member is an array of row objects
/// (`{"calls": [{…}, …], "next": "…"}`); when the answer has a string `next`, the UI offers
/// "more" and asks the source again with `?after=<next>`. The UI sends the operator's admin
/// session with every request, so the route checks `context.adminAuthorized(request)` as any
/// admin route does.
public struct AdminPanel: Sendable, Equatable {
    /// How the UI shows a cell.
    public enum Format: String, Sendable, Equatable {
        /// The value as text (numbers and booleans too).
        case text
        /// A Unix-milliseconds integer or an RFC 3339 string, shown as a local date and time.
        case time
        /// An E.164 number, shown masked (`+2126••••59`) except where the operator needs it.
        case phone
        /// `true`/`false`, shown as a mark.
        case flag
    }

    /// One column: the row member it shows and its heading.
    public struct Column: Sendable, Equatable {
        public var key: String
        public var title: String
        public var format: Format

        public init(_ key: String, title: String, format: Format = .text) {
            self.key = key
            self.title = title
            self.format = format
        }
    }

    /// A button on each row: a `POST` to one of the plugin's routes. `path` is relative to the
    /// plugin's mount point and may name row members as `:member` (`/calls/:call_id/retry`).
    /// The UI asks `confirm` first when it is set, then shows the answer's status.
    public struct Action: Sendable, Equatable {
        public var title: String
        public var path: String
        public var confirm: String?

        public init(_ title: String, path: String, confirm: String? = nil) {
            self.title = title
            self.path = path
            self.confirm = confirm
        }
    }

    /// Unique within the plugin, `[a-z][a-z0-9_]{0,31}`; the UI's page is `/admin/panels/<plugin>.<id>`.
    public var id: String
    public var title: String
    /// The plugin's `GET` route that answers the rows, relative to its mount point (`/calls`).
    public var source: String
    /// The answer's member holding the rows.
    public var rowsKey: String
    public var columns: [Column]
    public var actions: [Action]

    public init(id: String, title: String, source: String, rowsKey: String, columns: [Column], actions: [Action] = []) {
        self.id = id
        self.title = title
        self.source = source
        self.rowsKey = rowsKey
        self.columns = columns
        self.actions = actions
    }
}
