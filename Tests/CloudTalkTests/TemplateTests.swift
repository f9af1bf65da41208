import Testing
@testable import CloudTalk

/// The follow-up template: placeholders, escaped braces, and what a missing field does.
@Suite("cloudtalk template")
struct TemplateTests {
    @Test func placeholdersAndEscapedBraces() throws {
        let template = try MessageTemplate(parsing: "Ciao {contact_name}, {{non}} è {agent_name}: {contact_name}!")
        #expect(template.fieldNames == ["contact_name", "agent_name"])
        #expect(try template.render(["contact_name": "Yassine", "agent_name": "Salma"]) == "Ciao Yassine, {non} è Salma: Yassine!")
    }

    /// Every missing (or empty) field is named; nothing is rendered.
    @Test func missingFieldsAreNamed() throws {
        let template = try MessageTemplate(parsing: "{a} {b} {c}")
        #expect(throws: MessageTemplate.MissingField.self) { try template.render(["a": "1", "b": ""]) }
        do {
            _ = try template.render(["a": "1", "b": ""])
        } catch {
            #expect(error.names == ["b", "c"])
            #expect(error.description.contains("{b}, {c} have no value"))
        }
    }

    @Test(arguments: [
        ("Ciao {", "unclosed placeholder"),
        ("Ciao {agent name}", "placeholder {agent name}"),
        ("Ciao {}", "placeholder {}"),
        ("Ciao {9lives}", "placeholder {9lives}"),
        ("Ciao }", "} without {"),
    ])
    func malformedTemplates(source: String, message: String) {
        #expect {
            _ = try MessageTemplate(parsing: source)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
