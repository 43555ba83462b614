import Foundation
import XCTest
@testable import Tributary

/// The server's rules and the pages it serves, without a socket: ServeDecision, the published
/// documents, the river and status pages, and the `[serve]` configuration.
final class ServeTests: XCTestCase {
    let epoch = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    func site(_ body: String = String(repeating: "<entry>story</entry>\n", count: 40), type: String = "application/atom+xml; charset=utf-8") -> SiteSnapshot {
        var site = SiteSnapshot()
        site.replace(group: "/merged.atom", with: ["/merged.atom": ServedDocument(contentType: type, body: Data(body.utf8), maxAge: 300, now: epoch)])
        return site
    }

    func header(_ response: ServeResponse, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func testFullResponseCarriesValidatorsTypesAndCaching() {
        let response = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom"), site: site())
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(header(response, "Content-Type"), "application/atom+xml; charset=utf-8")
        XCTAssertEqual(header(response, "Last-Modified"), "Mon, 01 Dec 2025 00:00:00 GMT")
        XCTAssertEqual(header(response, "Cache-Control"), "public, max-age=300")
        XCTAssertEqual(header(response, "Vary"), "Accept-Encoding")
        XCTAssertNil(header(response, "Content-Encoding"), "no Accept-Encoding, no gzip")
        let etag = header(response, "ETag") ?? ""
        XCTAssertTrue(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"), "strong: \(etag)")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), String(repeating: "<entry>story</entry>\n", count: 40))
    }

    func testConditionalRequestsGet304() throws {
        let snapshot = site()
        let document = try XCTUnwrap(snapshot.document(at: "/merged.atom"))
        for inm in [document.etag, document.gzipETag, "W/\(document.etag)", "\"other\", \(document.etag)", "*"] {
            let response = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", ifNoneMatch: inm), site: snapshot)
            XCTAssertEqual(response.status, 304, inm)
            XCTAssertTrue(response.body.isEmpty)
            XCTAssertNotNil(header(response, "ETag"))
        }
        let stale = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", ifNoneMatch: "\"old\""), site: snapshot)
        XCTAssertEqual(stale.status, 200)
        let since = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", ifModifiedSince: "Mon, 01 Dec 2025 00:00:00 GMT"), site: snapshot)
        XCTAssertEqual(since.status, 304)
        let earlier = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", ifModifiedSince: "Sun, 30 Nov 2025 23:59:59 GMT"), site: snapshot)
        XCTAssertEqual(earlier.status, 200)
        // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
        let both = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", ifNoneMatch: "\"old\"",
                                                          ifModifiedSince: "Mon, 01 Dec 2025 00:00:00 GMT"), site: snapshot)
        XCTAssertEqual(both.status, 200)
    }

    func testGzipOnlyWhenAccepted() throws {
        let snapshot = site()
        let gzipped = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", acceptEncoding: "br, gzip;q=0.8"), site: snapshot)
        XCTAssertEqual(header(gzipped, "Content-Encoding"), "gzip")
        XCTAssertTrue(header(gzipped, "ETag")?.hasSuffix("-gz\"") == true, "each encoding has its own strong validator")
        let restored = try XCTUnwrap(Gzip.decompress(gzipped.body))
        XCTAssertEqual(restored, snapshot.document(at: "/merged.atom")?.body)
        XCTAssertLessThan(gzipped.body.count, restored.count)
        for refused in ["gzip;q=0", "identity", "br", "*;q=0"] {
            let plain = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/merged.atom", acceptEncoding: refused), site: snapshot)
            XCTAssertNil(header(plain, "Content-Encoding"), refused)
        }
        XCTAssertTrue(ServeDecision.acceptsGzip("*"))
        XCTAssertTrue(ServeDecision.acceptsGzip("deflate, gzip"))
        XCTAssertFalse(ServeDecision.acceptsGzip("gzip; q=0.000"))
    }

    func testUnknownPathsMethodsAndTraversalAreRefused() {
        let snapshot = site()
        for path in ["/../etc/passwd", "/merged.atom/../../etc/passwd", "/%2e%2e/etc/passwd", "/state/", "/missing", "//merged.atom", ""] {
            let response = ServeDecision.respond(to: ServeRequest(method: "GET", path: path), site: snapshot)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertLessThan(response.body.count, 100, "small 404 body")
        }
        for method in ["POST", "PUT", "DELETE", "BREW", "OPTIONS", "get"] {
            let response = ServeDecision.respond(to: ServeRequest(method: method, path: "/merged.atom"), site: snapshot)
            XCTAssertEqual(response.status, 405, method)
            XCTAssertEqual(header(response, "Allow"), "GET, HEAD")
        }
        XCTAssertEqual(ServeDecision.respond(to: ServeRequest(method: "HEAD", path: "/merged.atom"), site: snapshot).status, 200)
        XCTAssertEqual(ServeDecision.respond(to: ServeRequest(method: "GET", path: "/"), site: snapshot).status, 404, "no river yet")
    }

    func testRootServesTheRiverAndHTMLForbidsScripts() {
        var snapshot = site()
        snapshot.replace(group: "/river.html", with: ["/river.html": ServedDocument(contentType: "text/html; charset=utf-8", body: Data("<p>river</p>".utf8), maxAge: 60, now: epoch)])
        snapshot.rootPath = "/river.html"
        let response = ServeDecision.respond(to: ServeRequest(method: "GET", path: "/"), site: snapshot)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "<p>river</p>")
        XCTAssertTrue(header(response, "Content-Security-Policy")?.contains("default-src 'none'") == true)
    }

    func testRepublishingTheSameBytesKeepsValidatorsAndDroppedPagesGo() {
        let first = ServedDocument(contentType: "text/html; charset=utf-8", body: Data("same".utf8), maxAge: 60, now: epoch)
        let again = ServedDocument(contentType: "text/html; charset=utf-8", body: Data("same".utf8), maxAge: 60,
                                   now: epoch.addingTimeInterval(3600), previous: first)
        XCTAssertEqual(again.etag, first.etag)
        XCTAssertEqual(again.lastModified, first.lastModified)
        let changed = ServedDocument(contentType: "text/html; charset=utf-8", body: Data("new".utf8), maxAge: 60,
                                     now: epoch.addingTimeInterval(3600), previous: first)
        XCTAssertNotEqual(changed.etag, first.etag)
        XCTAssertEqual(changed.lastModified, epoch.addingTimeInterval(3600))
        var snapshot = SiteSnapshot()
        snapshot.replace(group: "/river.html", with: ["/river.html": first, "/river-tag-a.html": first])
        snapshot.replace(group: "/river.html", with: ["/river.html": first])
        XCTAssertNil(snapshot.document(at: "/river-tag-a.html"))
    }

    func testMaxAgeFollowsThePollIntervals() {
        XCTAssertEqual(ServeDecision.maxAge(pollIntervals: [900, 600]), 300)
        XCTAssertEqual(ServeDecision.maxAge(pollIntervals: [60]), 60)
        XCTAssertEqual(ServeDecision.maxAge(pollIntervals: [86400]), 1800)
        XCTAssertEqual(ServeDecision.maxAge(pollIntervals: []), 300)
    }

    func testHTTPDatesAndReadingAids() {
        XCTAssertEqual(HTTPDate.format(epoch), "Mon, 01 Dec 2025 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.parse("Mon, 01 Dec 2025 00:00:00 GMT"), epoch)
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 0)), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(TextDirection.of("کراچی میں بارش کا امکان، PMD"), .rightToLeft)
        XCTAssertEqual(TextDirection.of("Budget passed, says وزیر"), .leftToRight)
        XCTAssertEqual(TextDirection.of("שלום עולם"), .rightToLeft)
        XCTAssertEqual(ReadingTime.minutes(String(repeating: "word ", count: 1000)), 5)
        XCTAssertEqual(ReadingTime.minutes("short"), 1)
        XCTAssertEqual(ReadingTime.minutes(String(repeating: "中", count: 2000)), 4)
        XCTAssertEqual(RelativeTime.describe(epoch, now: epoch.addingTimeInterval(30)), "just now")
        XCTAssertEqual(RelativeTime.describe(epoch, now: epoch.addingTimeInterval(300)), "5 min ago")
        XCTAssertEqual(RelativeTime.describe(epoch, now: epoch.addingTimeInterval(3 * 3600 + 5)), "3 h ago")
        XCTAssertEqual(RelativeTime.describe(epoch, now: epoch.addingTimeInterval(2 * 86400)), "2 days ago")
        XCTAssertEqual(ZoneTable.load("Asia/Karachi")?.describe(epoch), "1 Dec 2025, 05:00 PKT")
        XCTAssertEqual(ZoneTable.load("UTC")?.describe(epoch), "1 Dec 2025, 00:00 UTC")
        let london = ZoneTable.load("Europe/London")
        XCTAssertEqual(london?.describe(Date(timeIntervalSince1970: 1_751_371_200)), "1 Jul 2025, 13:00 BST", "summer time")
        XCTAssertEqual(london?.describe(epoch), "1 Dec 2025, 00:00 GMT")
        XCTAssertEqual(ZoneTable.load("America/St_Johns")?.offset(at: epoch).seconds, -12600, "half-hour zones")
        XCTAssertEqual(ZoneTable.load("Asia/Kolkata")?.describe(epoch), "1 Dec 2025, 05:30 IST")
        for bad in ["Mars/Olympus", "../../etc/passwd", "Asia/../../etc/passwd", "", "/etc/passwd"] {
            XCTAssertNil(ZoneTable.load(bad), bad)
        }
    }

    func testWebSubPingEncodingAndRetrySchedule() {
        XCTAssertEqual(HubNotifier.formEncode("https://example.org/a b?x=1&y=ü"), "https%3A%2F%2Fexample.org%2Fa+b%3Fx%3D1%26y%3D%C3%BC")
        XCTAssertEqual(HubNotifier.retryDelay(afterAttempt: 1, retryAfter: nil), 30)
        XCTAssertEqual(HubNotifier.retryDelay(afterAttempt: 3, retryAfter: nil), 120)
        XCTAssertEqual(HubNotifier.retryDelay(afterAttempt: 7, retryAfter: nil), 1920)
        XCTAssertEqual(HubNotifier.retryDelay(afterAttempt: 2, retryAfter: 5), 5, "the hub's Retry-After wins")
        XCTAssertEqual(HubNotifier.retryDelay(afterAttempt: 2, retryAfter: 10 * 86400), 86400)
        XCTAssertNil(HubNotifier.retryDelay(afterAttempt: 8, retryAfter: nil), "given up after 8 attempts")
    }

    // MARK: the river page

    func entry(_ id: Int64, title: String, summary: String, link: String?, source: FeedRecord, via: [(FeedRecord, String?)] = [], tags: [String] = []) -> OutputEntry {
        let stored = StoredEntry(itemID: id, entryID: "urn:\(id)", link: link, title: title, author: nil, summary: summary, content: nil,
                                 categories: [], enclosures: [], published: epoch, updated: epoch, effectiveAt: epoch,
                                 sourceFeedID: source.id, carriers: [])
        return OutputEntry(entry: stored, source: source, via: via.map { (feed: $0.0, link: $0.1) }, tags: tags)
    }

    func testRiverEscapesFeedTextAndLaysOutRightToLeft() throws {
        let dawn = FeedRecord(id: 1, url: "https://dawn.example/feed", name: "Dawn <b>")
        let geo = FeedRecord(id: 2, url: "https://geo.example/feed", name: "Geo")
        var settings = OutputSettings(path: "/tmp/river.html", title: "Pakistan & world")
        settings.format = .html
        settings.timeZone = "Asia/Karachi"
        let document = OutputDocument(settings: settings, entries: [
            entry(1, title: "Budget <script>alert(1)</script> passed", summary: "<p onclick=\"x()\">Assembly <b>passed</b> it.</p><script>alert(2)</script>",
                  link: "https://dawn.example/budget", source: dawn, via: [(geo, "https://geo.example/budget")], tags: ["pakistan", "اردو"]),
            entry(2, title: "کراچی میں بارش کا امکان", summary: "محکمہ موسمیات کے مطابق آج بارش ہوگی", link: "javascript:alert(3)", source: dawn, tags: ["pakistan"]),
        ])
        let pages = RiverPage.render(document, now: epoch.addingTimeInterval(7200))
        XCTAssertEqual(pages.map(\.name).first, "river.html")
        XCTAssertEqual(pages.count, 3, "the river and a page per tag")
        let html = String(decoding: pages[0].data, as: UTF8.self)
        XCTAssertFalse(html.lowercased().contains("<script"), html)
        XCTAssertFalse(html.contains("onclick"))
        XCTAssertFalse(html.contains("javascript:"), "only http(s) links")
        XCTAssertTrue(html.contains("Budget &lt;script&gt;alert(1)&lt;/script&gt; passed") || html.contains("Budget alert(1) passed") || html.contains("Budget  passed"), html)
        XCTAssertTrue(html.contains("Dawn &lt;b&gt;"))
        XCTAssertTrue(html.contains("<title>Pakistan &amp; world</title>"))
        XCTAssertTrue(html.contains("Also reported by <a href=\"https://geo.example/budget\">Geo</a>"))
        XCTAssertTrue(html.contains("<article dir=\"rtl\">"))
        XCTAssertTrue(html.contains("2 h ago"))
        XCTAssertTrue(html.contains("1 Dec 2025, 05:00"), "absolute time in the configured zone")
        XCTAssertTrue(html.contains("min read"))
        XCTAssertTrue(html.contains("href=\"river-tag-pakistan.html\""))
        let urduTag = try XCTUnwrap(pages.first { $0.name.hasPrefix("river-tag-") && $0.name != "river-tag-pakistan.html" })
        XCTAssertTrue(urduTag.name.allSatisfy { $0.isASCII }, "tag page names are ASCII: \(urduTag.name)")
        let tagPage = String(decoding: pages.first { $0.name == "river-tag-pakistan.html" }!.data, as: UTF8.self)
        XCTAssertTrue(tagPage.contains("href=\"river.html\">all stories</a>"))
        XCTAssertFalse(html.contains("http://") && html.contains("<link rel=\"stylesheet\""), "no external assets")
    }

    func testStatusChartHasABarForEachDayWithItems() throws {
        let svg = StatusReport.chart([0, 1, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 8])
        XCTAssertEqual(svg.components(separatedBy: "v-").count - 1, 4, "a bar for each day with items")
        XCTAssertTrue(svg.contains("M130 28v-28h8v28z"), "the busiest day fills the height: \(svg)")
        XCTAssertTrue(svg.contains("aria-label=\"items per day: 0, 1, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 8\""))
    }

    // MARK: configuration

    func testServeConfiguration() throws {
        let text = """
        [serve]
        listen = ["127.0.0.1:8080", "[::1]:8080"]
        time_zone = "Asia/Karachi"
        [[output]]
        path = "state/merged.atom"
        link = "https://news.example/merged.atom"
        hub = "https://hub.example/"
        [[output]]
        path = "state/river.html"
        format = "html"
        time_zone = "Asia/Karachi"
        [[output]]
        path = "other/merged.json"
        format = "json"
        url_path = "/pakistan.json"
        """
        let config = try ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/etc/tributary/feeds.toml")
        XCTAssertEqual(config.serve?.listen.map(\.description), ["127.0.0.1:8080", "[::1]:8080"])
        XCTAssertEqual(config.serve?.timeZone, "Asia/Karachi")
        XCTAssertEqual(config.outputs.map(\.urlPath), ["/merged.atom", "/river.html", "/pakistan.json"])
        XCTAssertEqual(config.outputs[0].hub, "https://hub.example/")
        XCTAssertEqual(config.outputs[1].format, .html)
        XCTAssertNil(try ConfigLoader().parse(text: "", path: "f", absolutePath: "/f").serve, "serving is off by default")
    }

    func testBadServeConfigurationIsLocated() {
        assertConfigError("[serve]\nlisten = \"localhost:8080\"\n", line: 2, key: "serve.listen", contains: "not an address and port")
        assertConfigError("[serve]\nlisten = [\"127.0.0.1:99999\"]\n", line: 2, key: "serve.listen", contains: "not an address and port")
        assertConfigError("[serve]\ntime_zone = \"UTC\"\n", line: 1, key: "serve", contains: "missing required key \"listen\"")
        assertConfigError("[serve]\nlisten = \"127.0.0.1:8080\"\ntime_zone = \"Mars/Olympus\"\n", line: 3, key: "serve.time_zone", contains: "unknown time zone")
        assertConfigError("[serve]\nlisten = \"127.0.0.1:8080\"\nport = 8080\n", line: 3, key: "serve.port", contains: "unknown key")
        assertConfigError("[output]\nhub = \"https://hub.example/\"\n", line: 2, key: "output.hub", contains: "needs \"link\"")
        assertConfigError("[output]\nurl_path = \"/../etc/passwd\"\n", line: 2, key: "output.url_path", contains: "one name")
        assertConfigError("[output]\nurl_path = \"/status\"\n", line: 2, key: "output.url_path", contains: "server's own page")
        assertConfigError("[output]\nformat = \"rss\"\n", line: 2, key: "output.format", contains: "atom, json or html")
        assertConfigError("[output]\ntime_zone = \"UTC\"\n", line: 2, key: "output.time_zone", contains: "applies to format")
        assertConfigError("[[output]]\npath = \"a/merged.atom\"\n[[output]]\npath = \"b/merged.atom\"\n", line: 3, key: "output[1].url_path", contains: "already served")
    }

    func testLoggedValuesStayOnOneLine() {
        XCTAssertEqual(JournalLogHandler.oneLine("/a\nwarning: forged\r\u{7}"), "/a\\nwarning: forged\\r\\x07")
        XCTAssertEqual(JournalLogHandler.oneLine("/merged.atom"), "/merged.atom")
    }

    func testListenAddresses() {
        XCTAssertEqual(ListenAddress("0.0.0.0:80")?.port, 80)
        XCTAssertEqual(ListenAddress("[::]:8080")?.isIPv6, true)
        XCTAssertEqual(ListenAddress("[2001:db8::1]:443")?.host, "2001:db8::1")
        for bad in ["8080", ":8080", "127.0.0.1", "127.0.0.1:0", "256.1.1.1:80", "[::1]", "::1:8080", "[zz::1]:80", "1.2.3:80", "example.org:80"] {
            XCTAssertNil(ListenAddress(bad), bad)
        }
    }
}
