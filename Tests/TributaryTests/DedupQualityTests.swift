import XCTest
@testable import Tributary

/// A labelled set of item pairs from several outlets: the same story in the forms syndication
/// produces, and different stories that look alike. Different stories must never merge.
final class DedupQualityTests: XCTestCase {
    struct Entry {
        var outlet: Int
        var guid: String
        var title: String
        var link: String
        var text: String
        var day: Int
    }

    let agency = "The National Disaster Management Authority said on Tuesday that relief goods had reached " +
        "the worst-hit districts of Sindh, where flood waters have displaced more than two hundred thousand " +
        "people and damaged roads, bridges and crops across the province."
    let wire2 = "Pakistan's central bank kept its key policy rate unchanged at its meeting on Monday, citing " +
        "easing inflation and a stable current account, and said it expected growth to pick up in the second half."

    lazy var entries: [String: Entry] = [
        // Same story, URL variants.
        "a-floods": Entry(outlet: 0, guid: "a-1", title: "Relief reaches Sindh flood victims", link: "https://www.dawn.com/news/1800001", text: agency, day: 1),
        "b-floods-utm": Entry(outlet: 1, guid: "b-1", title: "Relief reaches flood-hit Sindh", link: "https://dawn.com/news/1800001?utm_source=twitter&utm_medium=social&fbclid=IwAR0", text: "Short teaser.", day: 1),
        "c-floods-http": Entry(outlet: 2, guid: "c-1", title: "Relief for Sindh", link: "http://WWW.dawn.com:80/news/1800001#comments", text: "", day: 1),
        "d-floods-mc": Entry(outlet: 3, guid: "d-1", title: "Sindh relief", link: "https://www.dawn.com/news/1800001?mc_cid=abc&mc_eid=def&igshid=x", text: "", day: 2),
        // Same agency text under each outlet's own URL, titles with trailing outlet names.
        "a-rates": Entry(outlet: 0, guid: "a-2", title: "SBP keeps rate unchanged - Dawn", link: "https://www.dawn.com/news/1800002", text: "<p>\(wire2)</p>", day: 1),
        "b-rates": Entry(outlet: 1, guid: "b-2", title: "SBP keeps rate unchanged | Geo News", link: "https://www.geo.tv/latest/500002", text: wire2.uppercased(), day: 1),
        "c-rates": Entry(outlet: 2, guid: "c-2", title: "Policy rate held", link: "https://tribune.com.pk/story/300002", text: wire2.replacingOccurrences(of: "Pakistan's", with: "Pakistan&#8217;s").replacingOccurrences(of: " ", with: "&nbsp; "), day: 1),
        "d-rates": Entry(outlet: 3, guid: "d-2", title: "Central bank holds", link: "https://www.brecorder.com/news/400002", text: "<div>\(wire2.replacingOccurrences(of: ", ", with: ",\n"))</div>", day: 2),
        // Short agency item carried twice the same day.
        "a-short": Entry(outlet: 0, guid: "a-3", title: "Breaking: Karachi port reopens", link: "https://www.dawn.com/news/1800003", text: "More to follow.", day: 3),
        "b-short": Entry(outlet: 1, guid: "b-3", title: "Breaking: Karachi port reopens", link: "https://www.geo.tv/latest/500003", text: "More to follow.", day: 3),
        // Different stories that look alike.
        "a-weather-1": Entry(outlet: 0, guid: "a-4", title: "Weather update", link: "https://www.dawn.com/news/1800004", text: "Sunny, 30C in Karachi.", day: 1),
        "a-weather-2": Entry(outlet: 0, guid: "a-5", title: "Weather update", link: "https://www.dawn.com/news/1800005", text: "Rain expected in Lahore.", day: 2),
        "b-live-1": Entry(outlet: 1, guid: "b-6", title: "Live updates", link: "https://www.geo.tv/live/1", text: "Follow our live coverage.", day: 1),
        "b-live-2": Entry(outlet: 1, guid: "b-7", title: "Live updates", link: "https://www.geo.tv/live/2", text: "Follow our live coverage.", day: 2),
        "c-breaking-1": Entry(outlet: 2, guid: "c-8", title: "Breaking: explosion in Karachi", link: "https://tribune.com.pk/story/300008", text: "More to follow.", day: 3),
        "c-breaking-2": Entry(outlet: 2, guid: "c-9", title: "Breaking: explosion in Lahore", link: "https://tribune.com.pk/story/300009", text: "More to follow.", day: 3),
        "d-query-1": Entry(outlet: 3, guid: "d-10", title: "Markets today", link: "https://www.brecorder.com/markets?id=10", text: "", day: 1),
        "d-query-2": Entry(outlet: 3, guid: "d-11", title: "Markets today", link: "https://www.brecorder.com/markets?id=11", text: "", day: 1),
        "a-cabinet": Entry(outlet: 0, guid: "a-12", title: "Cabinet meets", link: "https://www.dawn.com/news/1800012", text: agency.replacingOccurrences(of: "Sindh", with: "Balochistan"), day: 1),
        "c-port": Entry(outlet: 2, guid: "c-13", title: "Karachi port reopens", link: "https://tribune.com.pk/story/300013", text: "More to follow.", day: 4),
    ]

    /// (first, second, same story?)
    let pairs: [(String, String, Bool)] = [
        ("a-floods", "b-floods-utm", true), ("a-floods", "c-floods-http", true), ("a-floods", "d-floods-mc", true),
        ("a-rates", "b-rates", true), ("a-rates", "c-rates", true), ("a-rates", "d-rates", true),
        ("a-short", "b-short", true),
        ("a-weather-1", "a-weather-2", false), ("b-live-1", "b-live-2", false), ("c-breaking-1", "c-breaking-2", false),
        ("d-query-1", "d-query-2", false), ("a-floods", "a-cabinet", false), ("a-short", "c-port", false),
        ("c-breaking-1", "b-short", false), ("a-floods", "a-rates", false),
    ]

    func testPublisherCanonicalHintsJoinProxiedLinks() throws {
        let feedburner = try FeedParser().parse(Data("""
        <rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><item>
        <title>Story</title><link>https://feedproxy.google.com/~r/outlet/~3/abc/</link>
        <feedburner:origLink>https://www.outlet.example/2025/story</feedburner:origLink></item></channel></rss>
        """.utf8))
        let atom = try FeedParser().parse(Data("""
        <feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Story</title>
        <link href="https://m.outlet.example/s?ref=app"/><link rel="canonical" href="https://outlet.example/2025/story"/></entry></feed>
        """.utf8))
        XCTAssertEqual(feedburner.items.first?.canonicalLink, "https://www.outlet.example/2025/story")
        XCTAssertEqual(atom.items.first?.link, "https://m.outlet.example/s?ref=app")
        let folder = try makeTemporaryFolder(self)
        let store = try FeedStore(path: folder.appendingPathComponent("db.sqlite").path)
        let feeds = try store.syncFeeds([FeedSettings(name: "A", url: "https://a.example/f"), FeedSettings(name: "B", url: "https://b.example/f")])
        let state = FeedPollState(lastPollAt: Date(), lastStatus: 200)
        _ = try store.commit(feedID: feeds[0].id, feedURL: feeds[0].url, state: state, parsed: feedburner)
        let second = try store.commit(feedID: feeds[1].id, feedURL: feeds[1].url, state: state, parsed: atom)
        XCTAssertEqual(second.duplicate, 1, "the same article behind a proxy link and a mobile link")
    }

    func testPrecisionAndRecallOnTheLabelledSet() throws {
        let folder = try makeTemporaryFolder(self)
        let store = try FeedStore(path: folder.appendingPathComponent("db.sqlite").path)
        let outlets = try store.syncFeeds((0..<4).map { FeedSettings(name: "Outlet \($0)", url: "https://outlet\($0).example/feed") })
        let base = Date(timeIntervalSince1970: 1_762_000_000)
        // Ingest day by day, outlet by outlet, as polls would.
        let byDay = Dictionary(grouping: entries.values, by: \.day)
        for day in byDay.keys.sorted() {
            for outlet in 0..<4 {
                let items = byDay[day]!.filter { $0.outlet == outlet }.sorted { $0.guid < $1.guid }.map { e in
                    FeedItem(id: e.guid, link: e.link, title: e.title,
                             published: base.addingTimeInterval(Double(e.day) * 86400), summary: e.text.isEmpty ? nil : e.text)
                }
                let now = base.addingTimeInterval(Double(day) * 86400 + 3600)
                _ = try store.commit(feedID: outlets[outlet].id, feedURL: outlets[outlet].url,
                                     state: FeedPollState(lastPollAt: now, lastStatus: 200),
                                     parsed: ParsedFeed(format: .rss20, items: items))
            }
        }
        func item(_ key: String) throws -> Int64 {
            let e = try XCTUnwrap(entries[key])
            return try XCTUnwrap(store.itemID(feedID: outlets[e.outlet].id, guid: e.guid), key)
        }
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for (a, b, same) in pairs {
            let merged = try item(a) == item(b)
            if merged && same { truePositives += 1 }
            if merged && !same { falsePositives += 1; XCTFail("different stories merged: \(a) ~ \(b)") }
            if !merged && same { falseNegatives += 1; XCTFail("same story kept twice: \(a) ~ \(b)") }
        }
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
        let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
        print("dedup labelled set: \(pairs.count) pairs, precision \(precision), recall \(recall)")
        XCTAssertEqual(precision, 1.0)
        XCTAssertEqual(recall, 1.0)
    }
}
