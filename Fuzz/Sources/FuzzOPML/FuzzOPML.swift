import Foundation
import FuzzSupport
@testable import Tributary

/// Any bytes as an OPML subscription list: feeds or an error, and what is read writes back out.
@_cdecl("FuzzOPML_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    if let feeds = try? OPML.feeds(from: Data(bytes: data, count: count)) {
        _ = OPML.document(feeds: feeds, title: "fuzz")
        _ = FeedTableWriter.toml(feeds)
    }
    return 0
}
