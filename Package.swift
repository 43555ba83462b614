// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tributary",
    products: [
        .executable(name: "tributary", targets: ["tributary"]),
        .library(name: "Tributary", targets: ["Tributary"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C libraries, each through a module map and pkg-config.
        // libcurl is not linked: CCurlShim loads it on first use (start-up cost; see CCurlShim.c).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // SQLite and libcrypto are opened on first use too: CSQLiteShim and CCryptoShim forward to them.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        // Not linked either: CMicroHTTPDShim loads it on first use.
        .systemLibrary(name: "CMicroHTTPD", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Stored article bodies are zstd frames (libzstd is in the process already, through libcurl).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Response bodies are inflated here rather than by libcurl: libdeflate is about three times zlib's speed.
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // Typed, non-variadic wrappers around curl_easy_setopt and friends.
        .target(name: "CCurlShim", dependencies: ["CCurl", "CLazyLibrary"]),
        // Opens a shared library on first use (libcurl, libmicrohttpd).
        .target(name: "CLazyLibrary"),
        .target(name: "CSQLiteShim", dependencies: ["CSQLite", "CLazyLibrary"]),
        .target(name: "CCryptoShim", dependencies: ["CCrypto", "CLazyLibrary"]),
        // One typed entry point for libmicrohttpd's variadic MHD_start_daemon.
        .target(name: "CMicroHTTPDShim", dependencies: ["CMicroHTTPD", "CLazyLibrary"]),
        .target(
            name: "Tributary",
            dependencies: [
                "CCurl", "CCurlShim", "CLibXML2", "CSQLite", "CSQLiteShim", "CCrypto", "CCryptoShim", "CMicroHTTPD", "CMicroHTTPDShim", "CZlib", "CZstd", "CDeflate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "tributary",
            dependencies: [
                "Tributary",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "tributary-bench",
            dependencies: ["Tributary", "CSQLite", "CLibXML2"],
            path: "Benchmarks/TributaryBench"
        ),
        .testTarget(
            name: "TributaryTests",
            dependencies: ["Tributary"],
            exclude: ["Fixtures"]
        ),
    ]
)
