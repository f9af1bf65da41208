extension DigitPattern {
    /// Where a prefix match ended and what each capturing group took (nil: did not take part).
    struct PrefixMatch: Equatable {
        var end: Int
        var groups: [Range<Int>?]
    }

    /// Whether the whole input matches (Java's `matches()`, Python's `fullmatch`).
    /// `digits` are ASCII digit bytes.
    func matchesWhole(_ digits: [UInt8]) -> Bool {
        let groups = [Range<Int>?](repeating: nil, count: groupCount + 1)
        return Matcher(input: digits).match(root, at: 0, groups) { end, _ in end == digits.count }
    }

    /// The match at the start of the input that a backtracking engine finds first (Java's
    /// `lookingAt()`, Python's `re.match`), or nil. Group 0 is the whole match.
    func matchPrefix(_ digits: [UInt8]) -> PrefixMatch? {
        var found: PrefixMatch?
        let groups = [Range<Int>?](repeating: nil, count: groupCount + 1)
        _ = Matcher(input: digits).match(root, at: 0, groups) { end, groups in
            var groups = groups
            groups[0] = 0..<end
            found = PrefixMatch(end: end, groups: groups)
            return true
        }
        return found
    }
}

/// Continuation-passing backtracking: each node calls `next` for every way it can match, in
/// the engine's preference order, and stops at the first `true`.
private struct Matcher {
    typealias Groups = [Range<Int>?]
    typealias Continuation = (Int, Groups) -> Bool

    let input: [UInt8]

    func match(_ node: DigitPattern.Node, at position: Int, _ groups: Groups, _ next: Continuation) -> Bool {
        switch node {
        case .digit(let set):
            guard position < input.count else { return false }
            let value = Int(input[position]) - Int(UInt8(ascii: "0"))
            guard value >= 0, value <= 9, set & (1 << UInt16(value)) != 0 else { return false }
            return next(position + 1, groups)
        case .end:
            return position == input.count && next(position, groups)
        case .sequence(let items):
            return matchSequence(items, from: 0, at: position, groups, next)
        case .alternation(let alternatives):
            for alternative in alternatives where match(alternative, at: position, groups, next) { return true }
            return false
        case .group(let inner, let capture):
            return match(inner, at: position, groups) { end, groups in
                guard let capture else { return next(end, groups) }
                var groups = groups
                groups[capture] = position..<end
                return next(end, groups)
            }
        case .repetition(let inner, let min, let max):
            return matchRepetition(inner, count: 0, min: min, max: max, at: position, groups, next)
        }
    }

    private func matchSequence(_ items: [DigitPattern.Node], from index: Int, at position: Int, _ groups: Groups,
                               _ next: Continuation) -> Bool {
        guard index < items.count else { return next(position, groups) }
        return match(items[index], at: position, groups) { end, groups in
            matchSequence(items, from: index + 1, at: end, groups, next)
        }
    }

    /// Greedy: one more repetition first, then stopping here. A repetition that consumed
    /// nothing is not repeated again (it could only loop).
    private func matchRepetition(_ inner: DigitPattern.Node, count: Int, min: Int, max: Int, at position: Int,
                                 _ groups: Groups, _ next: Continuation) -> Bool {
        if count < max {
            let more = match(inner, at: position, groups) { end, groups in
                guard end > position || count < min else { return false }
                return matchRepetition(inner, count: count + 1, min: min, max: max, at: end, groups, next)
            }
            if more { return true }
        }
        return count >= min && next(position, groups)
    }
}
