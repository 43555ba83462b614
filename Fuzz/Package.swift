// swift-tools-version:6.0
// libFuzzer targets for the parts that read untrusted bytes. Built apart from the main package, since a
// fuzz target has no main of its own:  scripts/fuzz.sh builds and runs them.
import PackageDescription

let targets = ["FuzzFeedParser", "FuzzHTMLSanitizer", "FuzzConfig", "FuzzOPML"]
let package = Package(
    name: "TributaryFuzz",
    dependencies: [.package(name: "Tributary", path: "..")],
    targets: [.target(name: "FuzzSupport")] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "Tributary", package: "Tributary")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
