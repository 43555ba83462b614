import XCTest
@testable import Tributary

/// Hostile and broken servers on 127.0.0.1: each fault is classified, scheduled and contained.
final class FaultTests: LoopbackTestCase {
    let goodFeed = rssDocument(items: [
        ("g1", "One", "https://good.example/1", storyText("one"), "Mon, 10 Nov 2025 08:00:00 GMT"),
        ("g2", "Two", "https://good.example/2", storyText("two"), "Mon, 10 Nov 2025 07:00:00 GMT"),
        ("g3", "Three", "https://good.example/3", storyText("three"), "Mon, 10 Nov 2025 06:00:00 GMT"),
    ])

    let faultConfig = """
    [poll]
    interval = "10m"
    concurrency = 16
    timeout = "4s"
    connect_timeout = "2s"
    max_body_size = "1MB"
    """

    func status(_ config: URL) throws -> [String: [String: Any]] {
        let result = try TributaryBinary.run(["status", "--config", config.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as! String, $0) })
    }

    func seconds(until text: Any?, from start: Date) -> Double? {
        guard let text = text as? String, let date = FeedDate.parse(text) else { return nil }
        return date.timeIntervalSince(start)
    }

    /// Runs `tributary poll`, under GNU time when present to read the peak RSS.
    func poll(_ config: URL) throws -> (result: TributaryBinary.Result, peakKB: Int?) {
        let timeBinary = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: timeBinary) else {
            return (try TributaryBinary.run(["poll", "--config", config.path]), nil)
        }
        let report = folder.appendingPathComponent("time-\(UUID().uuidString).txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: timeBinary)
        process.arguments = ["-f", "%M", "-o", report.path, TributaryBinary.path, "poll", "--config", config.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let peak = (try? String(contentsOf: report, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (TributaryBinary.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr), peak)
    }

    func testCompressedBodiesAreInflatedAndUndecodableOnesNamed() throws {
        let server = try startServer()
        let codings = ["gzip", "gzip-members", "deflate", "raw-deflate", "bad-gzip", "br"]
        var routes: [String: Any] = [:]
        var feeds: [(name: String, url: String, tags: [String])] = []
        for coding in codings {
            // Each outlet's own stories, so that every feed's items are new.
            let items = (1...3).map { i in
                ("\(coding)-\(i)", "\(coding) story \(i)", "https://\(coding).example/\(i)", storyText("\(coding)\(i)"),
                 "Mon, 10 Nov 2025 0\(i):00:00 GMT")
            }
            try server.write("\(coding).xml", rssDocument(items: items) + String(repeating: "<!-- padding -->\n", count: 2000))
            routes["/\(coding).xml"] = ["encoding": coding]
            feeds.append((coding, server.url("\(coding).xml"), []))
        }
        try server.routes(routes)
        let config = try writeConfig(folder, feeds: feeds, poll: faultConfig)
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(server.requests().allSatisfy { ($0["accept_encoding"] as? String) == "gzip, deflate" })
        let rows = try status(config)
        for coding in ["gzip", "gzip-members", "deflate", "raw-deflate"] {
            XCTAssertEqual(rows[coding]?["items"] as? Int, 3, "\(coding): \(rows[coding]?["last_error"] ?? "")")
        }
        XCTAssertEqual(rows["bad-gzip"]?["last_error"] as? String, "the body is not valid gzip data")
        XCTAssertEqual(rows["br"]?["last_error"] as? String, "the server sent Content-Encoding \"br\", which was not asked for")
        XCTAssertEqual(rows["br"]?["failures"] as? Int, 1)
    }

    func testInflatingTrustsNeitherTheTrailerNorTheServer() throws {
        let text = Array(String(repeating: "A story told at length. ", count: 4000).utf8)
        let body = try XCTUnwrap(Gzip.compress(text))
        XCTAssertEqual(try ContentDecoding.decode(Data(body), encoding: "gzip", limit: 1 << 20).get(), Data(text))
        // Two members: the trailer read first is the short second one's, so the first needs a second attempt.
        let tail = Array(" The end.".utf8)
        let members = body + (try XCTUnwrap(Gzip.compress(tail)))
        XCTAssertEqual(try ContentDecoding.decode(Data(members), encoding: "gzip", limit: 1 << 20).get(), Data(text + tail))
        // The limit holds for the inflated size, whatever the trailer says.
        XCTAssertEqual(ContentDecoding.decode(Data(members), encoding: "gzip", limit: text.count + 2),
                       .failure(.tooLarge(limit: text.count + 2)))
        XCTAssertEqual(ContentDecoding.decode(Data(body), encoding: "gzip", limit: text.count - 1),
                       .failure(.tooLarge(limit: text.count - 1)))
        // A trailer that does not match the data is corrupt data, not a reason to allocate more.
        var lying = body
        lying.replaceSubrange((body.count - 4)..., with: [16, 0, 0, 0])
        XCTAssertEqual(ContentDecoding.decode(Data(lying), encoding: "gzip", limit: 1 << 20),
                       .failure(.network("the body is not valid gzip data")))
        XCTAssertEqual(try ContentDecoding.decode(Data(text), encoding: "identity", limit: 1 << 20).get(), Data(text))
        XCTAssertEqual(try ContentDecoding.decode(Data(body), encoding: " GZIP ", limit: 1 << 20).get(), Data(text))
    }

    func testEachFaultIsClassifiedScheduledAndContained() throws {
        let main = try startServer()
        let busy = try startServer()     // answers 503 + Retry-After for every path
        let limited = try startServer()  // answers 429 + Retry-After as an HTTP date
        try main.write("good.xml", goodFeed)
        let retryDate = Date().addingTimeInterval(300)
        try main.routes([
            "/hang.xml": ["mode": "hang", "seconds": 30],
            "/reset.xml": ["mode": "reset"],
            "/slow.xml": ["mode": "slow", "seconds": 30],
            "/big.xml": ["mode": "big", "size": 50 * 1024 * 1024],
            "/chunked.xml": ["mode": "chunked-big", "size": 50 * 1024 * 1024],
            "/bomb.xml": ["mode": "gzipbomb", "size": 200 * 1024 * 1024],
            "/e500.xml": ["status": 500, "body": "oops"],
            "/loop.xml": ["status": 302, "location": main.url("loop.xml")],
            "/file.xml": ["status": 302, "location": "file:///etc/passwd"],
            "/gopher.xml": ["status": 301, "location": "gopher://127.0.0.1/x"],
            "/gone.xml": ["status": 410, "body": "gone"],
        ])
        try busy.routes(["*": ["status": 503, "headers": ["Retry-After": "120"], "body": "busy"]])
        try limited.routes(["*": ["status": 429, "headers": ["Retry-After": HTTPDate.format(retryDate)], "body": "slow down"]])
        let names = ["hang", "reset", "slow", "big", "chunked", "bomb", "e500", "loop", "file", "gopher", "gone", "missing"]
        var feeds = [("Good", main.url("good.xml"), [String]())]
        feeds += names.map { ($0, main.url("\($0).xml"), [String]()) }
        feeds += [("Busy", busy.url("a.xml"), []), ("Limited", limited.url("a.xml"), [])]
        let config = try writeConfig(folder, feeds: feeds, poll: faultConfig)

        let start = Date()
        let (result, peakKB) = try poll(config)
        let wall = Date().timeIntervalSince(start)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertLessThan(wall, 12, "the cycle is bounded by the 4 s timeout, not by the slowest server")
        if let peakKB { XCTAssertLessThan(peakKB, 120_000, "memory stays bounded with 50 MB bodies and a gzip bomb") }

        // The good feed was not held up by the hanging ones.
        let goodRequest = try XCTUnwrap(main.requests().first { $0["path"] as? String == "/good.xml" })
        XCTAssertLessThan((goodRequest["end"] as! Double) - start.timeIntervalSince1970, 3)
        XCTAssertTrue(result.stdout.contains("Good: 200, 3 new"), result.stdout)

        let rows = try status(config)
        func error(_ name: String) -> String { rows[name]?["last_error"] as? String ?? "" }
        func next(_ name: String) -> Double? { seconds(until: rows[name]?["next_poll"], from: start) }
        XCTAssertTrue(error("hang").contains("timed out"), error("hang"))
        XCTAssertTrue(error("slow").contains("timed out"), error("slow"))
        XCTAssertFalse(error("reset").isEmpty)
        XCTAssertFalse(error("reset").contains("timed out"), "a reset is seen at once: \(error("reset"))")
        for name in ["big", "chunked", "bomb"] {
            XCTAssertTrue(error(name).contains("larger than"), "\(name): \(error(name))")
        }
        XCTAssertEqual(error("e500"), "HTTP 500")
        XCTAssertEqual(error("loop"), "too many redirects")
        XCTAssertTrue(error("file").contains("refused redirect"), error("file"))
        XCTAssertTrue(error("gopher").contains("refused redirect"), error("gopher"))
        XCTAssertEqual(error("missing"), "HTTP 404 Not Found")

        // Failures back off from the interval (10 min) with ±20% jitter, and are counted.
        for name in ["hang", "reset", "slow", "big", "chunked", "bomb", "e500", "loop", "file"] {
            XCTAssertEqual(rows[name]?["failures"] as? Int, 1, name)
            let wait = try XCTUnwrap(next(name), name)
            XCTAssertGreaterThanOrEqual(wait, 480 - 1, name)
            XCTAssertLessThanOrEqual(wait, 720 + 15, name)
        }
        // Retry-After is obeyed exactly, for the host and port that sent it.
        XCTAssertEqual(try XCTUnwrap(next("Busy")), 120, accuracy: 15)
        XCTAssertEqual(try XCTUnwrap(next("Limited")), 300, accuracy: 15)
        // 404 keeps being retried, at the cap; 410 stops the feed and says so.
        XCTAssertEqual(try XCTUnwrap(next("missing")), 86400, accuracy: 60)
        XCTAssertEqual(rows["gone"]?["gone"] as? Bool, true)
        XCTAssertTrue(rows["gone"]?["next_poll"] is NSNull)
        XCTAssertTrue(error("gone").contains("410"))

        // Nothing from the failures reached the database; the good items are intact.
        XCTAssertEqual(rows["Good"]?["items"] as? Int, 3)
        let store = try FeedStore(path: folder.appendingPathComponent("state/tributary.sqlite").path)
        XCTAssertEqual(try store.itemCount(), 3)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let merged = try String(contentsOf: folder.appendingPathComponent("state/merged.atom"), encoding: .utf8)
        XCTAssertFalse(merged.contains("root:"), "nothing from /etc/passwd")

        // A second run skips the gone feed, and a new feed on the host that asked to wait is not
        // fetched before its Retry-After, even by a new process.
        let withSibling = try writeConfig(folder, feeds: feeds + [("Busy sibling", busy.url("b.xml"), [])], poll: faultConfig)
        let again = try TributaryBinary.run(["poll", "--config", withSibling.path])
        XCTAssertTrue(again.stdout.contains("gone: skipped"), again.stdout)
        XCTAssertTrue(again.stdout.contains("Busy sibling: waiting: host asked to wait until"), again.stdout)
        XCTAssertFalse(main.requests().contains { $0["path"] as? String == "/gone.xml" && ($0["n"] as? Int) == 2 })
        XCTAssertFalse(busy.requests().contains { $0["path"] as? String == "/b.xml" }, "the held host was left alone")
        let sibling = try XCTUnwrap(status(withSibling)["Busy sibling"])
        XCTAssertEqual(try XCTUnwrap(seconds(until: sibling["next_poll"], from: start)), 120, accuracy: 20)
        XCTAssertEqual(sibling["failures"] as? Int, 0)
    }

    func testPermanentRedirectIsLearnedAfterTwoPolls() throws {
        let server = try startServer()
        try server.write("new.xml", goodFeed)
        try server.routes(["/old.xml": ["status": 301, "location": server.url("new.xml")]])
        let config = try writeConfig(folder, feeds: [("Moved", server.url("old.xml"), [])])
        for _ in 0..<3 { XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0) }
        let paths = server.requests().map { $0["path"] as! String }
        XCTAssertEqual(paths, ["/old.xml", "/new.xml", "/old.xml", "/new.xml", "/new.xml"],
                       "after two polls that both saw the 301, the new address is used directly")
        let fourth = try TributaryBinary.run(["poll", "--config", config.path, "--log-level", "info"])
        XCTAssertTrue(fourth.stdout.contains("Moved: 304"), fourth.stdout)
    }

    func testRecoveredFeedReturnsToItsIntervalAtOnce() throws {
        let server = try startServer()
        try server.write("flaky.xml", goodFeed)
        try server.routes(["/flaky.xml": [["status": 500], ["status": 502], ["file": "flaky.xml"]]])
        let config = try writeConfig(folder, feeds: [("Flaky", server.url("flaky.xml"), [])], poll: faultConfig)
        var failures: [Int] = []
        var waits: [Double] = []
        for _ in 0..<3 {
            let start = Date()
            XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0)
            let row = try XCTUnwrap(status(config)["Flaky"])
            failures.append(row["failures"] as! Int)
            waits.append(try XCTUnwrap(seconds(until: row["next_poll"], from: start)))
        }
        XCTAssertEqual(failures, [1, 2, 0])
        XCTAssertEqual(waits[0], 600, accuracy: 125)   // base interval ±20%
        XCTAssertEqual(waits[1], 1200, accuracy: 245)  // doubled
        XCTAssertEqual(waits[2], 600, accuracy: 35)    // back to normal (±5% jitter)
    }

    func testPerHostLimitAcross200FeedsOn4Hosts() throws {
        var feeds: [(String, String, [String])] = []
        for h in 0..<4 {
            let server = try startServer()
            try server.routes(["*": ["delay": 0.05, "file": "feed.xml"]])
            try server.write("feed.xml", rssDocument(items: [("x\(h)", "Host \(h)", "https://h\(h).example/1", storyText("h\(h)"), "Mon, 10 Nov 2025 08:00:00 GMT")]))
            for f in 0..<50 { feeds.append(("h\(h)-f\(f)", server.url("f\(f).xml"), [])) }
        }
        let config = try writeConfig(folder, feeds: feeds, poll: """
        [poll]
        concurrency = 8
        per_host = 2
        timeout = "20s"
        """)
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("total: 200 feeds, 200 ok, 0 failed"), result.stdout)
        for (index, server) in servers.enumerated() {
            let log = server.requests()
            XCTAssertEqual(log.count, 50)
            let maxActive = log.map { $0["active"] as! Int }.max() ?? 0
            let maxConnections = log.map { $0["max_connections"] as! Int }.max() ?? 0
            XCTAssertLessThanOrEqual(maxActive, 2, "host \(index) served more than 2 requests at once")
            XCTAssertLessThanOrEqual(maxConnections, 2, "host \(index) saw more than 2 connections at once")
            XCTAssertGreaterThanOrEqual(maxActive, 2, "the limit is used, not undershot")
        }
    }

    func testShorterIntervalAppliesOnRestartButHintsSurviveIt() throws {
        let server = try startServer()
        try server.write("a.xml", goodFeed)
        try server.write("b.xml", goodFeed.replacingOccurrences(of: "good.example", with: "other.example"))
        try server.routes(["/b.xml": ["file": "b.xml", "headers": ["Cache-Control": "max-age=7200"]]])
        func config(_ interval: String) throws -> Configuration {
            let url = try writeConfig(folder, feeds: [("A", server.url("a.xml"), []), ("B", server.url("b.xml"), [])],
                                      poll: "[poll]\ninterval = \"\(interval)\"\ntimeout = \"5s\"")
            return try ConfigLoader().load(path: url.path)
        }
        let logger = JournalLogHandler.logger(level: "critical")
        let first = try Aggregator(config: try config("1h"), logger: logger)
        let start = Date()
        _ = first.poll(first.activeFeeds())
        first.close()
        let restarted = try Aggregator(config: try config("10m"), logger: logger)
        defer { restarted.close() }
        let a = try XCTUnwrap(restarted.records[server.url("a.xml")]?.nextPollAt)
        let b = try XCTUnwrap(restarted.records[server.url("b.xml")]?.nextPollAt)
        XCTAssertEqual(a.timeIntervalSince(start), 600, accuracy: 30, "the shorter interval counts from the last poll")
        XCTAssertEqual(b.timeIntervalSince(start), 600, accuracy: 30,
                       "a feed planned by interval moves too, even when its hint was longer than the new interval")
        // Hints are honoured again at the next poll: max-age=7200 raises B's 10 minutes to 2 hours.
        _ = restarted.poll(restarted.activeFeeds())
        let hinted = try XCTUnwrap(restarted.records[server.url("b.xml")]?.nextPollAt)
        XCTAssertEqual(hinted.timeIntervalSince(Date()), 7200, accuracy: 400)
    }

    func testBackoffDoublesAndCaps() {
        var planner = PollPlanner(poll: PollSettings())
        planner.jitter = { _ in 1 }
        let feed = FeedSettings(name: "x", url: "https://x.example/", interval: 600, tags: [], userAgent: nil)
        let now = Date(timeIntervalSince1970: 0)
        let waits = (1...12).map { planner.nextAfterFailure(feed: feed, failures: $0, now: now).timeIntervalSince1970 }
        XCTAssertEqual(Array(waits.prefix(5)), [600, 1200, 2400, 4800, 9600])
        XCTAssertEqual(waits.last, 86400)
        // Publisher hints raise the interval but never lower it.
        XCTAssertEqual(planner.nextAfterSuccess(feed: feed, now: now, hint: ResponseHeaders.freshness(["cache-control": "max-age=3600"], now: now))
            .timeIntervalSince1970, 3600)
        XCTAssertEqual(planner.nextAfterSuccess(feed: feed, now: now, hint: ResponseHeaders.freshness(["cache-control": "max-age=60"], now: now))
            .timeIntervalSince1970, 600)
        XCTAssertEqual(planner.nextAfterSuccess(feed: feed, now: now, hint: 7200).timeIntervalSince1970, 7200)
        XCTAssertEqual(ResponseHeaders.retryAfter(["retry-after": "120"], now: now), 120)
        XCTAssertEqual(ResponseHeaders.retryAfter(["retry-after": "Thu, 01 Jan 1970 00:05:00 GMT"], now: now), 300)
    }
}
