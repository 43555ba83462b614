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

    func testOnePassFoldingMatchesTheScalarPath() {
        // Every NFC-stable scalar, between letters of both cases, in both paths.
        var compared = 0
        for value in UInt32(0x20)...0x21FF {
            guard let scalar = Unicode.Scalar(value), ContentFingerprint.isStableUnderNFC(scalar) else { continue }
            var text = "Ab" + String(Character(scalar)) + "Zé"
            let fast = text.withUTF8 { ContentFingerprint.foldedInOnePass($0) }
            XCTAssertEqual(fast, ContentFingerprint.foldedByScalars(text), "U+\(String(value, radix: 16))")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 900)
        var quoted = "\u{201C}KARACHI\u{201D} \u{2014} Ölpreis \u{2018}ÆØÅ\u{2019}\u{2026} \u{2160}"
        XCTAssertEqual(quoted.withUTF8 { ContentFingerprint.foldedInOnePass($0) }, "\"karachi\" - ölpreis 'æøå'... \u{2170}")
        // The one scalar of the list whose small letter is longer in UTF-8 (U+0130: 2 bytes to 3), alone.
        var dotted = String(repeating: "\u{130}", count: 40)
        XCTAssertEqual(dotted.withUTF8 { ContentFingerprint.foldedInOnePass($0) }, ContentFingerprint.foldedByScalars(dotted))
        XCTAssertEqual(dotted.withUTF8 { ContentFingerprint.foldedInOnePass($0) }?.utf8.count, 120)
        // Scripts outside the stable list take the scalar path.
        var urdu = "کراچی"
        XCTAssertNil(urdu.withUTF8 { ContentFingerprint.foldedInOnePass($0) })
    }

    func testASCIIPathsMatchTheGeneralOnes() {
        let urls = [
            "https://www.dawn.com/news/1234?id=5", "HTTP://WWW.Dawn.COM:80/a/b?utm_source=x&b=2&&FBCLID=3#frag",
            "https://user:pw@Example.org:8443/p?q", "https://[::1]:8080/x", "https://[::1]/x", "http://example.com.",
            "https://www./x", "https://host:/x", "ftp://example.com/x", "mailto:someone@example.com", "https://a.b?=fbclid&x=1",
            "https://a.b/?share=1&id=2&share", "http://a.b/path#x?y=1", "https://a.b?x", "https://a.b/c?d=e=f&_ga=1",
            "https:///nohost", "http://a.b:443", "xhttp://a.b/", "https://a.b/%41?x=%20",
        ]
        for url in urls {
            var copy = url
            let fast = copy.withUTF8 { CanonicalURL.asciiKey($0) }
            if let fast { XCTAssertEqual(fast, CanonicalURL.generalKey(url), url) }
        }
        XCTAssertEqual(CanonicalURL.key("HTTP://WWW.Dawn.COM:80/a/b?utm_source=x&b=2&&FBCLID=3#frag"), "//dawn.com/a/b?b=2")
        let ids = ["tag:dawn.com,2026:1", "https://a.b/c", "urn:uuid:1234", "1234", ":x", "a:", "a b:c", "x:<y>", "9a:b",
                   "h+t.t-p:x", "h_t:x", "a:\u{b}", "a:\"q\""]
        for id in ids {
            var copy = id
            let fast = copy.withUTF8 { FeedStore.asciiIsIRI($0) }
            XCTAssertNotNil(fast, id)
            let general = id.first!.isASCII && id.first!.isLetter && id.contains(":") && !id.hasSuffix(":") && !id.hasPrefix(":")
                && id[..<id.firstIndex(of: ":")!].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
                && !id.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }
            XCTAssertEqual(fast, general, id)
        }
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
        XCTAssertEqual(ContentFingerprint.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for (a, b) in [("", ""), ("body\u{0}", ""), ("", "abc"), ("body\u{0}", String(repeating: "long text ", count: 300)), ("ä", "中")] {
            XCTAssertEqual(ContentFingerprint.sha256Hex(joining: a, b), ContentFingerprint.sha256Hex(a + b))
        }
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

    func testAGuidListedTwiceInAFeedsFirstPollIsOneItem() throws {
        // The first poll of a feed skips the look-up by guid, except for a guid it has already listed.
        let same = try commit(0, [item("g", title: "One", link: "https://a.example/1", text: storyText("1")),
                                  item("g", title: "One", link: "https://a.example/1", text: storyText("1"))])
        XCTAssertEqual(same.new, 1)
        XCTAssertEqual(same.unchanged, 1)
        let edited = try commit(1, [item("h", title: "Two", link: "https://b.example/2", text: storyText("2")),
                                    item("h", title: "Two, edited", link: "https://b.example/2", text: storyText("2 edited"))])
        XCTAssertEqual(edited.new, 1)
        XCTAssertEqual(edited.updated, 1)
        XCTAssertEqual(try store.itemCount(), 2)
        XCTAssertEqual(try store.entries(feedIDs: feeds.map(\.id), limit: 10, notBefore: nil).compactMap(\.title).sorted(), ["One", "Two, edited"])
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
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM story_keys"), 0, "a pruned item's keys go with it")
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

    func testBatchedPollsCommitTogetherAndAnUncommittedBatchLeavesNothing() throws {
        store.beginBatch()
        _ = try commit(0, [item("b1", title: "One", link: "https://a.example/b1", text: storyText("b1"))])
        _ = try commit(1, [item("b2", title: "Two", link: "https://b.example/b2", text: storyText("b2"))])
        // Another connection (a reader, `status`) sees nothing until the batch commits.
        let reader = try FeedStore(path: store.db.path, readOnly: true)
        XCTAssertEqual(try reader.itemCount(), 0)
        try store.commitBatch()
        XCTAssertEqual(try reader.itemCount(), 2)
        // A poll whose savepoint fails takes back only itself; the rest of the batch still commits.
        _ = try commit(0, [item("b3", title: "Three", link: "https://a.example/b3", text: storyText("b3"))])
        try store.db.execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON items WHEN NEW.title = 'Bad' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        XCTAssertThrowsError(try commit(1, [item("b4", title: "Bad", link: "https://b.example/b4", text: storyText("b4"))]))
        try store.endBatch()
        XCTAssertEqual(try reader.itemCount(), 3)
        // A batch never committed (the process killed) leaves the database as it was.
        store.beginBatch()
        _ = try commit(0, [item("b5", title: "Five", link: "https://a.example/b5", text: storyText("b5"))])
        let path = store.db.path
        store.close()
        store = try FeedStore(path: path)
        XCTAssertEqual(try store.itemCount(), 3)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        reader.close()
    }

    func testABatchHoldsItsKeysUntilItCommitsAndEveryLookUpSeesThem() throws {
        store.beginBatch()
        XCTAssertEqual(try commit(0, [item("k1", title: "One", link: "https://a.example/k1", text: storyText("k1"))]).new, 1)
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM story_keys"), 0, "held back, not yet in the index")
        // Another outlet's copy (same URL) and the same text under another URL are found through the held keys.
        XCTAssertEqual(try commit(1, [item("x1", title: "One again", link: "https://a.example/k1", text: "other words entirely here")]).duplicate, 1)
        XCTAssertEqual(try commit(1, [item("x2", title: "One", link: "https://b.example/elsewhere", text: storyText("k1"))]).duplicate, 1)
        // A poll whose savepoint fails takes its held keys back with its rows.
        try store.db.execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON items WHEN NEW.title = 'Bad' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        XCTAssertThrowsError(try commit(1, [item("k2", title: "Fine", link: "https://b.example/k2", text: storyText("k2")),
                                            item("k3", title: "Bad", link: "https://b.example/k3", text: storyText("k3"))]))
        try store.db.execute("DROP TRIGGER refuse")
        // So the rolled-back story is new when it comes again, not a duplicate of a row that is not there.
        XCTAssertEqual(try commit(1, [item("k2", title: "Fine", link: "https://b.example/k2", text: storyText("k2"))]).new, 1)
        // An edit that changes the URL moves a held key.
        XCTAssertEqual(try commit(0, [item("k1", title: "One, edited", link: "https://a.example/k1-moved", text: storyText("k1"))]).updated, 1)
        try store.endBatch()
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM story_keys"), 6, "two stories, three keys each")
        XCTAssertEqual(try store.storedItem(.url, try XCTUnwrap(CanonicalURL.key("https://a.example/k1-moved"))), try store.storedItem(.text, ContentFingerprint.of(title: "One, edited", text: storyText("k1")) ?? ""))
        XCTAssertNotNil(try store.storedItem(.url, try XCTUnwrap(CanonicalURL.key("https://b.example/k2"))))
        XCTAssertNil(try store.storedItem(.url, try XCTUnwrap(CanonicalURL.key("https://a.example/k1"))), "the old URL's key is gone")
        XCTAssertNil(try store.storedItem(.url, try XCTUnwrap(CanonicalURL.key("https://b.example/k3"))))
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testStoryKeyBufferRollsBackAPollAndDrainsInKeyOrder() {
        var buffer = StoryKeyBuffer()
        buffer.add(key: 9, item: 1)
        buffer.add(key: 3, item: 1)
        buffer.add(key: 9, item: 1)
        buffer.pollCommitted()
        buffer.add(key: 9, item: 2)
        buffer.remove(key: 3, item: 1)
        XCTAssertEqual(buffer.items(under: 9), [2, 1])
        XCTAssertEqual(buffer.items(under: 3), [])
        buffer.pollRolledBack()
        XCTAssertEqual(buffer.items(under: 9), [1])
        XCTAssertEqual(buffer.items(under: 3), [1])
        buffer.add(key: 5, item: 4)
        buffer.remove(key: 9, item: 1)
        buffer.pollCommitted()
        let rows = buffer.drain()
        XCTAssertEqual(rows.map(\.key), [3, 5])
        XCTAssertEqual(rows.map(\.item), [1, 4])
        XCTAssertTrue(buffer.isEmpty)
    }

    func testRevisionsStoredByOlderReleasesStillMatch() throws {
        let story = item("r1", title: "Rev", link: "https://a.example/r1", text: storyText("r1"))
        XCTAssertEqual(try commit(0, [story]).new, 1)
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM items WHERE revision = ?", [.text(RevisionDigest.of(FeedStore.revisionFields(of: story)))]), 1)
        XCTAssertEqual(try store.db.scalar("SELECT length(revision) FROM items"), 33)
        // Older releases kept the SHA-256 of the fields joined by U+001F: its first 32 hex digits, and before
        // that all 64. Neither makes an unchanged item look edited.
        let legacy = ContentFingerprint.sha256Hex(FeedStore.revisionFields(of: story).joined(separator: "\u{1F}"))
        for stored in [String(legacy.prefix(32)), legacy] {
            try store.db.run("UPDATE items SET revision = ?", [.text(stored)])
            XCTAssertEqual(try commit(0, [story]).unchanged, 1, "\(stored.count) digits")
        }
        let edited = item("r1", title: "Rev, edited", link: "https://a.example/r1", text: storyText("r1"))
        XCTAssertEqual(try commit(0, [edited]).updated, 1)
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM items WHERE revision = ?", [.text(RevisionDigest.of(FeedStore.revisionFields(of: edited)))]), 1,
                       "an edit stores the new form")
        XCTAssertEqual(try commit(0, [edited]).unchanged, 1)
    }

    func testRevisionDigestChangesWithAnyFieldAndOnlyThen() {
        let fields = ["Title", "https://a.example/1", "Desk", String(repeating: "Body text. ", count: 40), "", "News", ""]
        let digest = RevisionDigest.of(fields)
        XCTAssertEqual(digest, RevisionDigest.of(fields.map { String($0) }), "the same fields, the same digest")
        XCTAssertEqual(digest.count, 33)
        XCTAssertTrue(digest.hasPrefix("~"))
        var seen: Set<String> = [digest]
        // A byte changed anywhere in any field (every position of the 17-byte title and link, and across the
        // body's 16-byte blocks), a field moved, a byte moved between fields, a trailing NUL.
        for (index, field) in fields.enumerated() {
            let bytes = Array(field.utf8)
            for position in bytes.indices where position < 40 || position % 37 == 0 {
                var changed = bytes
                changed[position] ^= 0x01
                var edited = fields
                edited[index] = String(decoding: changed, as: UTF8.self)
                XCTAssertTrue(seen.insert(RevisionDigest.of(edited)).inserted, "field \(index) byte \(position)")
            }
            var longer = fields
            longer[index] = field + "\u{0}"
            XCTAssertTrue(seen.insert(RevisionDigest.of(longer)).inserted, "field \(index) with a NUL added")
        }
        XCTAssertTrue(seen.insert(RevisionDigest.of(["Titl", "eHTTPS"] + fields.dropFirst(2))).inserted)
        XCTAssertTrue(seen.insert(RevisionDigest.of(["Title", "https://a.example/1"])).inserted)
        XCTAssertTrue(seen.insert(RevisionDigest.of(["", "Title", "https://a.example/1"])).inserted)
        XCTAssertTrue(RevisionDigest.matches(stored: digest, fields: fields, digest: digest))
        XCTAssertFalse(RevisionDigest.matches(stored: RevisionDigest.of(["x"]), fields: fields, digest: digest))
    }

    func testBodiesAreStoredCompressedAndReadBackWhole() throws {
        let long = (0..<40).map { "<p>Paragraph \($0) of the story, with <a href=\"https://a.example/\($0)\">a link</a>.</p>" }.joined()
        _ = try commit(0, [FeedItem(id: "z1", link: "https://a.example/z1", title: "Long", summary: "Short summary.", content: long)])
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM items WHERE typeof(content) = 'blob' AND length(content) < \(long.utf8.count / 2)"), 1)
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM items WHERE typeof(summary) = 'text'"), 1, "short texts stay text")
        // Rows written as text (by an older release) read back the same way.
        try store.db.execute("INSERT INTO items(entry_id, feed_id, title, content, first_seen, effective_at, revision, changed_at) VALUES('urn:old', \(feeds[0].id), 'Old', '<p>old text</p>', 0, 0, 'x', 0)")
        try store.db.execute("INSERT INTO item_sources(feed_id, guid, item_id, first_seen) VALUES(\(feeds[0].id), 'old', last_insert_rowid(), 0)")
        let entries = try store.entries(feedIDs: [feeds[0].id], limit: 10, notBefore: nil)
        XCTAssertEqual(entries.first { $0.title == "Long" }?.content, long)
        XCTAssertEqual(entries.first { $0.title == "Long" }?.summary, "Short summary.")
        XCTAssertEqual(entries.first { $0.title == "Old" }?.content, "<p>old text</p>")
    }

    func testMigrationsAreIdempotentAndIntegrityHolds() throws {
        let path = store.db.path
        store.close()
        let reopened = try FeedStore(path: path)
        XCTAssertEqual(try reopened.integrityCheck(), "ok")
        XCTAssertEqual(try reopened.db.scalar("PRAGMA user_version"), Schema.migrations.count)
    }

    func testItemsAreFoundThroughTheirKeysAndACollidingKeyMergesNothing() throws {
        _ = try commit(0, [item("urn:k1", title: "Keyed", link: "https://a.example/keyed", text: storyText("k1"))])
        XCTAssertEqual(try store.db.scalar("SELECT count(*) FROM story_keys"), 3, "URL, text and entry id")
        XCTAssertEqual(try commit(1, [item("b1", title: "Keyed", link: "https://a.example/keyed?utm_source=x", text: "other words")]).duplicate, 1)
        XCTAssertEqual(try store.explanation(of: "urn:k1")?.title, "Keyed")
        // Another URL whose key collides with a stored item's: the full values differ, so it is a story of its own.
        let stored = try XCTUnwrap(store.db.scalar("SELECT id FROM items"))
        let other = try XCTUnwrap(CanonicalURL.key("https://b.example/other"))
        try store.db.run("INSERT INTO story_keys(key, item_id) VALUES(?, ?)", [.int(StoryKey.url.of(other)), .int(Int64(stored))])
        XCTAssertEqual(try commit(1, [item("b2", title: "Other", link: "https://b.example/other", text: storyText("o"))]).new, 1)
        // An edit that moves the story to another URL files it under the new one only.
        _ = try commit(0, [item("urn:k1", title: "Keyed, moved", link: "https://a.example/moved", text: storyText("k1"))])
        XCTAssertEqual(try commit(1, [item("b3", title: "Keyed", link: "https://a.example/keyed", text: storyText("b3"))]).new, 1)
        XCTAssertEqual(try commit(1, [item("b4", title: "Moved", link: "https://a.example/moved", text: storyText("b4"))]).duplicate, 1)
    }

    func testADatabaseFromBeforeStoryKeysIsFiledUnderThemOnUpgrade() throws {
        let path = try makeTemporaryFolder(self).appendingPathComponent("old.sqlite").path
        let old = try SQLiteDatabase(path: path)
        for migration in Schema.migrations.prefix(Schema.storyKeys - 1) { try old.execute(migration) }
        try old.execute("PRAGMA user_version = \(Schema.storyKeys - 1)")
        try old.execute("INSERT INTO feeds(id, url, name) VALUES(1, 'https://a.example/feed', 'A')")
        let canonical = try XCTUnwrap(CanonicalURL.key("https://a.example/old-story"))
        try old.run("""
            INSERT INTO items(entry_id, feed_id, canonical_url, fingerprint, title, first_seen, effective_at, revision, changed_at)
            VALUES('urn:old-story', 1, ?, 'f00d', 'Old story', 0, 0, 'x', 0)
            """, [.text(canonical)])
        try old.execute("INSERT INTO item_sources(feed_id, guid, item_id, first_seen) VALUES(1, 'urn:old-story', last_insert_rowid(), 0)")
        old.close()
        let upgraded = try FeedStore(path: path)
        XCTAssertEqual(try upgraded.db.scalar("SELECT count(*) FROM story_keys"), 3)
        XCTAssertEqual(try upgraded.integrityCheck(), "ok")
        let feed = try upgraded.syncFeeds([FeedSettings(name: "A", url: "https://a.example/feed", interval: nil, tags: [], userAgent: nil),
                                           FeedSettings(name: "B", url: "https://b.example/feed", interval: nil, tags: [], userAgent: nil)])
        let copy = try upgraded.commit(feedID: feed[1].id, feedURL: feed[1].url, state: state(),
                                       parsed: ParsedFeed(format: .rss20, items: [item("urn:old-story", title: "Old story",
                                                                                       link: "https://a.example/old-story", text: "t")]))
        XCTAssertEqual(copy.duplicate, 1, "the stored item is found by its URL")
        let reused = try upgraded.commit(feedID: feed[1].id, feedURL: feed[1].url, state: state(),
                                         parsed: ParsedFeed(format: .rss20, items: [item("urn:old-story", title: "Another story",
                                                                                         link: "https://b.example/another", text: storyText("an"))]))
        XCTAssertEqual(reused.new, 0, "the same guid from the same feed is the same item")
        XCTAssertEqual(try upgraded.explanation(of: "urn:old-story")?.title, "Old story")
    }
}
