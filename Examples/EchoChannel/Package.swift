// swift-tools-version:6.0
// An out-of-tree channel plugin and a custom Switchboard build that includes it, the way a
// third party extends Switchboard without forking it (docs/plugins.md walks through it).
import Foundation
import PackageDescription

// Switchboard is the repository two levels up. SwiftPM names a path dependency after its
// directory, which is whatever the clone is called, so that name is read, not written out.
// A package outside the repository depends on it by URL instead and names it "switchboard":
//     .package(url: "https://example.com/switchboard.git", from: "0.1.0")
let switchboardPath = "../.."
let switchboard = URL(fileURLWithPath: Context.packageDirectory)
    .appendingPathComponent(switchboardPath).standardizedFileURL.lastPathComponent

let package = Package(
    name: "EchoChannel",
    products: [
        .library(name: "EchoChannel", targets: ["EchoChannel"]),
        .executable(name: "echo-switchboard", targets: ["echo-switchboard"]),
    ],
    dependencies: [
        .package(path: switchboardPath),
    ],
    targets: [
        // The plugin: PluginAPI only, like every Switchboard plugin.
        .target(name: "EchoChannel", dependencies: [.product(name: "PluginAPI", package: switchboard)]),
        // The custom build: the built-in plugins plus this one.
        .executableTarget(name: "echo-switchboard", dependencies: [
            "EchoChannel",
            .product(name: "SwitchboardKernel", package: switchboard),
            .product(name: "SwitchboardBuiltinPlugins", package: switchboard),
        ]),
        // Tests written only against PluginTesting (the in-process host).
        .testTarget(name: "EchoChannelTests", dependencies: [
            "EchoChannel",
            .product(name: "PluginAPI", package: switchboard),
            .product(name: "PluginTesting", package: switchboard),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
