import XCTest
@testable import Tributary

final class OPMLTests: XCTestCase {
    let fixture = packageRoot.appendingPathComponent("Tests/TributaryTests/Fixtures/reader-export.opml")

    func testReaderExportWithNestedFolders() throws {
        let feeds = try OPML.feeds(from: Data(contentsOf: fixture))
        XCTAssertEqual(feeds.map(\.name), ["Dawn", "The Express Tribune", "Business Recorder", "BBC News & World",
                                           "Al Jazeera \"English\"", "feeds.npr.org"])
        XCTAssertEqual(feeds[0].tags, ["Pakistan"])
        XCTAssertEqual(feeds[2].tags, ["Pakistan", "Business", "markets", "economy"])
        XCTAssertEqual(feeds[3].tags, ["World"])
        XCTAssertEqual(feeds[5].tags, [])
        XCTAssertEqual(feeds.filter { $0.url == "https://www.dawn.com/feeds/home" }.count, 1, "duplicates are listed once")
    }

    func testRoundTripIsLosslessForURLNameAndTags() throws {
        let original = try OPML.feeds(from: Data(contentsOf: fixture))
        let exported = OPML.document(feeds: original, title: "x")
        let again = try OPML.feeds(from: Data(exported.utf8))
        XCTAssertEqual(again, original)
        // And through the TOML we print.
        let toml = "[poll]\n" + "interval = \"15m\"\n" + FeedTableWriter.toml(original)
        let config = try ConfigLoader().parse(text: toml, path: "x.toml", absolutePath: "/tmp/x.toml")
        XCTAssertEqual(config.feeds, original)
    }

    func testNotOPML() {
        XCTAssertThrowsError(try OPML.feeds(from: Data("<rss/>".utf8)))
    }

    func testImportCommandSkipsConfiguredFeedsAndWritesAValidConfig() throws {
        let folder = try makeTemporaryFolder(self)
        let config = try writeConfig(folder, feeds: [("Dawn", "https://www.dawn.com/feeds/home", [])])
        let printed = try TributaryBinary.run(["import-opml", fixture.path, "--config", config.path])
        XCTAssertEqual(printed.status, 0, printed.stderr)
        XCTAssertFalse(printed.stdout.contains("dawn.com"), "already configured")
        XCTAssertTrue(printed.stderr.contains("5 feeds, 1 already configured"), printed.stderr)
        let written = try TributaryBinary.run(["import-opml", fixture.path, "--config", config.path, "--write"])
        XCTAssertEqual(written.status, 0, written.stderr)
        let loaded = try ConfigLoader().load(path: config.path)
        XCTAssertEqual(loaded.feeds.count, 6)
        XCTAssertEqual(loaded.feeds.last?.url, "https://feeds.npr.org/1001/rss.xml")
        let exported = try TributaryBinary.run(["export-opml", "--config", config.path])
        XCTAssertEqual(try OPML.feeds(from: Data(exported.stdout.utf8)).map(\.url), loaded.feeds.map(\.url))
    }
}

final class DiscoveryTests: XCTestCase {
    func testLinksResolvedAgainstBase() {
        let html = """
        <!DOCTYPE html><html><head><title>Outlet Home</title><base href="https://cdn.outlet.example/site/">
        <link rel="alternate" type="application/rss+xml" title="Top stories" href="feeds/top.xml">
        <link rel="Alternate" type="application/atom+xml" href="/atom">
        <link rel="stylesheet" type="text/css" href="x.css">
        <link rel="alternate" type="text/html" hreflang="ur" href="/ur/">
        <link rel="alternate" type="application/feed+json" href="https://outlet.example/feed.json">
        </head><body><p>hello</body></html>
        """
        let found = FeedDiscovery.feeds(inHTML: html, pageURL: "https://outlet.example/")
        XCTAssertEqual(found.map(\.url), ["https://cdn.outlet.example/site/feeds/top.xml", "https://cdn.outlet.example/atom",
                                          "https://outlet.example/feed.json"])
        XCTAssertEqual(found.map(\.title), ["Top stories", "Outlet Home", "Outlet Home"])
    }

    func testDiscoverCommandAgainstALoopbackPage() throws {
        let folder = try makeTemporaryFolder(self)
        let server = try FeedServer(root: folder)
        defer { server.stop() }
        try server.write("index.html", """
        <html><head><title>Daily News</title>
        <link rel="alternate" type="application/rss+xml" title="Daily News: latest" href="/rss/latest.xml">
        </head><body>Front page</body></html>
        """)
        try server.routes(["/index.html": ["file": "index.html", "headers": ["Content-Type": "text/html; charset=utf-8"]]])
        try server.write("feed.xml", rssDocument(title: "Direct Feed", items: []))
        let result = try TributaryBinary.run(["discover", server.url("index.html")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "[[feed]]\nname = \"Daily News: latest\"\nurl = \"\(server.url("rss/latest.xml"))\"\n")
        let direct = try TributaryBinary.run(["discover", server.url("feed.xml")])
        XCTAssertTrue(direct.stdout.contains("name = \"Direct Feed\""), direct.stdout)
        let none = try TributaryBinary.run(["discover", server.url("missing.html")])
        XCTAssertEqual(none.status, 1)
    }
}
