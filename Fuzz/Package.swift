// swift-tools-version:6.0
// libFuzzer targets for the parts that read untrusted bytes, in one executable (`FUZZ_TARGET` picks the
// target). Built apart from the main package, since a fuzz binary's main is libFuzzer's driver:
// scripts/fuzz.sh builds and runs it.
import PackageDescription

let package = Package(
    name: "TributaryFuzz",
    dependencies: [.package(name: "Tributary", path: "..")],
    targets: [
        .executableTarget(
            name: "TributaryFuzz",
            dependencies: [.product(name: "Tributary", package: "Tributary")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
