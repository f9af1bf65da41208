/// The coding keys the strict decoder makes itself: array positions and `super`. Array
/// positions are recognised by type when paths are rendered, so they print as `[2]`.
struct StrictCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    /// Set only for array positions.
    let index: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
        index = nil
    }

    init(intValue: Int) {
        self.init(index: intValue)
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
        self.index = index
    }

    static let superKey = StrictCodingKey(stringValue: "super")
}
