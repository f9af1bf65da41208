import Testing
@testable import Kernel

/// The generated numbering plans and the pattern matcher they run on.
struct PhoneNormalizerPlanTests {
    @Test func everyGeneratedPatternCompiles() {
        #expect(PhoneNumberingPlan.shared.compileAll() == [])
    }

    /// Every ITU calling code libphonenumber knows, geographic or not, has a plan.
    @Test func everyCountryCodeHasAPlan() {
        let plan = PhoneNumberingPlan.shared
        for (code, regions) in PhoneNumberingPlan.regionsByCountryCode {
            #expect(plan.plans(code).count == regions.count, "+\(code)")
        }
        #expect(PhoneNumberingPlan.regionsByCountryCode.count >= 215)
        for code in [1, 7, 20, 27, 30, 212, 213, 216, 218, 222, 800, 808, 870, 878, 881, 882, 883, 888, 979] {
            #expect(!plan.plans(code).isEmpty, "+\(code)")
        }
        #expect(plan.plans(1).first?.region == "US")
        #expect(plan.plans(7).map(\.region) == ["RU", "KZ"])
        #expect(plan.plans(999).isEmpty)
    }

    /// The regions the issue names: the largest WhatsApp markets, the Maghreb and the EU 27,
    /// each with its trunk prefix and lengths.
    @Test(arguments: [
        ("MA", 212, "0", [9]), ("DZ", 213, "0", [8, 9]), ("TN", 216, nil, [8]), ("LY", 218, "0", [9]),
        ("MR", 222, nil, [8]), ("FR", 33, "0", [9]), ("IT", 39, nil, [6, 7, 8, 9, 10, 11, 12]),
        ("HU", 36, "06", [8, 9]), ("RU", 7, "8", [10, 14]), ("KZ", 7, "8", [10, 14]), ("US", 1, "1", [10]),
    ] as [(String, Int, String?, [Int])])
    func regionFacts(region: String, code: Int, trunk: String?, lengths: [Int]) throws {
        let plan = try #require(PhoneNumberingPlan.shared.region(region))
        #expect(plan.countryCode == code)
        #expect(plan.nationalPrefix == trunk)
        #expect(plan.possibleLengths == lengths)
    }

    @Test func splitsCountryCodes() {
        let plan = PhoneNumberingPlan.shared
        func split(_ s: String) -> Int? { plan.splitCountryCode(Array(s.utf8)[...])?.code }
        #expect(split("212610059159") == 212)
        #expect(split("16502530000") == 1)
        #expect(split("79123456789") == 7)
        #expect(split("80012345678") == 800)
        #expect(split("0212") == nil)
        #expect(split("999123") == nil)
        #expect(split("21") == nil)
    }

    // MARK: - DigitPattern, against Python's `re` on the same inputs

    @Test(arguments: [
        (#"[5-8]\d{8}"#, "610059159", true), (#"[5-8]\d{8}"#, "410059159", false),
        (#"[5-8]\d{8}"#, "61005915", false), (#"[5-8]\d{8}"#, "6100591590", false),
        (#"1\d{9}|3\d{6}"#, "3123456", true), (#"(?:6(?:[0-79]\d|8[0-247-9]))\d{6}"#, "683123456", false),
        (#"(?:6(?:[0-79]\d|8[0-247-9]))\d{6}"#, "687123456", true),
        (#"0?(?:(11|2(?:2|3))15)?"#, "", true), (#"[2-9]\d{2,4}"#, "2345", true), (#"[2-9]\d{2,4}"#, "234567", false),
        (#"(?:1[245]|2[1-35])$"#, "15", true),
    ] as [(String, String, Bool)])
    func wholeMatches(pattern: String, input: String, expected: Bool) throws {
        #expect(try DigitPattern(pattern).matchesWhole(Array(input.utf8)) == expected)
    }

    /// Prefix matches end where a backtracking engine's first match does, with its groups.
    @Test func prefixMatchesFollowBacktrackingOrder() throws {
        let argentina = try DigitPattern(#"0?(?:(11|2(?:2(?:02?|[13]))|3(?:3(?:2[79]|6)))15)?"#)
        let m = try #require(argentina.matchPrefix(Array("0111523456789".utf8)))
        #expect(m.end == 5)
        #expect(m.groups[1] == 1..<3)
        let plain = try #require(argentina.matchPrefix(Array("01123456789".utf8)))
        #expect(plain.end == 1)
        #expect(plain.groups[1] == nil)
        // Greedy optional group, then backtracking when the rest cannot match.
        let brazil = try DigitPattern(#"(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\d{10,11}))?"#)
        let carrier = try #require(brazil.matchPrefix(Array("01411961234567".utf8)))
        #expect(carrier.end == 14)
        #expect(carrier.groups[1] == 1..<3)
        #expect(carrier.groups[2] == 3..<14)
        let short = try #require(brazil.matchPrefix(Array("012961234567".utf8)))
        #expect(short.end == 1)
        #expect(short.groups[2] == nil)
        // Alternatives in order: `$`-anchored local numbers first.
        let barbados = try DigitPattern(#"([2-9]\d{6})$|1"#)
        #expect(try #require(barbados.matchPrefix(Array("2345678".utf8))).groups[1] == 0..<7)
        #expect(try #require(barbados.matchPrefix(Array("12462345678".utf8))).end == 1)
        #expect(barbados.matchPrefix(Array("0123".utf8)) == nil)
    }

    @Test(arguments: [#"\w"#, "a", "[^0-9]", "(?=1)", "1*", "1+", "1??", "(1", "1)", "[9-1]", "[]", "{2}", "1{3,2}", "."])
    func unsupportedSyntaxIsAnError(pattern: String) {
        #expect(throws: DigitPatternError.self) { _ = try DigitPattern(pattern) }
    }

    @Test func transformRules() {
        #expect(RegionPlan.parseTransform(#"9\1"#) == [.literal(Array("9".utf8)), .group(1)])
        #expect(RegionPlan.parseTransform(#"\2"#) == [.group(2)])
        #expect(RegionPlan.parseTransform(#"0549\1"#) == [.literal(Array("0549".utf8)), .group(1)])
    }
}

/// Plans compile on first use behind a lock: many tasks normalising at once, across regions
/// none of them has touched yet, all get the same answers.
@Test func phoneNormalizerPlansCompileSafelyUnderConcurrency() async throws {
    let cases: [(String, String, String)] = [
        ("0610059159", "MA", "+212610059159"), ("06 12 34 56 78", "FR", "+33612345678"),
        ("011 15-2345-6789", "AR", "+5491123456789"), ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("0151 23456789", "DE", "+4915123456789"), ("(11) 96123-4567", "BR", "+5511961234567"),
    ]
    let plan = PhoneNumberingPlan(sources: PhoneNumberingPlan.sources, countryCodes: PhoneNumberingPlan.regionsByCountryCode)
    let results = await withTaskGroup(of: Bool.self) { group in
        for round in 0..<64 {
            let (input, region, e164) = cases[round % cases.count]
            group.addTask {
                guard let regionPlan = plan.region(region) else { return false }
                let parsed = try? PhoneNumberParser(plan: plan, region: regionPlan).parse(PhoneInput.scan(input))
                return parsed?.e164 == e164
            }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.count == 64)
    #expect(results.allSatisfy { $0 })
}
