import XCTest
@testable import Tributary

/// Shapes that real feeds outside the project take, each in a small fixture written here.
final class RealWorldShapesTests: XCTestCase {
    func parse(_ text: String, base: String? = "https://outlet.example/feed.xml") throws -> ParsedFeed {
        try FeedParser().parse(Data(text.utf8), baseURL: base)
    }

    func iso(_ text: String) -> Date? { FeedDate.iso8601(text) }

    func testZoneAbbreviationsNewsFeedsUse() throws {
        // Each abbreviation with its offset, written independently of the parser's table.
        let zones: [(String, String)] = [
            ("GMT", "+00:00"), ("UTC", "+00:00"), ("BST", "+01:00"), ("IST", "+05:30"), ("PKT", "+05:00"),
            ("NPT", "+05:45"), ("HKT", "+08:00"), ("SGT", "+08:00"), ("PHT", "+08:00"), ("MYT", "+08:00"),
            ("AWST", "+08:00"), ("WIB", "+07:00"), ("ICT", "+07:00"), ("JST", "+09:00"), ("KST", "+09:00"),
            ("ACST", "+09:30"), ("ACDT", "+10:30"), ("AEST", "+10:00"), ("AEDT", "+11:00"), ("NZST", "+12:00"),
            ("NZDT", "+13:00"), ("CET", "+01:00"), ("CEST", "+02:00"), ("EET", "+02:00"), ("EEST", "+03:00"),
            ("MSK", "+03:00"), ("TRT", "+03:00"), ("EAT", "+03:00"), ("SAST", "+02:00"), ("WAT", "+01:00"),
            ("CAT", "+02:00"), ("GST", "+04:00"), ("IRST", "+03:30"), ("AFT", "+04:30"), ("WET", "+00:00"),
            ("WEST", "+01:00"), ("EST", "-05:00"), ("EDT", "-04:00"), ("CST", "-06:00"), ("CDT", "-05:00"),
            ("MST", "-07:00"), ("MDT", "-06:00"), ("PST", "-08:00"), ("PDT", "-07:00"), ("AKST", "-09:00"),
            ("AKDT", "-08:00"), ("HST", "-10:00"), ("AST", "-04:00"), ("ADT", "-03:00"), ("NST", "-03:30"),
            ("NDT", "-02:30"), ("BRT", "-03:00"), ("ART", "-03:00"),
        ]
        for (zone, offset) in zones {
            XCTAssertEqual(FeedDate.parse("Mon, 10 Nov 2025 08:00:00 \(zone)"), iso("2025-11-10T08:00:00\(offset)"), zone)
            XCTAssertEqual(FeedDate.parse("Mon, 10 Nov 2025 08:00:00 \(zone.lowercased())"), iso("2025-11-10T08:00:00\(offset)"), zone)
        }
        XCTAssertEqual(zones.count, FeedDate.zoneMinutes.count - 9, "every abbreviation in the table is tested (UT, Z, MET, MEST, AT/ET/CT/MT/PT aside)")
    }

    func testSlashedDatesAreRead() {
        XCTAssertEqual(FeedDate.parse("2020/1/10 14:33:00"), iso("2020-01-10T14:33:00Z"))
        XCTAssertEqual(FeedDate.parse("2020/01/10 14:33:00 +0500"), iso("2020-01-10T14:33:00+05:00"))
        XCTAssertEqual(FeedDate.parse("2020/12/31"), iso("2020-12-31T00:00:00Z"))
        XCTAssertNil(FeedDate.parse("10/1/2020 14:33:00"), "day-first or month-first: ambiguous, left undated")
        XCTAssertNil(FeedDate.parse("2020/13/10 14:33:00"))
    }

    func testIllegallyNestedItemsAreAllKept() throws {
        // Item 2 never closes: a recovering parser nests items 3 and 4 inside it.
        let rss = """
        <rss version="2.0"><channel><title>t</title>
        <item><title>one</title><guid>1</guid></item>
        <item><title>two</title><guid>2</guid>
        <item><title>three</title><guid>3</guid></item>
        <item><title>four</title><guid>4</guid></item>
        </channel></rss>
        """
        XCTAssertEqual(try parse(rss).items.map(\.title), ["one", "two", "three", "four"])
    }

    func testAnAuthorWithNameAndTitleGivesTheName() throws {
        let rss = """
        <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
        <item><title>a</title><atom:author><atom:name>Amna Khan</atom:name><atom:title>Staff reporter</atom:title></atom:author></item>
        <item><title>b</title><author><name>Bilal Ahmed</name><title>Correspondent</title></author></item>
        </channel></rss>
        """
        XCTAssertEqual(try parse(rss).items.map(\.author), ["Amna Khan", "Bilal Ahmed"])
    }

    func testAnAtomFeedInsideAnXHTMLPageIsRead() throws {
        let page = """
        <html xmlns="http://www.w3.org/1999/xhtml"><head><title>page</title></head><body>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Wrapped</title>
        <entry><id>https://w.example/1</id><title>inside</title><link href="https://w.example/1"/></entry></feed>
        </body></html>
        """
        let feed = try parse(page)
        XCTAssertEqual(feed.format, .atom10)
        XCTAssertEqual(feed.title, "Wrapped")
        XCTAssertEqual(feed.items.map(\.title), ["inside"])
        XCTAssertThrowsError(try parse("<html><body><p>no feed here</p></body></html>"))
    }

    func testBase64AndNakedMarkupTextConstructs() throws {
        let atom = """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>1</id><title type="application/octet-stream">2KrYrNix2KjYqQ==</title>
        <summary type="html">Naked <b>bold</b> markup</summary></entry></feed>
        """
        let item = try XCTUnwrap(parse(atom).items.first)
        XCTAssertEqual(item.title, "تجربة")
        XCTAssertEqual(item.summary, "Naked <b>bold</b> markup")
    }

    func testRelativeLinksWithNonASCIICharactersAreResolved() throws {
        let rss = """
        <rss version="2.0"><channel><title>t</title><link>https://ur.example/</link>
        <item><title>x</title><link>خبریں/پاکستان.html</link></item>
        <item><title>y</title><link>/news/a b.html</link></item>
        </channel></rss>
        """
        let links = try parse(rss, base: "https://ur.example/feeds/main.xml").items.map(\.link)
        for link in links {
            XCTAssertTrue(link?.hasPrefix("https://ur.example/") == true, "\(link ?? "nil")")
        }
        XCTAssertEqual(links.first??.removingPercentEncoding, "https://ur.example/feeds/خبریں/پاکستان.html")
    }
}
