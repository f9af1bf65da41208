/// How the storage commands print a list: one JSON object per line with `--json`, else a
/// table, or a one-line "nothing matched" message.
enum Listing {
    static func print<Item>(_ items: [Item], json: Bool, empty: String, headers: [String],
                            object: (Item) -> JSONValue, row: (Item) -> [String]) {
        if json {
            for item in items { Swift.print(object(item).jsonText()) }
            return
        }
        guard !items.isEmpty else {
            Swift.print(empty)
            return
        }
        var table = TextTable(headers)
        for item in items { table.add(row(item)) }
        Swift.print(table.rendered)
    }
}
