// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "ff", platforms: [.macOS(.v13)],
  dependencies: [.package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1")],
  targets: [.executableTarget(name: "ff", dependencies: [.product(name: "FlyingFox", package: "FlyingFox")])])
