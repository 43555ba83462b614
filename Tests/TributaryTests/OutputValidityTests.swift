import XCTest
@testable import Tributary

/// What makes every entry valid for strict consumers, whatever the source gave.
final class OutputValidityTests: XCTestCase {
    func testDoubleEncodedTextIsRepairedWhereUnambiguous() {
        XCTAssertEqual(TextRepair.repairDoubleEncoding("afvikles sÃ¸ndag, og"), "afvikles søndag, og")
        XCTAssertEqual(TextRepair.repairDoubleEncoding("the worldâ€™s biggest"), "the world’s biggest")
        XCTAssertEqual(TextRepair.repairDoubleEncoding("Radikale Jugendliche â€“ eine Herausforderung fÃ¼r Europa"),
                       "Radikale Jugendliche – eine Herausforderung für Europa")
        // Read as Latin-1 rather than windows-1252: 0x9C and 0x9F come through as C1 controls.
        XCTAssertEqual(TextRepair.repairDoubleEncoding("Das Fass zum \u{00C3}\u{009C}berlaufen"), "Das Fass zum Überlaufen")
        XCTAssertEqual(TextRepair.repairDoubleEncoding("auszuschlie\u{00C3}\u{009F}en"), "auszuschließen")
        // Correct text stays as it is, in every script.
        for text in ["NAPOLEÃO DE ALMEIDA", "Café, naïve, à «citation»", "Größe", "پاکستان کی خبریں", "東京", "ñandú", ""] {
            XCTAssertEqual(TextRepair.repairDoubleEncoding(text), text)
        }
        // Markup around the text is untouched.
        XCTAssertEqual(TextRepair.repairDoubleEncoding("<p class=\"x\">lâ€™espion</p>"), "<p class=\"x\">l’espion</p>")
        // The byte scan that spares correct text the repair loop admits every double-encoded character:
        // each of windows-1252's and Latin-1's characters for a continuation byte, after each lead.
        for lead in 0xC2...0xF4 {
            for continuation in 0x80...0xBF {
                let read = TextRepair.cp1252High.indices.contains(continuation - 0x80) ? TextRepair.cp1252High[continuation - 0x80] : nil
                let second = Unicode.Scalar(read ?? UInt32(continuation))!
                let text = "x" + String(Character(Unicode.Scalar(UInt32(lead))!)) + String(Character(second)) + "y"
                XCTAssertTrue(TextRepair.mayHoldDoubleEncoding(text), "U+\(String(lead, radix: 16)) then U+\(String(second.value, radix: 16))")
            }
        }
        XCTAssertFalse(TextRepair.mayHoldDoubleEncoding("The Malmö Gazette, Łukasz Jensen"))
    }

    func testEscapingKeepsTextAndDropsWhatXMLCannotHold() {
        XCTAssertEqual(XMLText.escape("plain words, nothing to do"), "plain words, nothing to do")
        XCTAssertEqual(XMLText.escape("<p>Tom & \"Jerry\"</p>\n"), "&lt;p&gt;Tom &amp; \"Jerry\"&lt;/p&gt;\n")
        XCTAssertEqual(XMLText.escape("a\"b\tc\nd", attribute: true), "a&quot;b&#9;c&#10;d")
        // C0 and C1 controls, U+FFFE/U+FFFF and U+FFFD are dropped; the characters around them are kept whole.
        XCTAssertEqual(XMLText.escape("x\u{01}y\u{7F}z\u{85}é\u{FFFE}\u{FFFF}\u{FFFD}ü<"), "xyzéü&lt;")
        // Long runs between markup are copied whole, and multi-byte text at either end survives.
        let body = String(repeating: "خبر news ", count: 500)
        XCTAssertEqual(XMLText.escape("«" + body + "<b>" + body + "»"), "«" + body + "&lt;b&gt;" + body + "»")
        XCTAssertEqual(XMLText.escape("\u{C2}"), "\u{C2}", "Â alone is text")
    }

    func testRepairCoversEveryTextFieldOfAFeed() {
        var feed = ParsedFeed(format: .rss20, title: "BrÃ¸ndby")
        feed.items = [FeedItem(title: "sÃ¸ndag", author: "AGÃˆNCIES", summary: "<p>itâ€™s</p>", content: "fÃ¼r")]
        feed.items[0].categories = ["SÃ¸ndag"]
        let repaired = TextRepair.repair(feed)
        XCTAssertEqual(repaired.title, "Brøndby")
        XCTAssertEqual(repaired.items[0].title, "søndag")
        XCTAssertEqual(repaired.items[0].author, "AGÈNCIES")
        XCTAssertEqual(repaired.items[0].summary, "<p>it’s</p>")
        XCTAssertEqual(repaired.items[0].content, "für")
        XCTAssertEqual(repaired.items[0].categories, ["Søndag"])
    }

    func testIRIsAreMadeValid() {
        let cases: [(String, String)] = [
            ("https://a.example/x#refspot#top", "https://a.example/x#refspot%23top"),
            ("https://a.example/a b?q=1 2", "https://a.example/a%20b?q=1%202"),
            ("https://a.example/100%", "https://a.example/100%25"),
            ("https://a.example/a%20b", "https://a.example/a%20b"),
            ("https://a.example/{x}|\"<>^`\\", "https://a.example/%7Bx%7D%7C%22%3C%3E%5E%60%5C"),
            ("https://ur.example/خبریں/پاکستان", "https://ur.example/خبریں/پاکستان"),
            ("https://a.example/?a=1&b=[2]", "https://a.example/?a=1&b=[2]"),
        ]
        for (iri, valid) in cases { XCTAssertEqual(URIText.validIRI(iri), valid, iri) }
    }

    func entry(link: String?, permalink: String?, site: String?, feedURL: String = "http://127.0.0.1:8080/feeds/a.xml") -> OutputEntry {
        var stored = StoredEntry(itemID: 1, entryID: "tag:x", link: link, title: "t", author: nil, summary: nil, content: nil,
                                 categories: [], enclosures: [], published: nil, updated: Date(timeIntervalSince1970: 0),
                                 effectiveAt: Date(timeIntervalSince1970: 0), sourceFeedID: 1, carriers: [])
        stored.permalink = permalink
        return OutputEntry(entry: stored, source: FeedRecord(id: 1, url: feedURL, name: "A", siteLink: site), via: [], tags: [])
    }

    func testEveryEntryHasSomewhereToGo() {
        XCTAssertEqual(entry(link: "https://a.example/1", permalink: "https://a.example/p", site: "https://a.example/").alternateLink,
                       "https://a.example/1")
        XCTAssertEqual(entry(link: nil, permalink: "https://a.example/p", site: "https://a.example/").alternateLink, "https://a.example/p")
        XCTAssertEqual(entry(link: nil, permalink: nil, site: "https://a.example/").alternateLink, "https://a.example/")
        XCTAssertEqual(entry(link: nil, permalink: nil, site: "javascript:void(0)").alternateLink, "http://127.0.0.1:8080/")
        XCTAssertEqual(entry(link: nil, permalink: nil, site: nil, feedURL: "https://b.example/rss").alternateLink, "https://b.example/")
    }

    func testPermalinkGuidsAndHTTPIdsAreKeptForThat() throws {
        let rss = """
        <rss version="2.0"><channel><title>t</title><link>https://blog.example/</link>
        <item><title>relative</title><guid>/blog/intro-graphml</guid></item>
        <item><title>absolute</title><guid isPermaLink="true">https://blog.example/p/2</guid></item>
        <item><title>not a permalink</title><guid isPermaLink="false">https://blog.example/p/3</guid></item>
        <item><title>a token</title><guid>12345</guid></item>
        </channel></rss>
        """
        let feed = try FeedParser().parse(Data(rss.utf8), baseURL: "https://blog.example/feed.xml")
        XCTAssertEqual(feed.items.map(\.permalink), ["https://blog.example/blog/intro-graphml", "https://blog.example/p/2", nil, nil])
        XCTAssertEqual(feed.items.map(\.link), [nil, nil, nil, nil], "identity is computed as before: the guid is not a link")
        let atom = """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>https://a.example/e/1</id><title>x</title></entry>
        <entry><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id><title>y</title></entry></feed>
        """
        XCTAssertEqual(try FeedParser().parse(Data(atom.utf8)).items.map(\.permalink), ["https://a.example/e/1", nil])
    }

    func testAtomOutputHasAnAlternateLinkForEveryEntryAndNoInventedAddress() {
        let document = OutputDocument(settings: OutputSettings(path: "/tmp/x.atom"),
                                      entries: [entry(link: nil, permalink: nil, site: "https://a.example/")])
        let xml = String(decoding: AtomWriter.render(document), as: UTF8.self)
        XCTAssertTrue(xml.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://a.example/\"/>"), xml)
        XCTAssertFalse(xml.contains("github.com"), xml)
        XCTAssertFalse(PollSettings.defaultUserAgent.contains("://"))
    }
}
