extension FlowDefinition {
    /// The data a screen is shown with; `{}` for a screen without data.
    func data(of screen: String) -> [String: JSONValue] { screens[screen]?.data ?? [:] }

    /// The screens in the order a user walks them: `first_screen`, then each `next` until
    /// `SUCCESS` (or a screen already walked, should the config loop).
    var path: [String] {
        var walked: [String] = []
        var current: String? = firstScreen
        while let id = current, let screen = screens[id], !walked.contains(id) {
            walked.append(id)
            current = screen.next
        }
        return walked
    }

    /// Where `BACK` from `screen` lands: the screen before it on the path (or any screen whose
    /// `next` it is); the first screen when `screen` is empty or unknown; `screen` itself when
    /// nothing leads to it (it is the first screen, or only reached by navigate actions).
    func screen(before screen: String) -> String {
        guard screens[screen] != nil else { return firstScreen }
        let walked = path
        if let index = walked.firstIndex(of: screen) {
            return index > 0 ? walked[index - 1] : screen
        }
        let leading = screens.filter { $0.value.next == screen }.keys.sorted()
        return leading.first ?? screen
    }
}
