import Foundation
import FuzzSupport
@testable import Tributary

/// Any bytes: the feed parser returns a feed or an error, never crashes, hangs or leaks.
@_cdecl("FuzzFeedParser_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Data(bytes: data, count: count)
    if let feed = try? FeedParser().parse(bytes, baseURL: "https://fuzz.example/feed") {
        // What the store and the outputs do with every item.
        for item in feed.items {
            _ = ContentFingerprint.of(title: item.title, text: item.summary ?? item.content, date: item.published)
            _ = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
        }
    }
    return 0
}
