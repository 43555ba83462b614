import XCTest
@testable import Tributary

/// Full text end to end: a loopback outlet with a summary-only feed and article pages behind it.
final class FullTextTests: LoopbackTestCase {
    let date = "Mon, 30 Nov 2026 08:00:00 GMT"

    func testSummaryOnlyFeedGetsItsArticlesAndNoneOfTheChrome() throws {
        let outlet = try startServer()
        try outlet.write("story-1.html", NewsPageFixture.page("Punjab"))
        try outlet.write("story-2.html", NewsPageFixture.page("Sindh"))
        try Data(iconv(NewsPageFixture.urduPage(charsetMeta: "windows-1256", legacyLetters: true), to: "WINDOWS-1256"))
            .write(to: outlet.root.appendingPathComponent("story-3.html"))
        // Declares windows-1252, is UTF-8.
        try outlet.write("story-4.html", NewsPageFixture.urduPage(charsetMeta: "windows-1252"))
        try outlet.routes([
            "/story-1.html": ["status": 200, "file": "story-1.html", "headers": ["Content-Type": "text/html; charset=utf-8"]],
            // Not there on the first fetch, there on the retry.
            "/story-2.html": [["status": 404, "body": "not found"],
                              ["status": 200, "file": "story-2.html", "headers": ["Content-Type": "text/html"]]],
            "/story-3.html": ["status": 200, "file": "story-3.html", "headers": ["Content-Type": "text/html; charset=windows-1256"]],
            "/story-4.html": ["status": 200, "file": "story-4.html", "headers": ["Content-Type": "text/html"]],
        ])
        try outlet.write("feed.xml", rssDocument(title: "Daily Example", items: (1...4).map { n in
            ("s\(n)", "Story \(n)", outlet.url("story-\(n).html"), "Teaser \(n): read the whole story on our site.", date)
        }))
        let config = try writeConfig(folder, feeds: [("Daily Example", outlet.url("feed.xml"), [])])
        var text = try String(contentsOf: config, encoding: .utf8)
        text += "full_text = true\n"
        try text.write(to: config, atomically: true, encoding: .utf8)

        let first = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("full text 3 fetched, 1 failed"), first.stdout)
        let atom = folder.appendingPathComponent("state/merged.atom")
        var items = Dictionary(uniqueKeysWithValues: try FeedParser().parse(Data(contentsOf: atom)).items.map { ($0.title ?? "", $0) })
        let one = try XCTUnwrap(items["Story 1"]?.content)
        for paragraph in NewsPageFixture.paragraphs("Punjab") {
            XCTAssertTrue(one.contains(HTMLSanitizer.escapeText(paragraph).replacingOccurrences(of: "“", with: "“")) || PlainText.fromHTML(one).contains(paragraph), "missing: \(paragraph)")
        }
        for chrome in NewsPageFixture.chrome + NewsPageFixture.relatedTitles {
            XCTAssertFalse(one.contains(chrome), "\(chrome) leaked into the merged feed")
        }
        XCTAssertEqual(items["Story 1"]?.summary, "Teaser 1: read the whole story on our site.", "the feed's summary is kept")
        // The 404: the item shows its summary, and waits for a retry.
        XCTAssertFalse(PlainText.fromHTML(items["Story 2"]?.content ?? items["Story 2"]?.summary ?? "").contains("ISLAMABAD"))
        for n in ["Story 3", "Story 4"] {
            let urdu = PlainText.fromHTML(try XCTUnwrap(items[n]?.content))
            let first = n == "Story 3" ? NewsPageFixture.legacy(NewsPageFixture.urduParagraphs[0]) : NewsPageFixture.urduParagraphs[0]
            XCTAssertTrue(urdu.contains(first), "\(n): \(urdu)")
            XCTAssertFalse(urdu.contains("صفحہ اول"), "\(n): the menu leaked")
        }

        let status = try TributaryBinary.run(["status", "--config", config.path, "--json"])
        let feeds = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let counts = try XCTUnwrap(feeds.first?["full_text"] as? [String: Int])
        XCTAssertEqual(counts, ["fetched": 3, "pending": 1, "fallbacks": 0, "failures": 1])

        // Fifteen minutes later (the retry time, moved to now), the page is there.
        let db = folder.appendingPathComponent("state/tributary.sqlite").path
        let moved = try runProcess("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE full_texts SET next_attempt_at = 0 WHERE next_attempt_at IS NOT NULL'); c.commit()", db])
        XCTAssertEqual(moved, 0)
        let second = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(second.stdout.contains("Daily Example: 304"), second.stdout)
        XCTAssertTrue(second.stdout.contains("full text 1 fetched, 0 failed"), second.stdout)
        items = Dictionary(uniqueKeysWithValues: try FeedParser().parse(Data(contentsOf: atom)).items.map { ($0.title ?? "", $0) })
        XCTAssertTrue(PlainText.fromHTML(items["Story 2"]?.content ?? "").contains("solar power in Sindh"))

        // Pages are fetched once per item: a third poll asks for none, and the identity is the feed's.
        let before = outlet.requests().filter { ($0["path"] as? String)?.hasPrefix("/story") == true }.count
        let third = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertFalse(third.stdout.contains("full text"), third.stdout)
        XCTAssertEqual(outlet.requests().filter { ($0["path"] as? String)?.hasPrefix("/story") == true }.count, before)
        XCTAssertEqual(before, 5, "four pages, one of them twice")

        // The feed changes story 1: its page is fetched again.
        try outlet.write("feed.xml", rssDocument(title: "Daily Example", items: (1...4).map { n in
            ("s\(n)", n == 1 ? "Story 1 (updated)" : "Story \(n)", outlet.url("story-\(n).html"), "Teaser \(n): read the whole story on our site.", date)
        }))
        let fourth = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(fourth.stdout.contains("1 updated") && fourth.stdout.contains("full text 1 fetched"), fourth.stdout)
    }
}

/// Runs a program and returns its exit status.
func runProcess(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
