import Foundation
import Testing

/// `switchboard phones normalize` as an operator (or the libphonenumber comparison) runs it.
@Suite("switchboard phones CLI")
struct PhonesCLITests {
    @Test func normalisesTheIssueExamples() throws {
        let inputs = ["+212 6-10 05 91 59", "(+212) 610059159", "00212610059159", "212610059159", "0610059159",
                      "212610059159@c.us", "212610059159@s.whatsapp.net", "whatsapp:+212610059159"]
        let result = try BinaryRunner.run(["phones", "normalize", "--region", "MA"] + inputs)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == inputs.map { "\($0)\t+212610059159\n" }.joined())
    }

    @Test func rejectedInputsSayWhyAndExitOne() throws {
        let result = try BinaryRunner.run(["phones", "normalize", "--region", "FR", "06 12 34 56 78", "123@lid", "+2126100591591234"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "06 12 34 56 78\t+33612345678",
            "123@lid\terror: whatsapp lid: a WhatsApp @lid id hides the phone number",
            "+2126100591591234\terror: too long: E.164 allows at most 15 digits, got 16",
        ])
    }

    @Test func jsonLinesFromStdinPairWithInputLines() throws {
        let stdin = "0610059159\n\nUS.13491208655302741918\r\n\"quoted\"\n212610059159@c.us\n"
        let result = try BinaryRunner.run(["phones", "normalize", "--json", "--region", "MA", "-"], stdin: stdin)
        #expect(result.status == 1, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
        }
        #expect(objects.count == 5)
        #expect(objects[0] == ["input": "0610059159", "e164": "+212610059159"])
        #expect(objects[1]["input"] == "" && objects[1]["error"] == "empty")
        #expect(objects[2]["input"] == "US.13491208655302741918" && objects[2]["error"] == "business_scoped_user_id")
        #expect(objects[2]["message"]?.hasPrefix("business scoped user id: ") == true)
        #expect(objects[3]["input"] == "\"quoted\"" && objects[3]["error"] == "invalid_characters")
        #expect(objects[4] == ["input": "212610059159@c.us", "e164": "+212610059159"])
    }

    @Test func theConfigGivesTheRegionAndTheFlagWins() throws {
        let dir = try BinaryRunner.configDirectory(#"{"phone": {"default_region": "FR"}}"#)
        let config = dir.appendingPathComponent("plugins.json").path
        let fromConfig = try BinaryRunner.run(["phones", "normalize", "--config", config, "06 12 34 56 78"])
        #expect(fromConfig.status == 0, "\(fromConfig.stderr)")
        #expect(fromConfig.stdout == "06 12 34 56 78\t+33612345678\n")
        let flag = try BinaryRunner.run(["phones", "normalize", "--config", config, "--region", "ma", "0610059159"])
        #expect(flag.stdout == "0610059159\t+212610059159\n", "\(flag.stderr)")
        // No config needed, and none read unless asked for: a broken plugins.json here is ignored.
        let broken = try BinaryRunner.configDirectory("{")
        let none = try BinaryRunner.run(["phones", "normalize", "0610059159"], directory: broken)
        #expect(none.status == 1)
        #expect(none.stdout.contains("error: no region"))
    }

    @Test(arguments: [
        (["phones", "normalize"], "phones normalize: expected NUMBER"),
        (["phones", "normalize", "--region", "XX", "1"], "--region expects a region code like MA or FR, got \"XX\""),
        (["phones", "normalize", "--regoin", "MA", "1"], "phones normalize: unknown option --regoin"),
        (["phones", "frobnicate"], "phones: unknown subcommand \"frobnicate\" (report, pending, show, assign, normalize)"),
        (["phones", "normalize", "--config", "/nonexistent/plugins.json", "1"], "/nonexistent/plugins.json"),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func help() throws {
        for arguments in [["phones", "normalize", "--help"], ["phones", "--help"], ["--help"]] {
            let result = try BinaryRunner.run(arguments)
            #expect(result.status == 0)
            #expect(result.stdout.contains("phones normalize"), "\(arguments)")
        }
    }
}
