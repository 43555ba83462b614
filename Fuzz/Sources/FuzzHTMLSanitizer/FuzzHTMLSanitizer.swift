import Foundation
import FuzzSupport
@testable import Tributary

/// Any text as an item body: sanitizing never crashes, and whenever the one-pass fast path takes a
/// fragment, its result is exactly libxml2's (the guarantee the fast path is built on).
@_cdecl("FuzzHTMLSanitizer_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let html = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let sanitized = HTMLSanitizer.sanitize(html, base: "https://fuzz.example/a/")
    var copy = html
    if let fast = copy.withUTF8({ WellNestedFragment.sanitize($0, base: "https://fuzz.example/a/") }) {
        let reference = HTMLSanitizer.sanitizeWithLibXML(html, base: "https://fuzz.example/a/")
        if fast != reference {
            fatalError("fast path differs from libxml2:\n input: \(html.debugDescription)\n fast: \(fast.debugDescription)\n libxml2: \(reference.debugDescription)")
        }
    }
    var text = sanitized
    _ = text.withUTF8 { WellNestedFragment.text($0) }
    _ = PlainText.fromHTML(html)
    return 0
}
