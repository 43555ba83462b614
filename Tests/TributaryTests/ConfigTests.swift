import XCTest
@testable import Tributary

final class ConfigTests: XCTestCase {
    func parse(_ text: String) throws(ConfigError) -> Configuration {
        try ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/srv/tributary/feeds.toml")
    }

    func expectError(_ text: String, line: Int?, key: String?, contains fragment: String,
                     file: StaticString = #filePath, lineNumber: UInt = #line) {
        assertConfigError(text, line: line, key: key, contains: fragment, file: file, lineNumber: lineNumber)
    }

    func testFullConfigResolvesPathsAndDefaults() throws {
        let config = try parse("""
        [storage]
        database = "state/db.sqlite"
        [output]
        path = "out/merged.atom"
        title = "Pakistan news, merged"
        max_entries = 50
        [poll]
        interval = "15m"
        concurrency = 8
        timeout = "30s"
        user_agent = "Tributary/test"
        [[feed]]
        name = "Dawn"
        url = "https://www.dawn.com/feeds/home"
        interval = "10m"
        tags = ["pakistan"]
        [[feed]]
        url = "https://feeds.bbci.co.uk/news/world/rss.xml"
        """)
        XCTAssertEqual(config.storage.databasePath, "/srv/tributary/state/db.sqlite")
        XCTAssertEqual(config.outputs.first?.path, "/srv/tributary/out/merged.atom")
        XCTAssertEqual(config.outputs.first?.maxEntries, 50)
        XCTAssertEqual(config.poll.interval, 900)
        XCTAssertEqual(config.poll.timeout, 30)
        XCTAssertEqual(config.poll.userAgent, "Tributary/test")
        XCTAssertEqual(config.feeds.count, 2)
        XCTAssertEqual(config.feeds[0].interval, 600)
        XCTAssertEqual(config.feeds[0].tags, ["pakistan"])
        XCTAssertEqual(config.feeds[1].name, "feeds.bbci.co.uk", "a feed without a name is named by its host")
        XCTAssertNil(config.feeds[1].interval)
    }

    func testUnknownKeyIsNamedWithLineAndSuggestion() {
        expectError("""
        [poll]
        intervall = "15m"
        """, line: 2, key: "poll.intervall", contains: "did you mean \"interval\"")
    }

    func testUnknownKeyInSecondFeed() {
        expectError("""
        [[feed]]
        url = "https://a.example/feed"

        [[feed]]
        url = "https://b.example/feed"
        tag = ["x"]
        """, line: 6, key: "feed[1].tag", contains: "unknown key")
    }

    func testBadDurationNamesTheKey() {
        expectError("""
        [[feed]]
        url = "https://a.example/feed"
        interval = "10 minutes"
        """, line: 3, key: "feed[0].interval", contains: "bad duration")
    }

    func testIntervalBelowThePolitenessFloor() {
        expectError("""
        [[feed]]
        url = "https://a.example/feed"
        interval = "30s"
        """, line: 3, key: "feed[0].interval", contains: "below [poll] min_interval (5m)")
        XCTAssertNoThrow(try parse("[poll]\nmin_interval = \"10s\"\n[[feed]]\nurl = \"https://a.example/f\"\ninterval = \"30s\"\n"))
    }

    func testWrongTypeSaysWhatWasFound() {
        expectError("""
        [poll]
        concurrency = "eight"
        """, line: 2, key: "poll.concurrency", contains: "expected an integer, found a string")
    }

    func testMissingURL() {
        expectError("""
        [[feed]]
        name = "No address"
        """, line: 1, key: "feed[0]", contains: "missing required key \"url\"")
    }

    func testDuplicateFeedURL() {
        expectError("""
        [[feed]]
        url = "https://a.example/feed"
        [[feed]]
        url = "https://a.example/feed"
        """, line: 4, key: "feed[1].url", contains: "already listed by feed[0]")
    }

    func testNonHTTPURLIsRejected() {
        expectError("""
        [[feed]]
        url = "file:///etc/passwd"
        """, line: 2, key: "feed[0].url", contains: "not an http or https URL")
    }

    func testSyntaxErrorHasLineAndColumn() {
        do {
            _ = try parse("[poll]\ninterval = \"15m\nconcurrency = 3\n")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.line, 2)
            XCTAssertNotNil(error.column)
            XCTAssertTrue(error.description.hasPrefix("feeds.toml:2:"), error.description)
        }
    }

    func testDurations() {
        XCTAssertEqual(DurationText.seconds("90s"), 90)
        XCTAssertEqual(DurationText.seconds("1h30m"), 5400)
        XCTAssertEqual(DurationText.seconds("90d"), 90 * 86400)
        XCTAssertNil(DurationText.seconds("15"))
        XCTAssertNil(DurationText.seconds("0s"))
        XCTAssertNil(DurationText.seconds("m"))
        XCTAssertNil(DurationText.seconds("5x"))
    }

    func testShippedConfigIsValid() throws {
        let config = try ConfigLoader().load(path: packageRoot.appendingPathComponent("feeds.toml").path)
        XCTAssertGreaterThanOrEqual(config.feeds.count, 3)
        XCTAssertTrue(config.storage.databasePath.hasPrefix(packageRoot.appendingPathComponent("state").path))
    }
}
