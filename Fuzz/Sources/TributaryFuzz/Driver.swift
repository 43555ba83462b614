import Foundation

/// One fuzz target: bytes in, and any crash, hang, leak or failed check is a finding.
typealias FuzzTarget = @Sendable (UnsafeBufferPointer<UInt8>) -> Void

let fuzzTargets: [String: FuzzTarget] = [
    "feed-parser": fuzzFeedParser,
    "html-sanitizer": fuzzHTMLSanitizer,
    "config": fuzzConfig,
    "opml": fuzzOPML,
    "serve-request": fuzzServeRequest,
    "zone-table": fuzzZoneTable,
]

nonisolated(unsafe) var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    selectedTarget?(UnsafeBufferPointer(start: data, count: count))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<Target>_main`: pick the target, then hand over to
/// libFuzzer's driver.
@_cdecl("TributaryFuzz_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = fuzzTargets[name] else {
        FileHandle.standardError.write(Data("FUZZ_TARGET must be one of: \(fuzzTargets.keys.sorted().joined(separator: ", "))\n".utf8))
        return 2
    }
    selectedTarget = target
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, testOneInput)
}
