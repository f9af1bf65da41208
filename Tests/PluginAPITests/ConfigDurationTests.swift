import PluginAPI
import Testing

@Test(arguments: [("500ms", 500), ("30s", 30_000), ("2m", 120_000), ("24h", 86_400_000), ("7d", 604_800_000), ("0s", 0)] as [(String, Int64)])
func parsesDurations(text: String, ms: Int64) {
    #expect(ConfigDuration(parsing: text)?.milliseconds == ms)
}

@Test(arguments: ["", "s", "10", "1.5s", "-1s", "10 s", "3w", "ms", "99999999999999999999d"])
func rejectsBadDurations(text: String) {
    #expect(ConfigDuration(parsing: text) == nil)
}

@Test func masksPhones() {
    #expect(Mask.phone("+212610059159") == "+2126••••59")
    #expect(!Mask.phone("+212610059159").contains("1005"))
}

@Test func headerLookupIgnoresCase() {
    let h: HTTPHeaders = ["Content-Type": "a", "X-Two": "b"]
    #expect(h["content-type"] == "a")
    #expect(h["X-TWO"] == "b")
    #expect(h["x-tw0"] == nil)
    #expect(!HTTPHeaders.equalsIgnoringCase("a@", "a`"))
}
