import PluginAPI

/// The plugin names PluginAPI's JSON value as the rest of its code knows it.
typealias JSONValue = JSONDocument
