// swift-tools-version:6.0
// Switchboard: a self-hosted integration host. No Swift package dependencies:
// the toolchain plus system C libraries through module maps (see README).
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let plugins = ["MetaFlow", "Chatwoot", "Wasender", "CloudTalk", "Integrity"]

let package = Package(
    name: "Switchboard",
    products: [
        .library(name: "PluginAPI", targets: ["PluginAPI"]),
        .library(name: "SwitchboardKernel", targets: ["Kernel"]),
        .library(name: "PluginTesting", targets: ["PluginTesting"]),
        // The built-in plugins' list, for custom builds (Examples/EchoChannel).
        .library(name: "SwitchboardBuiltinPlugins", targets: ["BuiltinPlugins"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    targets: [
        // System libraries through module maps.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        // Our own small C shim: epoll, eventfd, accept4 and friends that Glibc does not export cleanly.
        .target(name: "CShims", path: "Sources/CShims"),
        // Typed wrappers for libcurl's variadic setopt/getinfo (Swift cannot call C varargs);
        // separate from CShims so that one stays free of libcurl.
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),

        .target(name: "PluginAPI", path: "Sources/PluginAPI", swiftSettings: strict),
        .target(
            name: "Kernel",
            dependencies: ["PluginAPI", "CShims", "COpenSSL", "CSQLite", "CPostgres", "CCurl", "CCurlShim"],
            path: "Sources/Kernel",
            swiftSettings: strict
        ),
        .target(name: "PluginTesting", dependencies: ["PluginAPI", "Kernel"], path: "Sources/PluginTesting", swiftSettings: strict),
        .target(name: "BuiltinPlugins", dependencies: ["PluginAPI"] + plugins.map { .target(name: $0) },
                path: "Sources/BuiltinPlugins", swiftSettings: strict),
        .executableTarget(
            name: "switchboard",
            dependencies: ["Kernel", "BuiltinPlugins"],
            path: "Sources/switchboard",
            swiftSettings: strict
        ),
        // `swift run -c release phone-bench`: resolve and learn timings (Benchmarks/README.md).
        .executableTarget(
            name: "phone-bench",
            dependencies: ["Kernel", "PluginAPI", "PluginTesting", "TestPlugins"],
            path: "Benchmarks/PhoneBench",
            swiftSettings: strict
        ),
        // A fake HTTP/1.1 server on loopback for outbound-HTTP tests (the kernel's client, the
        // plugins' Graph API, Wasender and Chatwoot fakes).
        .target(name: "TestHTTPServer", path: "Tests/TestHTTPServer"),
        // Test-only plugins and a custom build that includes them (process-level tests).
        .target(name: "TestPlugins", dependencies: ["PluginAPI"], path: "Tests/TestPlugins", swiftSettings: strict),
        .executableTarget(
            name: "switchboard-test-host",
            dependencies: ["Kernel", "TestPlugins", "BuiltinPlugins"],
            path: "Tests/TestHost",
            swiftSettings: strict
        ),
        .testTarget(name: "PluginAPITests", dependencies: ["PluginAPI"], path: "Tests/PluginAPITests"),
        .testTarget(name: "PluginTestingTests", dependencies: ["PluginTesting", "PluginAPI", "TestPlugins"], path: "Tests/PluginTestingTests"),
        // Runs the built binary as a child process; depends on it so `swift build --build-tests` builds it.
        .testTarget(name: "SwitchboardCLITests", dependencies: ["switchboard", "switchboard-test-host", "PluginTesting", "TestPlugins", "PluginAPI", "MetaFlow", "TestHTTPServer"],
                    path: "Tests/SwitchboardCLITests"),
        .testTarget(
            name: "KernelTests",
            dependencies: ["Kernel", "PluginAPI", "PluginTesting", "TestPlugins", "TestHTTPServer"],
            path: "Tests/KernelTests",
            resources: [.copy("Fixtures")]
        ),
        // The Flow endpoint: the shared vectors in-process and over loopback, and a Python client
        // (`cryptography`) against the built binary, which is why `switchboard` is a dependency.
        .testTarget(
            name: "MetaFlowTests",
            dependencies: ["MetaFlow", "Chatwoot", "PluginAPI", "PluginTesting", "Kernel", "switchboard", "TestHTTPServer"],
            path: "Tests/MetaFlowTests",
            resources: [.copy("Fixtures")]
        ),
        // The Chatwoot client and strategy against a fake Chatwoot on loopback, through the real
        // outbound client (libcurl) inside a real kernel.
        .testTarget(
            name: "ChatwootTests",
            dependencies: ["Chatwoot", "PluginAPI", "PluginTesting", "Kernel", "TestPlugins", "TestHTTPServer"],
            path: "Tests/ChatwootTests",
            resources: [.copy("Fixtures")]
        ),
        // The Wasender channel against a fake Wasender API on loopback (real libcurl client), and
        // the webhook from the shared sample payloads.
        .testTarget(
            name: "WasenderTests",
            dependencies: ["Wasender", "PluginAPI", "PluginTesting", "Kernel", "TestHTTPServer"],
            path: "Tests/WasenderTests",
            resources: [.copy("Fixtures")]
        ),
        // /openapi.json and the route-wide security sweep: a kernel with every built-in plugin enabled.
        .testTarget(
            name: "OpenAPITests",
            dependencies: ["Kernel", "PluginAPI", "PluginTesting", "BuiltinPlugins"],
            path: "Tests/OpenAPITests"
        ),
        // Integrity: the report, alerts (posted to a fake receiver on loopback through the real
        // client), the review queue and the live stream, in-process and over a socket.
        .testTarget(
            name: "IntegrityTests",
            dependencies: ["Integrity", "Wasender", "PluginAPI", "PluginTesting", "Kernel", "TestPlugins", "TestHTTPServer"],
            path: "Tests/IntegrityTests"
        ),
        // CloudTalk with Wasender: the webhook from the sample payloads, the rule, delayed follow-ups
        // and cooldowns on a manual clock, reply tracking; end to end on a real server on loopback.
        .testTarget(
            name: "CloudTalkTests",
            dependencies: ["CloudTalk", "Wasender", "MetaFlow", "Chatwoot", "Integrity", "PluginAPI", "PluginTesting", "Kernel",
                           "TestHTTPServer"],
            path: "Tests/CloudTalkTests",
            resources: [.copy("Fixtures")]
        ),
    ] + plugins.map { name in
        // Integration plugins: PluginAPI only (explicit path: `Plugins/` is also SwiftPM's folder for package plugins).
        .target(name: name, dependencies: ["PluginAPI"], path: "Plugins/\(name)", swiftSettings: strict)
    },
    swiftLanguageModes: [.v6]
)
