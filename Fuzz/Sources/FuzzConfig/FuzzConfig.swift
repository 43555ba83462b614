import Foundation
import FuzzSupport
@testable import Tributary

/// Any text as `feeds.toml`: a configuration or a located error, never a crash.
@_cdecl("FuzzConfig_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: count), as: UTF8.self) else { return 0 }
    if let config = try? ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/srv/fuzz/feeds.toml") {
        // Every accepted value must be usable by the scheduler without overflow.
        let planner = PollPlanner(poll: config.poll)
        for feed in config.feeds {
            _ = planner.nextAfterFailure(feed: feed, failures: 30, now: Date())
            _ = planner.nextAfterSuccess(feed: feed, now: Date(), hint: nil)
            _ = DurationText.format(planner.interval(for: feed))
        }
        _ = Int(config.poll.timeout * 1000)
        _ = FeedTableWriter.toml(config.feeds)
    }
    return 0
}
