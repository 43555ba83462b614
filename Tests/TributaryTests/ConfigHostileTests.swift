import XCTest
@testable import Tributary

/// Configuration values that used to crash `check`, crash the daemon later, overwrite files, inject
/// headers, or give errors without a line number.
final class ConfigHostileTests: XCTestCase {
    func parse(_ text: String) throws(ConfigError) -> Configuration {
        try ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/srv/tributary/feeds.toml")
    }

    func expectError(_ text: String, line: Int, key: String?, contains fragment: String,
                     file: StaticString = #filePath, lineNumber: UInt = #line) {
        assertConfigError(text, line: line, key: key, contains: fragment, file: file, lineNumber: lineNumber)
    }

    let feed = "\n[[feed]]\nurl = \"https://a.example/feed\"\n"

    func testNumbersThatOverflowedAreOutOfRange() {
        expectError("[poll]\nmax_body_size = \"99999999999GB\"" + feed, line: 2, key: "poll.max_body_size", contains: "out of range")
        expectError("[poll]\nmax_body_size = 9223372036854775807" + feed, line: 2, key: "poll.max_body_size", contains: "out of range")
        expectError("[poll]\nmin_interval = \"99999999999999999999d\"" + feed, line: 2, key: "poll.min_interval", contains: "out of range")
        expectError("[poll]\ninterval = \"99999999999d\"" + feed, line: 2, key: "poll.interval", contains: "out of range")
        expectError("[poll]\ntimeout = \"99999999999h\"" + feed, line: 2, key: "poll.timeout", contains: "out of range")
        expectError("[storage]\nkeep = \"1e400d\"" + feed, line: 2, key: "storage.keep", contains: "bad duration")
        expectError("[[feed]]\nurl = \"https://a.example/\"\ninterval = \"99999999d\"", line: 3, key: "feed[0].interval", contains: "out of range")
    }

    func testATimeoutTooSmallToMeanAnythingIsRefused() {
        // Below a millisecond, libcurl reads 0: no timeout at all.
        expectError("[poll]\ntimeout = \"0.0001s\"" + feed, line: 2, key: "poll.timeout", contains: "out of range")
        expectError("[poll]\nconnect_timeout = \"0.5s\"" + feed, line: 2, key: "poll.connect_timeout", contains: "out of range")
    }

    func testAnOutputNeverReplacesTheDatabaseTheConfigOrAnotherOutput() {
        expectError("[storage]\ndatabase = \"state/db\"\n[output]\npath = \"state/db\"" + feed, line: 4, key: "output.path",
                    contains: "is the database")
        expectError("[storage]\ndatabase = \"state/db\"\n[output]\npath = \"state/db-wal\"" + feed, line: 4, key: "output.path",
                    contains: "is the database")
        expectError("[output]\npath = \"feeds.toml\"" + feed, line: 2, key: "output.path", contains: "is the configuration file")
        expectError("[output]\npath = \"/srv/tributary/feeds.toml\"" + feed, line: 2, key: "output.path", contains: "configuration file")
        expectError("[[output]]\npath = \"a.atom\"\n[[output]]\npath = \"./a.atom\"" + feed, line: 4, key: "output[1].path",
                    contains: "another output")
    }

    func testControlCharactersCannotReachHeadersOrOutputs() {
        expectError("[poll]\nuser_agent = \"x\\r\\nX-Injected: yes\"" + feed, line: 2, key: "poll.user_agent", contains: "control character")
        expectError("[[feed]]\nurl = \"https://a.example/feed\"\nuser_agent = \"a\\nb\"", line: 3, key: "feed[0].user_agent",
                    contains: "control character")
        expectError("[[feed]]\nurl = \"https://a.example/feed\\r\\nX-Injected: yes\"", line: 2, key: "feed[0].url", contains: "control character")
        expectError("[[feed]]\nurl = \"https://a.example/feed\"\nname = \"Dawn\\u0007\"", line: 3, key: "feed[0].name", contains: "control character")
        expectError("[[feed]]\nurl = \"https://a.example/feed\"\ntags = [\"a\\tb\"]", line: 3, key: "feed[0].tags", contains: "control character")
        expectError("[output]\ntitle = \"News\\u001b[31m\"" + feed, line: 2, key: "output.title", contains: "control character")
    }

    func testCRLFFilesKeepTheirLineNumbers() {
        let text = "[poll]\r\ninterval = \"15m\"\r\nconcurency = 3\r\n" + feed
        expectError(text, line: 3, key: "poll.concurency", contains: "unknown key")
    }

    func testMisplacedTablesAreLocated() {
        expectError("[storage]\ndatabase = \"x\"\n\n[pol]\ninterval = \"15m\"" + feed, line: 4, key: "pol", contains: "unknown key")
        expectError("[poll]\ninterval = \"15m\"\n[feed]\nurl = \"https://a.example/\"", line: 3, key: "feed", contains: "[[feed]]")
    }

    func testNonUTF8FilesNameTheLine() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder.appendingPathComponent("feeds.toml").path
        var bytes = Array("[poll]\ninterval = \"15m\"\n[[feed]]\nname = \"".utf8)
        bytes += [0x43, 0x61, 0x66, 0xE9]  // "Café" in Latin-1
        bytes += Array("\"\nurl = \"https://a.example/\"\n".utf8)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        XCTAssertThrowsError(try ConfigLoader().load(path: path)) { error in
            guard let error = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 4, "\(error)")
            XCTAssertEqual(error.column, 12, "\(error)")
            XCTAssertTrue(error.description.contains("not UTF-8"), "\(error)")
        }
    }

    func testSaneValuesStillPass() throws {
        let config = try parse("""
        [poll]
        interval = "30d"
        timeout = "1h"
        connect_timeout = "1s"
        max_body_size = "1GB"
        [storage]
        keep = "3650d"
        [output]
        max_age = "1m"
        [[feed]]
        url = "https://a.example/feed"
        name = "Jang — جنگ"
        user_agent = "Mozilla/5.0 (compatible)"
        """)
        XCTAssertEqual(config.poll.maxBodyBytes, 1 << 30)
        XCTAssertEqual(config.poll.interval, 30 * 86400)
        XCTAssertEqual(config.feeds[0].name, "Jang — جنگ")
    }
}

extension ConfigHostileTests {
    /// Found by the config fuzzer: a control character in a table header aborted the process inside the
    /// TOML library (`check`, `run`, and a SIGHUP reload alike).
    func testRawControlCharactersAreRefusedBeforeTheTOMLLibrarySeesThem() {
        expectError("[\u{07}\0\0poll]\ninterval = \"15m\"" + feed, line: 1, key: nil, contains: "control character U+0007")
        expectError("[poll]\ninterval = \"15m\"\n\u{1B}[31m" + feed, line: 3, key: nil, contains: "U+001B")
        expectError("[poll]\r\ninterval = \"15m\"\r\n# a comment with a bell \u{07}\r\n" + feed, line: 3, key: nil, contains: "U+0007")
        expectError("[po\u{7F}ll]" + feed, line: 1, key: nil, contains: "U+007F")
        // Tabs and both line-end conventions stay fine.
        XCTAssertNoThrow(try parse("[poll]\r\n\tinterval = \"15m\"\r\n" + feed))
    }
}

extension ConfigHostileTests {
    /// Found by the config fuzzer: `[[&eed]]` (a typo away from `[[feed]]`) aborted the process in the TOML
    /// library's key parser; so did any header starting with a character no key may start with.
    func testBadTableHeadersAreRefusedBeforeTheTOMLLibrarySeesThem() {
        expectError("[poll]\ninterval = \"15m\"\n[[&eed]]\nurl = \"https://a.example/\"", line: 3, key: nil, contains: "bad table header")
        expectError("[ &poll ]\ninterval = \"15m\"" + feed, line: 1, key: nil, contains: "bad table header")
        expectError("[poll.&x]\ninterval = \"15m\"" + feed, line: 1, key: nil, contains: "bad table header")
        expectError("[poll] x\ninterval = \"15m\"" + feed, line: 1, key: nil, contains: "bad table header")
        expectError("[# a comment where the name should be\n[poll]" + feed, line: 1, key: nil, contains: "bad table header")
        expectError("\u{FEFF}[#]=ep2/", line: 1, key: nil, contains: "bad table header")
        expectError("[poll]\nx = { a = 1 }" + feed, line: 2, key: nil, contains: "inline tables")
        expectError("g =[}\n", line: 1, key: nil, contains: "inline tables")
        // Valid shapes pass through to the library as before.
        XCTAssertNoThrow(try parse("[ poll ] # comment\ninterval = \"15m\"\n[[ feed ]]\nurl = \"https://a.example/\"\ntags = [\n  \"a\",\n  \"b\",\n]"))
        XCTAssertNil(TOMLGuard.firstProblem("x = \"\"\"\n[&not a header]\n\"\"\"\ny = [\n  [1, 2],\n]"))
    }

    func testTheGuardLeavesOrdinaryFilesAlone() throws {
        let shipped = packageRoot.appendingPathComponent("feeds.toml")
        let text = try String(contentsOf: shipped, encoding: .utf8)
        XCTAssertNil(TOMLGuard.firstProblem(text))
        XCTAssertEqual(TOMLGuard.firstProblem("a = \"{ not a table }\" # { nor this }\nb = '['\nc = ']'"), nil)
    }
}
