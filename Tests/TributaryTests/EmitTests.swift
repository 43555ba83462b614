import XCTest
@testable import Tributary

final class EmitTests: XCTestCase {
    func sampleDocument(entries: Int) -> OutputDocument {
        let feedA = FeedRecord(id: 1, url: "https://a.example/feed", name: "Outlet A", title: nil, siteLink: "https://a.example/")
        var feedB = feedA
        feedB.id = 2
        feedB.url = "https://b.example/feed"
        feedB.name = "Outlet B"
        let list = (0..<entries).map { i in
            OutputEntry(entry: StoredEntry(
                itemID: Int64(i), entryID: "https://a.example/\(i)", link: "https://a.example/\(i)",
                title: "Title \(i) with \u{0B} control & <angle>", author: nil, summary: "<p>Summary \(i)</p>",
                content: nil, categories: ["News"], enclosures: [], published: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)),
                updated: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)),
                effectiveAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)), sourceFeedID: 1, carriers: []),
                source: feedA, via: [(feed: feedB, link: "https://b.example/copy-\(i)")], tags: ["pakistan"])
        }
        var settings = OutputSettings(path: "/tmp/x.atom", title: "Merged", maxEntries: 10)
        settings.link = "https://feeds.example/merged.atom"
        return OutputDocument(settings: settings, entries: list)
    }

    func testAtomRoundTripsThroughOurParser() throws {
        let data = AtomWriter.render(sampleDocument(entries: 3))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains("\u{0B}"), "XML-illegal characters must be removed")
        XCTAssertTrue(text.contains("<link rel=\"via\" href=\"https://b.example/copy-0\" title=\"Outlet B\"/>"))
        XCTAssertTrue(text.contains("<category term=\"pakistan\"/>"))
        XCTAssertTrue(text.contains("<source>"))
        let parsed = try FeedParser().parse(data)
        XCTAssertEqual(parsed.format, .atom10)
        XCTAssertEqual(parsed.items.count, 3)
        XCTAssertEqual(parsed.items[0].title, "Title 0 with control & <angle>")
        XCTAssertEqual(parsed.items[0].author, "Outlet A", "author falls back to the outlet's name")
        XCTAssertEqual(parsed.updated, Date(timeIntervalSince1970: 1_700_000_002), "feed updated is the newest entry's")
    }

    func testJSONFeedOutput() throws {
        let data = JSONFeedWriter.render(sampleDocument(entries: 2))
        let parsed = try FeedParser().parse(data)
        XCTAssertEqual(parsed.format, .json)
        XCTAssertEqual(parsed.items.count, 2)
        XCTAssertEqual(parsed.items[1].link, "https://a.example/1")
    }

    func testAtomicWriteSkipsIdenticalContentAndLeavesNoTemporaryFiles() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder.appendingPathComponent("out/merged.atom").path
        XCTAssertTrue(try AtomicFile.write(Data("one".utf8), to: path))
        XCTAssertFalse(try AtomicFile.write(Data("one".utf8), to: path))
        XCTAssertTrue(try AtomicFile.write(Data("two".utf8), to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path), ["merged.atom"])
    }
}
