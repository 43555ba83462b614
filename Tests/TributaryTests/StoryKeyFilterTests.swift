import Foundation
import XCTest
@testable import Tributary

final class StoryKeyFilterTests: XCTestCase {
    func testFilterNeverForgetsAKeyAndRarelyClaimsOne() throws {
        var generator = SystemRandomNumberGenerator()
        let filter = try XCTUnwrap(StoryKeyFilter(capacity: 50_000))
        let present = (0..<50_000).map { _ in Int64.random(in: .min ... .max, using: &generator) }
        for key in present { filter.insert(key) }
        XCTAssertFalse(filter.isFull)
        XCTAssertTrue(present.allSatisfy { filter.mayContain($0) }, "a filed key is never reported absent")
        // Keys made the way StoryKey makes them (FNV-1a of similar URLs), which share most of their bits.
        let absent = (0..<100_000).map { StoryKey.url.of("https://news.example/2026/12/story-\($0)") }
        let claimed = absent.filter { filter.mayContain($0) }.count
        XCTAssertLessThan(Double(claimed) / Double(absent.count), 0.01, "\(claimed) false positives in 100,000")
        for key in absent.prefix(filter.capacity) { filter.insert(key) }
        XCTAssertTrue(filter.isFull, "past its capacity the filter asks to be rebuilt")
    }

    /// Two stores take the same polls, one with the filter from its first look-up, one without it: every
    /// decision and every stored row must be the same. The polls re-list items, re-publish one outlet's
    /// story under another's URL or text, list one guid twice, and are stored in batches and alone.
    func testStoresWithAndWithoutTheFilterAgree() throws {
        let folder = try makeTemporaryFolder(self)
        let settings = (0..<4).map { FeedSettings(name: "F\($0)", url: "https://f\($0).example/feed", interval: nil, tags: [], userAgent: nil) }
        var stores: [FeedStore] = []
        for (k, lookUps) in [1, Int.max].enumerated() {
            let store = try FeedStore(path: folder.appendingPathComponent("db\(k).sqlite").path)
            store.keyFilterMinimumLookUps = lookUps
            stores.append(store)
        }
        let feeds = try stores.map { try $0.syncFeeds(settings) }
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        var generator = ParserRobustnessTests.SeededGenerator(state: 7)
        for round in 0..<60 {
            let batched = round % 3 != 0
            if batched { stores.forEach { $0.beginBatch() } }
            for feed in 0..<4 {
                var items: [FeedItem] = []
                for _ in 0..<Int.random(in: 20...40, using: &generator) {
                    // Stories 0..<800: the same story number is the same URL or text whichever feed lists it.
                    let story = Int.random(in: 0..<800, using: &generator)
                    let own = "https://f\(feed).example/\(story)"
                    let shared = "https://wire.example/\(story)"
                    let link = Bool.random(using: &generator) ? shared : own
                    let text = Int.random(in: 0..<3, using: &generator) == 0 ? storyText("own \(feed) \(story)") : storyText("wire \(story)")
                    items.append(FeedItem(id: "g\(feed)-\(story)", link: link, title: "Story \(story)",
                                          published: now.addingTimeInterval(Double(story)), summary: text))
                }
                if let first = items.first { items.append(first) }
                let state = FeedPollState(lastPollAt: now.addingTimeInterval(Double(round * 60)), lastStatus: 200)
                let counts = try stores.map { store in
                    try store.commit(feedID: feeds[0][feed].id, feedURL: feeds[0][feed].url, state: state,
                                     parsed: ParsedFeed(format: .rss20, items: items))
                }
                XCTAssertEqual(counts[0], counts[1], "round \(round), feed \(feed)")
            }
            if batched { try stores.forEach { try $0.commitBatch() } }
        }
        try stores.forEach { try $0.endBatch() }
        XCTAssertNotNil(stores[0].keyFilter, "the first store answered from its filter")
        XCTAssertNil(stores[1].keyFilter)
        func rows(_ store: FeedStore) throws -> [String] {
            var out: [String] = []
            try store.db.query("""
                SELECT i.id, i.entry_id, i.canonical_url, i.fingerprint, s.feed_id, s.guid, s.layer FROM items i
                JOIN item_sources s ON s.item_id = i.id ORDER BY s.feed_id, s.guid
                """) { row in
                out.append((0..<7).map { row.text($0) ?? "-" }.joined(separator: "|"))
            }
            return out
        }
        let stored = try rows(stores[0])
        XCTAssertGreaterThan(stored.count, 1_000)
        XCTAssertEqual(stored, try rows(stores[1]))
        XCTAssertEqual(try stores[0].itemCount(), try stores[1].itemCount())
    }

    /// Another process storing polls in the same database files keys this store's filter never saw: the
    /// store must notice its commit and stop trusting the filter.
    func testAnotherWritersStoriesAreStillFound() throws {
        let path = try makeTemporaryFolder(self).appendingPathComponent("db.sqlite").path
        let settings = (0..<3).map { FeedSettings(name: "F\($0)", url: "https://f\($0).example/feed", interval: nil, tags: [], userAgent: nil) }
        let mine = try FeedStore(path: path)
        mine.keyFilterMinimumLookUps = 1
        let feeds = try mine.syncFeeds(settings)
        let other = try FeedStore(path: path)
        let state = FeedPollState(lastPollAt: Date(timeIntervalSince1970: 1_750_000_000), lastStatus: 200)
        func poll(_ store: FeedStore, _ feed: Int, _ link: String, _ text: String) throws -> IngestCounts {
            try store.commit(feedID: feeds[feed].id, feedURL: feeds[feed].url, state: state,
                             parsed: ParsedFeed(format: .rss20, items: [FeedItem(id: link, link: link, title: "T", summary: storyText(text))]))
        }
        XCTAssertEqual(try poll(mine, 0, "https://f0.example/a", "a").new, 1)
        XCTAssertNotNil(mine.keyFilter)
        XCTAssertEqual(try poll(other, 1, "https://f1.example/b", "b").new, 1)
        XCTAssertEqual(try poll(mine, 2, "https://f1.example/b", "c").duplicate, 1, "found by the URL the other store filed")
        XCTAssertEqual(try poll(mine, 2, "https://f2.example/d", "b").duplicate, 1, "found by the text the other store filed")
    }
}
