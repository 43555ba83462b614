import XCTest
@testable import Tributary

final class IdentifyTests: XCTestCase {
    func testScalarsTakenAsNFCStableAreStable() {
        // Each scalar alone, after a letter, and before a combining mark: NFC must leave the first two
        // untouched, and the third only where the mark itself composes with it.
        var checked = 0
        for value in UInt32(0x80)...0x21FF {
            guard let scalar = Unicode.Scalar(value), ContentFingerprint.isStableUnderNFC(scalar) else { continue }
            let alone = String(Character(scalar))
            XCTAssertEqual(alone.precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value), [value], "U+\(String(value, radix: 16))")
            XCTAssertEqual(scalar.properties.canonicalCombiningClass, .notReordered, "U+\(String(value, radix: 16))")
            let pair = "a" + alone
            XCTAssertEqual(pair.precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value), [0x61, value], "a U+\(String(value, radix: 16))")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 900)
        // Text outside the list still goes through Foundation: a decomposed é is composed.
        XCTAssertEqual(ContentFingerprint.normalize("Cafe\u{301} cafe\u{301}"), "caf\u{E9} caf\u{E9}")
        XCTAssertEqual(ContentFingerprint.normalize("Café Déjà Vu"), "café déjà vu")
    }

    func testCanonicalURLVariantsAgree() {
        let base = CanonicalURL.key("https://www.dawn.com/news/1234?id=5")
        XCTAssertNotNil(base)
        for variant in [
            "http://www.dawn.com/news/1234?id=5",
            "https://WWW.Dawn.com:443/news/1234?id=5#comments",
            "https://dawn.com/news/1234?utm_source=rss&id=5&utm_medium=feed",
            "https://www.dawn.com/news/1234?id=5&fbclid=abc&gclid=def",
            "  https://www.dawn.com/news/1234?id=5  ",
        ] {
            XCTAssertEqual(CanonicalURL.key(variant), base, variant)
        }
    }

    func testCanonicalURLKeepsWhatMatters() {
        XCTAssertNotEqual(CanonicalURL.key("https://a.example/news/1"), CanonicalURL.key("https://a.example/news/2"))
        XCTAssertNotEqual(CanonicalURL.key("https://a.example/p?id=1"), CanonicalURL.key("https://a.example/p?id=2"))
        XCTAssertNotEqual(CanonicalURL.key("https://a.example:8080/p"), CanonicalURL.key("https://a.example/p"))
        XCTAssertEqual(CanonicalURL.key("https://a.example"), "//a.example/")
        XCTAssertNil(CanonicalURL.key("mailto:x@y.z"))
        XCTAssertNil(CanonicalURL.key("/relative/path"))
    }

    func testFingerprintIgnoresMarkupCaseAndTitleForLongTexts() {
        let text = storyText("wire")
        let a = ContentFingerprint.of(title: "Quake hits region - Dawn", text: "<p>\(text)</p>")
        let b = ContentFingerprint.of(title: "Quake hits region | Reuters", text: text.uppercased().replacingOccurrences(of: " ", with: "  \n"))
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
    }

    func testShortTextsNeedTheTitleToo() {
        let a = ContentFingerprint.of(title: "Breaking: markets fall", text: "More soon.")
        let b = ContentFingerprint.of(title: "Breaking: storm warning", text: "More soon.")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a, ContentFingerprint.of(title: "breaking:  MARKETS fall", text: "More&#32;soon."))
    }

    func testSHA256() {
        XCTAssertEqual(ContentFingerprint.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

final class StoreTests: XCTestCase {
    var store: FeedStore!
    var feeds: [FeedRecord] = []
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    override func setUpWithError() throws {
        let folder = try makeTemporaryFolder(self)
        store = try FeedStore(path: folder.appendingPathComponent("db.sqlite").path)
        feeds = try store.syncFeeds([
            FeedSettings(name: "A", url: "https://a.example/feed", interval: nil, tags: [], userAgent: nil),
            FeedSettings(name: "B", url: "https://b.example/feed", interval: nil, tags: [], userAgent: nil),
        ])
    }

    func state(_ at: Date? = nil) -> FeedPollState {
        FeedPollState(lastPollAt: at ?? now, lastStatus: 200)
    }

    func commit(_ feed: Int, _ items: [FeedItem], at: Date? = nil) throws -> IngestCounts {
        try store.commit(feedID: feeds[feed].id, feedURL: feeds[feed].url, state: state(at),
                         parsed: ParsedFeed(format: .rss20, items: items))
    }

    func item(_ id: String, title: String, link: String, text: String, date: Date? = nil) -> FeedItem {
        FeedItem(id: id, link: link, title: title, published: date, summary: text)
    }

    func testNewThenUnchanged() throws {
        let items = [item("1", title: "One", link: "https://a.example/1", text: storyText("1")),
                     item("2", title: "Two", link: "https://a.example/2", text: storyText("2"))]
        XCTAssertEqual(try commit(0, items).new, 2)
        let again = try commit(0, items)
        XCTAssertEqual(again.new, 0)
        XCTAssertEqual(again.unchanged, 2)
        XCTAssertEqual(try store.itemCount(), 2)
    }

    func testSameStoryFromAnotherOutletIsStoredOnceAndBothOutletsRemembered() throws {
        _ = try commit(0, [item("a1", title: "Quake - A", link: "https://a.example/quake", text: storyText("q"))])
        let byURL = try commit(1, [item("b1", title: "Quake", link: "http://www.a.example/quake?utm_source=x", text: "other")])
        XCTAssertEqual(byURL.duplicate, 1)
        let byText = try commit(1, [item("b2", title: "Quake | B", link: "https://b.example/q", text: "<p>\(storyText("q"))</p>")])
        XCTAssertEqual(byText.duplicate, 1)
        XCTAssertEqual(try store.itemCount(), 1)
        let entries = try store.entries(feedIDs: feeds.map(\.id), limit: 10, notBefore: nil)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].sourceFeedID, feeds[0].id)
        XCTAssertEqual(entries[0].carriers.map(\.feedID), [feeds[0].id, feeds[1].id, feeds[1].id])
    }

    func testEditedHeadlineUpdatesInPlace() throws {
        _ = try commit(0, [item("1", title: "Draft headline", link: "https://a.example/1", text: storyText("1"))])
        let before = try store.entries(feedIDs: [feeds[0].id], limit: 10, notBefore: nil)
        let counts = try commit(0, [item("1", title: "Final headline", link: "https://a.example/1", text: storyText("1"))],
                                at: now.addingTimeInterval(600))
        XCTAssertEqual(counts.updated, 1)
        let after = try store.entries(feedIDs: [feeds[0].id], limit: 10, notBefore: nil)
        XCTAssertEqual(after.count, 1)
        XCTAssertEqual(after[0].entryID, before[0].entryID)
        XCTAssertEqual(after[0].title, "Final headline")
        XCTAssertGreaterThan(after[0].updated, before[0].updated)
    }

    func testChurningContentCausesBoundedUpdates() throws {
        var updates = 0
        for poll in 0..<20 {
            let text = storyText("s") + " <img src=\"https://a.example/px?token=\(UUID().uuidString)\">"
            let counts = try commit(0, [item("1", title: "Same", link: "https://a.example/1", text: text)],
                                    at: now.addingTimeInterval(Double(poll) * 60))
            updates += counts.updated
        }
        XCTAssertEqual(try store.itemCount(), 1)
        XCTAssertLessThanOrEqual(updates, FeedStore.maxChurnRevisions)
    }

    func testChurningTimestampsAreNotUpdates() throws {
        for poll in 0..<5 {
            let at = now.addingTimeInterval(Double(poll) * 600)
            var churning = item("1", title: "Stable", link: "https://a.example/s", text: storyText("s"))
            churning.updated = at // an <updated> that moves on every fetch with nothing else changed
            let counts = try commit(0, [churning], at: at)
            XCTAssertEqual(counts.updated, 0)
        }
        XCTAssertEqual(try store.itemCount(), 1)
    }

    func testFutureDateIsClampedToFirstSeen() throws {
        _ = try commit(0, [item("1", title: "From the future", link: "https://a.example/f", text: storyText("f"),
                                date: now.addingTimeInterval(86400 * 30))])
        let entry = try XCTUnwrap(store.entries(feedIDs: [feeds[0].id], limit: 1, notBefore: nil).first)
        XCTAssertEqual(entry.effectiveAt, now)
    }

    func testPrunedStoryDoesNotComeBack() throws {
        let old = item("1", title: "Old", link: "https://a.example/old", text: storyText("old"), date: now.addingTimeInterval(-200 * 86400))
        _ = try commit(0, [old], at: now.addingTimeInterval(-200 * 86400))
        XCTAssertEqual(try store.prune(olderThan: now.addingTimeInterval(-90 * 86400), keeping: [], now: now,
                                       tombstoneLifetime: 365 * 86400), 1)
        XCTAssertEqual(try store.itemCount(), 0)
        let counts = try commit(0, [old])
        XCTAssertEqual(counts.new, 0)
        XCTAssertEqual(counts.tombstoned, 1)
        let viaOtherOutlet = try commit(1, [item("x", title: "Old", link: "https://a.example/old", text: "t")])
        XCTAssertEqual(viaOtherOutlet.tombstoned, 1)
        XCTAssertEqual(try store.itemCount(), 0)
    }

    func testMintedEntryIDsAreStableIRIs() throws {
        _ = try commit(0, [item("12345", title: "Numeric guid", link: "https://a.example/n", text: storyText("n"))])
        _ = try commit(1, [item("12345", title: "Same numeric guid elsewhere", link: "https://b.example/n", text: storyText("m"))])
        let entries = try store.entries(feedIDs: feeds.map(\.id), limit: 10, notBefore: nil)
        XCTAssertEqual(entries.count, 2)
        XCTAssertTrue(entries.allSatisfy { $0.entryID.hasPrefix("tag:") })
        XCTAssertNotEqual(entries[0].entryID, entries[1].entryID)
    }

    func testStatementCacheStaysBoundedAcrossManyOutputWrites() throws {
        for i in 0..<50 {
            _ = try commit(i % 2, [item("c\(i)", title: "Story \(i)", link: "https://a.example/c\(i)", text: storyText("c\(i)"))],
                           at: now.addingTimeInterval(Double(i)))
            _ = try store.entries(feedIDs: feeds.map(\.id), limit: 10, notBefore: nil)
        }
        let settled = store.db.cachedStatementCount
        for _ in 0..<50 { _ = try store.entries(feedIDs: feeds.map(\.id), limit: 10, notBefore: nil) }
        XCTAssertEqual(store.db.cachedStatementCount, settled, "SQL built from id lists is not cached")
        XCTAssertLessThan(settled, 40)
    }

    func testMigrationsAreIdempotentAndIntegrityHolds() throws {
        let path = store.db.path
        store.close()
        let reopened = try FeedStore(path: path)
        XCTAssertEqual(try reopened.integrityCheck(), "ok")
        XCTAssertEqual(try reopened.db.scalar("PRAGMA user_version"), Schema.migrations.count)
    }
}
