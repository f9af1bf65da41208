import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// StrictDecoder: unknown keys, type rules and dotted paths, as plugins' configs see them.
struct StrictDecoderTests {}

/// A plugin-style config: explicit snake_case keys, `decodeIfPresent` with defaults.
private struct SampleConfig: Decodable, Equatable {
    enum Mode: String, Decodable, CaseIterable {
        case fast, safe
    }

    struct Endpoint: Decodable, Equatable {
        var name: String
        var weight: Int

        enum CodingKeys: String, CodingKey {
            case name, weight
        }

        init(name: String, weight: Int) {
            self.name = name
            self.weight = weight
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            weight = try container.decodeIfPresent(Int.self, forKey: .weight) ?? 1
        }
    }

    struct Limits: Decodable, Equatable {
        var maxItems: Int
        var ratio: Double

        enum CodingKeys: String, CodingKey {
            case maxItems = "max_items"
            case ratio
        }
    }

    var accountID: Int
    var baseURL: URL?
    var enabled: Bool
    var mode: Mode
    var timeout: ConfigDuration
    var retries: UInt8
    var endpoints: [Endpoint]
    var limits: Limits?
    var tags: [String]
    var note: String?

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case baseURL = "base_url"
        case enabled, mode, timeout, retries, endpoints, limits, tags, note
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try container.decode(Int.self, forKey: .accountID)
        baseURL = try container.decodeIfPresent(URL.self, forKey: .baseURL)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .safe
        timeout = try container.decodeIfPresent(ConfigDuration.self, forKey: .timeout) ?? .seconds(30)
        retries = try container.decodeIfPresent(UInt8.self, forKey: .retries) ?? 3
        endpoints = try container.decodeIfPresent([Endpoint].self, forKey: .endpoints) ?? []
        limits = try container.decodeIfPresent(Limits.self, forKey: .limits)
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}

private func decode<T: Decodable>(_ type: T.Type, _ text: String, path: String = "plugins.test.config") throws -> T {
    try StrictDecoder.decode(type, from: JSONParser.parse(Array(text.utf8)), path: path)
}

/// The description of what decoding throws, or nil when it succeeds.
private func failure<T: Decodable>(_ type: T.Type, _ text: String, path: String = "plugins.test.config") -> String? {
    do {
        _ = try decode(type, text, path: path)
        return nil
    } catch {
        return String(describing: error)
    }
}

// MARK: success

extension StrictDecoderTests {
    @Test func decodesEveryField() throws {
        let config = try decode(SampleConfig.self, #"""
            {
              "account_id": 14,
              "base_url": "https://chat.example.com/api",
              "enabled": false,
              "mode": "fast",
              "timeout": "2m",
              "retries": 255,
              "endpoints": [{"name": "a"}, {"name": "b", "weight": 5}],
              "limits": {"max_items": 10, "ratio": 2},
              "tags": ["x", "y"],
              "note": "hello"
            }
            """#)
        #expect(config.accountID == 14)
        #expect(config.baseURL == URL(string: "https://chat.example.com/api"))
        #expect(config.enabled == false)
        #expect(config.mode == .fast)
        #expect(config.timeout == .seconds(120))
        #expect(config.retries == 255)
        #expect(config.endpoints == [.init(name: "a", weight: 1), .init(name: "b", weight: 5)])
        #expect(config.limits == .init(maxItems: 10, ratio: 2))
        #expect(config.tags == ["x", "y"])
        #expect(config.note == "hello")
    }

    @Test(arguments: [#"{"account_id": 1}"#, #"{"account_id": 1, "note": null, "limits": null, "mode": null, "endpoints": null}"#])
    func appliesDefaultsForMissingOrNullKeys(text: String) throws {
        let config = try decode(SampleConfig.self, text)
        #expect(config.enabled == true)
        #expect(config.mode == .safe)
        #expect(config.timeout == .seconds(30))
        #expect(config.retries == 3)
        #expect(config.endpoints.isEmpty)
        #expect(config.limits == nil)
        #expect(config.note == nil)
        #expect(config.baseURL == nil)
    }
}

// MARK: failures

private let sampleFailures: [(String, String)] = [
    ("{}", "plugins.test.config.account_id: missing required key"),
    ("[]", "plugins.test.config: expected an object, got an array"),
    (#"{"account_id": "14"}"#, "plugins.test.config.account_id: expected an integer, got a string"),
    (#"{"account_id": 1.5}"#, "plugins.test.config.account_id: expected an integer, got a number"),
    (#"{"account_id": null}"#, "plugins.test.config.account_id: expected an integer, got null"),
    (#"{"account_id": 99999999999999999999}"#, "plugins.test.config.account_id: out of range"),
    (#"{"account_id": 1, "acount_id": 1}"#, "plugins.test.config.acount_id: unknown key"),
    (#"{"zz": 1, "account_id": 1, "aa": 2}"#, "plugins.test.config.zz: unknown key"),
    (#"{"account_id": 1, "enabled": "yes"}"#, "plugins.test.config.enabled: expected a boolean, got a string"),
    (#"{"account_id": 1, "enabled": 1}"#, "plugins.test.config.enabled: expected a boolean, got an integer"),
    (#"{"account_id": 1, "mode": "slow"}"#, #"plugins.test.config.mode: expected one of "fast", "safe""#),
    (#"{"account_id": 1, "mode": 3}"#, "plugins.test.config.mode: expected a string, got an integer"),
    (#"{"account_id": 1, "timeout": "10x"}"#, #"plugins.test.config.timeout: expected a duration like 500ms, 30s, 2m, 24h or 7d, got "10x""#),
    (#"{"account_id": 1, "timeout": 10}"#, "plugins.test.config.timeout: expected a string, got an integer"),
    (#"{"account_id": 1, "retries": 256}"#, "plugins.test.config.retries: out of range"),
    (#"{"account_id": 1, "retries": -1}"#, "plugins.test.config.retries: out of range"),
    (#"{"account_id": 1, "base_url": "chat.example.com/api"}"#, "plugins.test.config.base_url: expected an absolute url"),
    (#"{"account_id": 1, "base_url": {"relative": "x"}}"#, "plugins.test.config.base_url: expected a string, got an object"),
    (#"{"account_id": 1, "endpoints": [{"name": "a"}, {"name": "b", "wieght": 2}]}"#, "plugins.test.config.endpoints[1].wieght: unknown key"),
    (#"{"account_id": 1, "endpoints": [{"weight": 2}]}"#, "plugins.test.config.endpoints[0].name: missing required key"),
    (#"{"account_id": 1, "endpoints": [{"name": "a", "weight": "2"}]}"#, "plugins.test.config.endpoints[0].weight: expected an integer, got a string"),
    (#"{"account_id": 1, "endpoints": {"name": "a"}}"#, "plugins.test.config.endpoints: expected an array, got an object"),
    (#"{"account_id": 1, "endpoints": ["a"]}"#, "plugins.test.config.endpoints[0]: expected an object, got a string"),
    (#"{"account_id": 1, "limits": {"max_items": 3, "ratio": 0.5, "extra": true}}"#, "plugins.test.config.limits.extra: unknown key"),
    (#"{"account_id": 1, "limits": {"ratio": 1}}"#, "plugins.test.config.limits.max_items: missing required key"),
    (#"{"account_id": 1, "limits": {"max_items": 1, "ratio": "x"}}"#, "plugins.test.config.limits.ratio: expected a number, got a string"),
    (#"{"account_id": 1, "limits": []}"#, "plugins.test.config.limits: expected an object, got an array"),
    (#"{"account_id": 1, "tags": ["a", 2]}"#, "plugins.test.config.tags[1]: expected a string, got an integer"),
    // The first unknown key in document order wins, even inside an earlier nested object.
    (#"{"account_id": 1, "limits": {"max_items": 1, "ratio": 1, "b": 0}, "a": 0}"#, "plugins.test.config.limits.b: unknown key"),
]

extension StrictDecoderTests {
    @Test(arguments: sampleFailures)
    func reportsFailuresWithTheirPath(text: String, expected: String) {
        #expect(failure(SampleConfig.self, text) == expected)
    }

    @Test func throwsConfigErrors() {
        #expect(throws: ConfigError(path: "plugins.test.config.acount_id", "unknown key")) {
            try decode(SampleConfig.self, #"{"account_id": 1, "acount_id": 2}"#)
        }
    }
}

// MARK: other shapes

private struct Inner: Decodable, Equatable {
    var value: Int

    enum CodingKeys: String, CodingKey {
        case value
    }
}

extension StrictDecoderTests {
    @Test func rendersPathsFromAnEmptyRoot() {
        #expect(failure([String: Inner].self, #"{"a": {"value": "x"}}"#, path: "") == "a.value: expected an integer, got a string")
        #expect(failure([Inner].self, #"[{"value": 1}, {"value": 2, "x": 0}]"#, path: "") == "[1].x: unknown key")
        #expect(failure(Int.self, #""x""#, path: "") == "expected an integer, got a string")
    }

    @Test func decodesDictionariesAndArraysOfStructs() throws {
        #expect(try decode([String: Int].self, #"{"a": 1, "b": 2}"#) == ["a": 1, "b": 2])
        #expect(failure([String: Int].self, #"{"a": 1, "b": true}"#) == "plugins.test.config.b: expected an integer, got a boolean")
        #expect(try decode([Inner].self, #"[{"value": 1}, {"value": 2}]"#, path: "list") == [Inner(value: 1), Inner(value: 2)])
        #expect(failure([Inner].self, #"[{"value": 1}, {}]"#, path: "list") == "list[1].value: missing required key")
        #expect(try decode([[Int]].self, "[[1], [], [2, 3]]") == [[1], [], [2, 3]])
        #expect(failure([[Int]].self, "[[1], [2, null]]") == "plugins.test.config[1][1]: expected an integer, got null")
    }

    @Test func decodesOptionalsInArrays() throws {
        #expect(try decode([Int?].self, "[1, null, 3]") == [1, nil, 3])
    }

    @Test func appliesNumberRules() throws {
        #expect(try decode(Double.self, "3") == 3)
        #expect(try decode(Float.self, "0.5") == 0.5)
        #expect(try decode(Int64.self, "-9223372036854775808") == .min)
        #expect(try decode(UInt64.self, "9223372036854775807") == UInt64(Int64.max))
        #expect(failure(Float.self, "1e300") == "plugins.test.config: out of range")
        #expect(failure(Int8.self, "-129") == "plugins.test.config: out of range")
        #expect(failure(Int.self, "1e2") == "plugins.test.config: expected an integer, got a number")
        #expect(failure(Double.self, "true") == "plugins.test.config: expected a number, got a boolean")
        #expect(failure(String.self, "null") == "plugins.test.config: expected a string, got null")
        #expect(failure(Bool.self, "0") == "plugins.test.config: expected a boolean, got an integer")
    }
}

private enum Priority: Int, Decodable {
    case low = 1, high = 2
}

extension StrictDecoderTests {
    @Test func namesBadRawValuesWithoutEchoingThem() {
        #expect(failure(Priority.self, "3") == "plugins.test.config: invalid value")
        #expect(failure([SampleConfig.Mode].self, #"["fast", "secret-value"]"#) == #"plugins.test.config[1]: expected one of "fast", "safe""#)
    }
}

/// Exercises nested containers and `superDecoder(forKey:)` by hand.
private struct Manual: Decodable {
    var first: Int
    var pair: [String]
    var inner: Int
    var base: Int?

    enum Keys: String, CodingKey {
        case first, pair, nested, base
    }

    enum NestedKeys: String, CodingKey {
        case inner
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        first = try container.decode(Int.self, forKey: .first)
        var pairContainer = try container.nestedUnkeyedContainer(forKey: .pair)
        pair = [try pairContainer.decode(String.self), try pairContainer.decode(String.self)]
        let nested = try container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        inner = try nested.decode(Int.self, forKey: .inner)
        base = try Int?(from: container.superDecoder(forKey: .base))
    }
}

extension StrictDecoderTests {
    @Test func decodesNestedContainers() throws {
        let manual = try decode(Manual.self, #"{"first": 1, "pair": ["a", "b"], "nested": {"inner": 2}, "base": 3}"#)
        #expect(manual.first == 1 && manual.pair == ["a", "b"] && manual.inner == 2 && manual.base == 3)
        #expect(try decode(Manual.self, #"{"first": 1, "pair": ["a", "b"], "nested": {"inner": 2}}"#).base == nil)
        #expect(failure(Manual.self, #"{"first": 1, "pair": ["a"], "nested": {"inner": 2}}"#) == "plugins.test.config.pair[1]: missing array element")
        #expect(failure(Manual.self, #"{"first": 1, "pair": ["a", "b"], "nested": {"inner": 2, "x": 1}}"#) == "plugins.test.config.nested.x: unknown key")
        #expect(failure(Manual.self, #"{"first": 1, "pair": ["a", "b"]}"#) == "plugins.test.config.nested: missing required key")
        #expect(failure(Manual.self, #"{"first": 1, "pair": "ab", "nested": {}}"#) == "plugins.test.config.pair: expected an array, got a string")
        #expect(failure(Manual.self, #"{"first": 1, "pair": ["a", "b"], "nested": {"inner": 2}, "base": "x"}"#) == "plugins.test.config.base: expected an integer, got a string")
    }
}

/// A class hierarchy decoding one object through two containers, and through `superDecoder()`.
private class BaseRecord: Decodable {
    let a: Int

    enum Keys: String, CodingKey {
        case a
    }

    required init(from decoder: any Decoder) throws {
        a = try decoder.container(keyedBy: Keys.self).decode(Int.self, forKey: .a)
    }
}

private final class SharedRecord: BaseRecord {
    let b: Int

    enum Keys: String, CodingKey {
        case b
    }

    required init(from decoder: any Decoder) throws {
        b = try decoder.container(keyedBy: Keys.self).decode(Int.self, forKey: .b)
        try super.init(from: decoder)
    }
}

private final class NestedRecord: BaseRecord {
    let b: Int

    enum Keys: String, CodingKey {
        case b
    }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        b = try container.decode(Int.self, forKey: .b)
        try super.init(from: container.superDecoder())
    }
}

extension StrictDecoderTests {
    @Test func decodesClassHierarchies() throws {
        let shared = try decode(SharedRecord.self, #"{"a": 1, "b": 2}"#)
        #expect(shared.a == 1 && shared.b == 2)
        #expect(failure(SharedRecord.self, #"{"a": 1, "b": 2, "c": 3}"#) == "plugins.test.config.c: unknown key")
        let nested = try decode(NestedRecord.self, #"{"b": 2, "super": {"a": 1}}"#)
        #expect(nested.a == 1 && nested.b == 2)
        #expect(failure(NestedRecord.self, #"{"b": 2, "super": {"a": 1, "z": 0}}"#) == "plugins.test.config.super.z: unknown key")
        #expect(failure(NestedRecord.self, #"{"b": 2}"#) == "plugins.test.config.super: expected an object, got null")
    }
}

/// A type that validates in `init(from:)` with the errors plugins may throw.
private struct Validated: Decodable {
    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Int.self)
        if value < 0 { throw ConfigError(path: "", "must not be negative") }
        if value == 0 {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must not be zero"))
        }
    }
}

extension StrictDecoderTests {
    @Test func placesErrorsThrownByTypesAtTheirPath() {
        #expect(failure([Validated].self, "[1, -1]") == "plugins.test.config[1]: must not be negative")
        #expect(failure([String: Validated].self, #"{"n": 0}"#) == "plugins.test.config.n: must not be zero")
    }
}
