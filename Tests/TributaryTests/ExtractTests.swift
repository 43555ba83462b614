import XCTest
@testable import Tributary

/// The full-text extractor on pages modelled on news sites, and the rules around it: charset, XPath,
/// what a page fetch means.
final class ExtractTests: XCTestCase {
    func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    }

    /// Token F1 of `got` against `want`, as bags of words.
    func f1(_ got: String, _ want: String) -> Double {
        var bag: [Substring: Int] = [:]
        for w in words(want) { bag[w, default: 0] += 1 }
        var hit = 0
        for w in words(got) where (bag[w] ?? 0) > 0 { bag[w]! -= 1; hit += 1 }
        let p = Double(hit) / Double(max(words(got).count, 1)), r = Double(hit) / Double(max(words(want).count, 1))
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    func testNewsPageKeepsTheArticleAndDropsEveryPieceOfChrome() throws {
        let page = NewsPageFixture.page("Punjab")
        let article = try XCTUnwrap(ArticlePage.extract(Array(page.utf8), url: "https://news.example/2026/solar"))
        let text = article.plainText
        let body = NewsPageFixture.paragraphs("Punjab").joined(separator: "\n\n")
        XCTAssertGreaterThanOrEqual(f1(text, body), 0.985, text)
        for chrome in NewsPageFixture.chrome + NewsPageFixture.relatedTitles {
            XCTAssertFalse(text.contains(chrome), "\(chrome) leaked into: \(text)")
        }
        XCTAssertFalse(text.contains(NewsPageFixture.headline("Punjab")), "the headline is the entry's title, not its body")
        XCTAssertEqual(article.title, NewsPageFixture.headline("Punjab"))
        // The HTML keeps the figure with its caption, the image made absolute, and nothing active.
        let html = article.html
        XCTAssertTrue(html.contains("<figure>") && html.contains("<figcaption>Solar panels on a school roof in Multan.</figcaption>"), html)
        XCTAssertTrue(html.contains("src=\"https://news.example/images/solar.jpg\""), html)
        XCTAssertEqual(html.components(separatedBy: "<p>").count - 1, 8, html)
        // For scripts/fulltext-bench.sh: the page and what a reader wants from it (headline and body), in
        // the layout ../shared/fulltext/score.py reads.
        let set = packageRoot.appendingPathComponent(".build/test-artifacts/news-page/punjab")
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        try Data(page.utf8).write(to: set.appendingPathComponent("page.html"))
        try Data((NewsPageFixture.headline("Punjab") + "\n\n" + body + "\n").utf8).write(to: set.appendingPathComponent("expected.txt"))
        try Data("{\"url\": \"https://news.example/2026/solar\"}".utf8).write(to: set.appendingPathComponent("meta.json"))
        XCTAssertFalse(html.contains("<script") || html.contains("class=") || html.contains("<form"), html)
    }

    func testCharsetFromHTTPThenMetaWithValidUTF8Winning() {
        let urdu = Array(NewsPageFixture.urduPage(charsetMeta: "windows-1256").utf8)
        // Declared windows-1256 but the bytes are UTF-8 (a site that moved and kept its template).
        XCTAssertEqual(PageCharset.decide(bytes: urdu, httpCharset: nil), "UTF-8")
        XCTAssertEqual(PageCharset.decide(bytes: urdu, httpCharset: "windows-1256"), "UTF-8")
        // Bytes that are not UTF-8 follow the declaration; Latin-1 labels mean windows-1252.
        let legacy: [UInt8] = Array("<meta charset=\"iso-8859-1\"><p>caf".utf8) + [0xE9] + Array("</p>".utf8)
        XCTAssertEqual(PageCharset.decide(bytes: legacy, httpCharset: nil), "windows-1252")
        XCTAssertEqual(PageCharset.decide(bytes: legacy, httpCharset: "windows-1256"), "windows-1256")
        XCTAssertEqual(PageCharset.decide(bytes: [0xEF, 0xBB, 0xBF] + legacy, httpCharset: "windows-1256"), "UTF-8")
        XCTAssertEqual(PageCharset.decide(bytes: Array("<p>plain</p>".utf8), httpCharset: nil), "UTF-8")
    }

    func testWindows1256PageIsReadAsUrdu() throws {
        let bytes = try iconv(NewsPageFixture.urduPage(charsetMeta: "windows-1256", legacyLetters: true), to: "WINDOWS-1256")
        XCTAssertNil(String(validating: bytes, as: UTF8.self), "the fixture must really be windows-1256")
        for charset in [nil, "windows-1256"] as [String?] {
            let article = try XCTUnwrap(ArticlePage.extract(bytes, httpCharset: charset, url: "https://ur.example/a"))
            XCTAssertEqual(article.plainText, NewsPageFixture.urduParagraphs.map(NewsPageFixture.legacy).joined(separator: "\n\n"))
            XCTAssertEqual(TextDirection.of(article.plainText), .rightToLeft)
        }
    }

    func testSiteRulesSelectAndRemoveByXPath() throws {
        let page = Array(NewsPageFixture.page("Sindh").utf8)
        let only = try XCTUnwrap(ArticlePage.extract(page, url: nil, contentXPath: "//div[@class='entry-content']",
                                                     removeXPaths: ["//p[contains(., 'Critics')]"]))
        XCTAssertTrue(only.plainText.hasPrefix("ISLAMABAD: The federal cabinet"), only.plainText)
        XCTAssertFalse(only.plainText.contains("Critics"))
        XCTAssertEqual(only.plainText.components(separatedBy: "\n\n").count, NewsPageFixture.paragraphs("Sindh").count - 1)
        // Nothing matched: no article, rather than the whole page.
        XCTAssertNil(ArticlePage.extract(page, url: nil, contentXPath: "//div[@id='nope']"))
        XCTAssertTrue(ArticlePage.isValidXPath("//article//p[not(@class)]"))
        XCTAssertFalse(ArticlePage.isValidXPath("//div[@class='x'"))
        XCTAssertFalse(ArticlePage.isValidXPath("///"))
    }

    func testFurnitureLines() {
        for line in ["⏱ 3 minute read", "5 min read", "Reading time: 4 minutes", "Scroll to Top", "Loading weather…",
                     "Image 2 of 5", "November 30, 2026", "30/11/2026 10:15", "Tags: budget, cabinet"] {
            XCTAssertTrue(BoilerplateHints.isFurnitureLine(line), line)
        }
        for line in ["The cabinet met on Tuesday.", "He read the minutes of the meeting aloud, twice.",
                     "Prices rose 3% in 2026, the bureau said, the most since records began."] {
            XCTAssertFalse(BoilerplateHints.isFurnitureLine(line), line)
        }
    }

    func testWhatAPageFetchMeans() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func response(_ status: Int, headers: [String: String] = [:], failure: FetchFailure? = nil) -> FetchResponse {
            var r = FetchResponse(tag: 0, requestURL: "https://news.example/a", status: status, headers: headers, body: Data("page".utf8),
                                  effectiveURL: "https://news.example/a", elapsed: 0.01)
            r.failure = failure
            return r
        }
        XCTAssertEqual(FullTextOutcome.decide(response(200), attempts: 0, now: now) { _ in "<p>article</p>" }, .article(html: "<p>article</p>"))
        // An empty extraction is a failure, retried after 15 minutes, then 30, ...
        XCTAssertEqual(FullTextOutcome.decide(response(200), attempts: 0, now: now) { _ in nil },
                       .failed(error: "no article found on the page", retryAt: now.addingTimeInterval(900), hostHold: nil))
        XCTAssertEqual(FullTextOutcome.decide(response(404), attempts: 2, now: now) { _ in "x" },
                       .failed(error: "HTTP 404", retryAt: now.addingTimeInterval(3600), hostHold: nil))
        // The last attempt gives up: the item keeps its summary.
        XCTAssertEqual(FullTextOutcome.decide(response(500), attempts: FullTextOutcome.maximumAttempts - 1, now: now) { _ in "x" },
                       .failed(error: "HTTP 500", retryAt: nil, hostHold: nil))
        // 429 with Retry-After holds the host (its feeds too) and waits at least that long.
        let limited = FullTextOutcome.decide(response(429, headers: ["retry-after": "7200"]), attempts: 0, now: now) { _ in "x" }
        XCTAssertEqual(limited, .failed(error: "HTTP 429", retryAt: now.addingTimeInterval(7200),
                                        hostHold: PollOutcome.HostHold(host: HTTPFetcher.hostKey("https://news.example/a"), until: now.addingTimeInterval(7200))))
        // A PDF is not retried: it will never have an article.
        XCTAssertEqual(FullTextOutcome.decide(response(200, headers: ["content-type": "application/pdf"]), attempts: 0, now: now) { _ in "x" },
                       .failed(error: "not a web page (application/pdf)", retryAt: nil, hostHold: nil))
        XCTAssertEqual(FullTextOutcome.decide(response(200, headers: ["content-type": "text/html; charset=utf-8"]), attempts: 0, now: now) { _ in "<p>a</p>" },
                       .article(html: "<p>a</p>"))
        XCTAssertEqual(FullTextOutcome.decide(response(0, failure: .hostBackoff(until: now.addingTimeInterval(60))), attempts: 3, now: now) { _ in "x" },
                       .waiting(until: now.addingTimeInterval(60)))
        if case .failed(let error, _, _) = FullTextOutcome.decide(response(0, failure: .timeout("read")), attempts: 0, now: now, extract: { _ in "x" }) {
            XCTAssertTrue(error.contains("timed out"), error)
        } else { XCTFail("a timeout is a failed attempt") }
    }

    func testConfigKeysAndTheirErrors() throws {
        let ok = """
        [[feed]]
        url = "https://news.example/feed"
        full_text = true
        content_xpath = "//article"
        remove_xpath = ["//div[@class='share']", "//aside"]
        """
        let config = try ConfigLoader().parse(text: ok, path: "feeds.toml", absolutePath: "/srv/feeds.toml")
        XCTAssertEqual(config.feeds[0].fullText, FullTextSettings(contentXPath: "//article", removeXPaths: ["//div[@class='share']", "//aside"]))
        let one = try ConfigLoader().parse(text: "[[feed]]\nurl = \"https://a.example/f\"\nfull_text = true\nremove_xpath = \"//nav\"\n",
                                           path: "feeds.toml", absolutePath: "/srv/feeds.toml")
        XCTAssertEqual(one.feeds[0].fullText?.removeXPaths, ["//nav"])
        XCTAssertNil(try ConfigLoader().parse(text: "[[feed]]\nurl = \"https://a.example/f\"\n", path: "feeds.toml", absolutePath: "/srv/feeds.toml").feeds[0].fullText)
        assertConfigError("[[feed]]\nurl = \"https://a.example/f\"\nfull_text = true\ncontent_xpath = \"//div[@id='x'\"\n",
                          line: 4, key: "feed[0].content_xpath", contains: "not a valid XPath")
        assertConfigError("[[feed]]\nurl = \"https://a.example/f\"\nremove_xpath = [\"//nav\"]\n",
                          line: 3, key: "feed[0].remove_xpath", contains: "add full_text = true")
        assertConfigError("[[feed]]\nurl = \"https://a.example/f\"\nfull_text = \"yes\"\n", line: 3, key: "feed[0].full_text", contains: "true or false")
    }

    func testExtractCommandPrintsTextAndHTML() throws {
        let folder = try makeTemporaryFolder(self)
        let file = folder.appendingPathComponent("page.html")
        try Data(NewsPageFixture.page("Balochistan").utf8).write(to: file)
        let text = try TributaryBinary.run(["extract", file.path, "--url", ""])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("ISLAMABAD: The federal cabinet on Tuesday approved a plan to expand solar power in Balochistan"), text.stdout)
        XCTAssertFalse(text.stdout.contains("Scroll to Top"))
        let html = try TributaryBinary.run(["extract", file.path, "--url", "https://news.example/x", "--html"])
        XCTAssertTrue(html.stdout.contains("<p>ISLAMABAD: The federal cabinet"), html.stdout)
        let missing = try TributaryBinary.run(["extract", folder.appendingPathComponent("nope.html").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read"), missing.stderr)
    }
}

/// `text` in another charset, through the system's iconv.
func iconv(_ text: String, to charset: String) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
    process.arguments = ["-f", "UTF-8", "-t", charset]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteInapplicableStringEncoding) }
    return [UInt8](data)
}
