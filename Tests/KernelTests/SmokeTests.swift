import Testing
@testable import Kernel

@Test func jsonValueSubscript() {
    let v = JSONValue.object([(key: "a", value: .integer(1))])
    #expect(v["a"] == .integer(1))
    #expect(v["b"] == nil)
}
