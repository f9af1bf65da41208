import Synchronization

/// libphonenumber's numbering plans (generated tables, see `scripts/phones/generate_metadata.py`):
/// every country calling code, every region. A region's patterns are compiled the first time a
/// number needs them and kept; compiling all of them up front would cost megabytes for
/// regions a deployment never sees.
final class PhoneNumberingPlan: Sendable {
    static let shared = PhoneNumberingPlan(sources: sources, countryCodes: regionsByCountryCode)

    /// Calling codes have 1 to 3 digits (ITU E.164).
    static let maximumCountryCodeLength = 3

    private let sources: [RegionPlanSource]
    /// Geographic regions (`MA`) to their source.
    private let regionIndex: [String: Int]
    /// Each calling code's sources, the main region first.
    private let countryCodeIndex: [Int: [Int]]
    private let compiled = Mutex<[Int: RegionPlan]>([:])

    init(sources: [RegionPlanSource], countryCodes: [(code: Int, regions: [String])]) {
        var regionIndex: [String: Int] = [:]
        var nonGeographic: [Int: Int] = [:]
        for (index, source) in sources.enumerated() {
            if source.region == RegionPlan.nonGeographic {
                nonGeographic[source.countryCode] = index
            } else {
                regionIndex[source.region] = index
            }
        }
        var countryCodeIndex: [Int: [Int]] = [:]
        for (code, regions) in countryCodes {
            let indices = regions == [RegionPlan.nonGeographic] ? [nonGeographic[code]].compactMap { $0 } : regions.compactMap { regionIndex[$0] }
            if !indices.isEmpty { countryCodeIndex[code] = indices }
        }
        self.sources = sources
        self.regionIndex = regionIndex
        self.countryCodeIndex = countryCodeIndex
    }

    /// Whether `region` is a geographic region of the plans (`MA`).
    func knows(region: String) -> Bool { regionIndex[region] != nil }

    /// A geographic region's plan (`MA`), or nil.
    func region(_ region: String) -> RegionPlan? { regionIndex[region].flatMap(plan(at:)) }

    /// The plans sharing a calling code, the main one first (`US` for 1, `RU` for 7); empty for
    /// an unassigned code.
    func plans(_ countryCode: Int) -> [RegionPlan] { (countryCodeIndex[countryCode] ?? []).compactMap(plan(at:)) }

    /// The main plan of a calling code.
    func mainPlan(_ countryCode: Int) -> RegionPlan? { countryCodeIndex[countryCode]?.first.flatMap(plan(at:)) }

    /// The calling code that starts `digits` and the digits after it, or nil. Calling codes
    /// form a prefix code (none is the start of another), so the first hit is the only one.
    func splitCountryCode(_ digits: ArraySlice<UInt8>) -> (code: Int, rest: ArraySlice<UInt8>)? {
        guard let first = digits.first, first != UInt8(ascii: "0") else { return nil }
        var code = 0
        var index = digits.startIndex
        for _ in 0..<Self.maximumCountryCodeLength {
            guard index < digits.endIndex else { return nil }
            code = code * 10 + Int(digits[index] - UInt8(ascii: "0"))
            index += 1
            if countryCodeIndex[code] != nil { return (code, digits[index...]) }
        }
        return nil
    }

    /// The plan a national number belongs to among those sharing its calling code, as
    /// libphonenumber's `region_code_for_number` picks it: a region with leading digits only
    /// by them, any other by the number being assigned there. Nil when none fits.
    func plan(for nationalNumber: [UInt8], countryCode: Int) -> RegionPlan? {
        let plans = plans(countryCode)
        if plans.count == 1 { return plans[0] }
        for plan in plans {
            if let leading = plan.leadingDigits {
                if leading.matchPrefix(nationalNumber) != nil { return plan }
            } else if plan.numberType(nationalNumber) != nil {
                return plan
            }
        }
        return nil
    }

    /// Compiles every plan; the messages of those that fail (a test keeps this empty).
    func compileAll() -> [String] {
        var errors: [String] = []
        for source in sources {
            do {
                _ = try RegionPlan(source)
            } catch {
                errors.append("\(source.region) (+\(source.countryCode)): \(error)")
            }
        }
        return errors
    }

    /// Compiled once, then shared. A source that does not compile (never, while `compileAll`
    /// is tested clean) behaves as if the region were absent.
    private func plan(at index: Int) -> RegionPlan? {
        if let plan = compiled.withLock({ $0[index] }) { return plan }
        guard let plan = try? RegionPlan(sources[index]) else { return nil }
        compiled.withLock { $0[index] = plan }
        return plan
    }
}

extension RegionPlan {
    /// The region code libphonenumber gives non-geographic entities.
    static let nonGeographic = "001"
}
