import PluginAPI
import PluginTesting
import Testing
@testable import Chatwoot

/// `plugins.chatwoot.config`: `{}` is valid and registers nothing; the API trio comes
/// together; errors name the path and never echo the token.
@Suite("chatwoot config")
struct ConfigTests {
    static func error(_ config: String) -> String? {
        do {
            _ = try PluginTestHost(plugins: [ChatwootPlugin.self], config: #"{"plugins":{"chatwoot":{"enabled":true,"config":\#(config)}}}"#)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func emptyIsValid() { #expect(Self.error("{}") == nil) }

    @Test func fullIsValid() {
        #expect(Self.error(#"{"base_url":"https://cw.example.com/","account_id":1,"api_token":"tok-SECRET","webhook_secret":"s","cache_ttl":"30s","reconcile_every":"5m","sync":{"inbox_id":3,"labels":{"*":["whatsapp"]},"attributes":{"channel":"last_channel"}}}"#) == nil)
    }

    @Test func theTrioComesTogether() {
        #expect(Self.error(#"{"base_url":"https://cw.example.com"}"#)?.contains("plugins.chatwoot.config.account_id") == true)
        #expect(Self.error(#"{"base_url":"https://cw.example.com","account_id":1}"#)?.contains("plugins.chatwoot.config.api_token") == true)
        #expect(Self.error(#"{"api_token":"tok-SECRET"}"#)?.contains("plugins.chatwoot.config.base_url") == true)
    }

    @Test func badValuesNameTheirPath() {
        #expect(Self.error(#"{"base_url":"cw.example.com","account_id":1,"api_token":"t"}"#)?.contains("config.base_url") == true)
        #expect(Self.error(#"{"base_url":"https://cw.example.com","account_id":0,"api_token":"t"}"#)?.contains("config.account_id") == true)
        #expect(Self.error(#"{"base_url":"https://cw.example.com","account_id":"1","api_token":"t"}"#)?.contains("config.account_id") == true)
        #expect(Self.error(#"{"cache_ttl":"soon"}"#)?.contains("config.cache_ttl") == true)
        #expect(Self.error(#"{"api_key":"x"}"#)?.contains("config.api_key") == true)
        #expect(Self.error(#"{"base_url":"https://cw.example.com","account_id":1,"api_token":"t","reconcile_every":"5s"}"#)?.contains("config.reconcile_every") == true)
        #expect(Self.error(#"{"sync":{"inbox_id":3}}"#)?.contains("config.sync.enabled") == true)   // sync needs the API client
        let blank = Self.error(#"{"base_url":"https://cw.example.com","account_id":1,"api_token":"has SECRET space"}"#)
        #expect(blank?.contains("config.api_token") == true && blank?.contains("SECRET") == false)
    }
}
