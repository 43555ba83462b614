import XCTest
@testable import Tributary

/// What used to take the process down or lose data: deep documents, a store that cannot commit,
/// concurrent starts, foreign and damaged databases, outputs that cannot be written.
final class EnduranceTests: LoopbackTestCase {
    func items(_ prefix: String, _ count: Int) -> [(guid: String, title: String, link: String, text: String, date: String)] {
        (0..<count).map { i in
            ("\(prefix)-\(i)", "\(prefix) story \(i)", "https://\(prefix).example/\(i)", storyText("\(prefix)\(i)"),
             "Mon, 10 Nov 2025 \(String(format: "%02d", i % 24)):00:00 GMT")
        }
    }

    /// A Tributary database as an older release left it: the first `version` migrations, no application id.
    func makeOldDatabase(at path: String, version: Int) throws {
        let old = try SQLiteDatabase(path: path)
        defer { old.close() }
        for migration in Schema.migrations.prefix(version) { try old.execute(migration) }
        try old.execute("PRAGMA user_version = \(version)")
    }

    static func nested(_ depth: Int) -> String {
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>deep</title><item><title>kept</title><guid>k</guid></item>"
            + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</channel></rss>"
    }

    func testDeeplyNestedDocumentsAreBoundedNotFatal() throws {
        // 100,000 levels overflowed the stack while the Swift tree was released.
        let feed = try FeedParser().parse(Data(Self.nested(100_000).utf8))
        XCTAssertEqual(feed.items.map(\.title), ["kept"])
        // Nesting inside an item body, as raw XML and as escaped HTML.
        let body = String(repeating: "<b>", count: 100_000) + "x" + String(repeating: "</b>", count: 100_000)
        let raw = "<rss version=\"2.0\"><channel><item><title>t</title><description>\(body)</description></item></channel></rss>"
        XCTAssertEqual(try FeedParser().parse(Data(raw.utf8)).items.count, 1)
        let escaped = body.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let html = "<rss version=\"2.0\"><channel><item><title>t</title><description>\(escaped)</description></item></channel></rss>"
        XCTAssertEqual(try FeedParser().parse(Data(html.utf8)).items.count, 1)
        // A whole page (feed discovery) nested as deep.
        let page = "<html><body>" + String(repeating: "<div>", count: 100_000) + "x" + String(repeating: "</div>", count: 100_000)
        XCTAssertNotNil(Array(page.utf8).withUnsafeBytes { HTMLDocumentReader.parse($0, encoding: "UTF-8") })
        // And through the full-text extractor, whose passes recurse over the (depth-bounded) tree.
        // The text below the depth bound is not read: no article, and no crash.
        XCTAssertNil(ArticlePage.extract(Array(page.utf8), url: nil))
        // A tree built by hand, deeper than any parser makes, is still released without recursion.
        var top = MarkupElement(name: "a", namespace: nil, prefix: nil, attributes: [], base: nil)
        for _ in 0..<300_000 {
            let parent = MarkupElement(name: "a", namespace: nil, prefix: nil, attributes: [], base: nil)
            parent.children = [.element(top)]
            top = parent
        }
        XCTAssertEqual(top.elements.count, 1)
    }

    func testADeepFeedDoesNotStopTheOthersAndIsRemembered() throws {
        let server = try startServer()
        try server.write("deep.xml", Self.nested(100_000))
        try server.write("good.xml", rssDocument(items: items("good", 3)))
        let config = try writeConfig(folder, feeds: [("Deep", server.url("deep.xml"), []), ("Good", server.url("good.xml"), [])])
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Good: 200, 3 new"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Deep: 200, 1 new"), result.stdout)
        // Its state was stored: the next poll is a conditional one.
        _ = try TributaryBinary.run(["poll", "--config", config.path])
        let second = server.requests().filter { $0["path"] as? String == "/deep.xml" }.last
        XCTAssertNotNil(second?["if_none_match"] as? String)
    }

    func testAStoreThatCannotCommitBacksOffInsteadOfStorming() throws {
        let server = try startServer()
        // More than the free space of the new file's pages can take (16 KB pages, compressed bodies).
        let perFeed = 300
        try server.write("a.xml", rssDocument(items: items("a", perFeed)))
        try server.write("b.xml", rssDocument(items: items("b", perFeed)))
        let config = try ConfigLoader().load(path: try writeConfig(folder, feeds: [("A", server.url("a.xml"), []), ("B", server.url("b.xml"), [])],
                                                                  poll: "[poll]\ninterval = \"10s\"\nmin_interval = \"1s\"\ntimeout = \"5s\"").path)
        let aggregator = try Aggregator(config: config, logger: JournalLogHandler.logger(level: "critical"))
        defer { aggregator.close() }
        // The database may not grow: every commit with items fails with SQLITE_FULL, as on a full disk.
        let pages = try XCTUnwrap(try aggregator.store.db.scalar("PRAGMA page_count"))
        try aggregator.store.db.execute("PRAGMA max_page_count = \(pages)")
        let start = Date()
        var clock = start
        var failures: [String] = []
        for _ in 0..<120 {  // two simulated minutes, a tick a second, as the daemon ticks
            let due = aggregator.dueFeeds(now: clock)
            if !due.isEmpty {
                let report = aggregator.poll(due, now: { clock })
                failures += report.feeds.compactMap(\.error)
            }
            clock += 1
        }
        let requests = server.requests().count
        // With a 10 s interval and backoff (10, 20, 40, 80 s ± 20%) each feed is asked at most 5 times;
        // without it, 120 times each.
        XCTAssertLessThanOrEqual(requests, 10, "\(requests) requests in 120 s")
        XCTAssertGreaterThanOrEqual(requests, 6)
        XCTAssertTrue(failures.allSatisfy { $0.hasPrefix("storage:") }, "\(failures)")
        // The failure is visible to `status`, and nothing half-stored.
        let a = try XCTUnwrap(aggregator.store.allFeeds().first { $0.name == "A" })
        XCTAssertGreaterThanOrEqual(a.failures, 3)
        XCTAssertNil(a.etag, "validators of an uncommitted poll are never kept")
        XCTAssertEqual(try aggregator.store.itemCount(), 0)
        // Space comes back: the next due poll stores everything, exactly once.
        try aggregator.store.db.execute("PRAGMA max_page_count = 1073741823")
        clock += 3600
        let report = aggregator.poll(aggregator.dueFeeds(now: clock), now: { clock })
        XCTAssertEqual(report.feeds.map(\.counts.new).reduce(0, +), 2 * perFeed, report.feeds.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(try aggregator.store.itemCount(), 2 * perFeed)
        XCTAssertEqual(try aggregator.store.allFeeds().map(\.failures), [0, 0])
    }

    func testConcurrentStartsOnANewOrOldDatabaseAllSucceed() throws {
        let server = try startServer()
        try server.write("a.xml", rssDocument(items: items("a", 5)))
        let config = try writeConfig(folder, feeds: [("A", server.url("a.xml"), [])])
        func pollMany(_ count: Int) throws -> [TributaryBinary.Result] {
            let group = DispatchGroup()
            let box = ResultsBox()
            for _ in 0..<count {
                DispatchQueue.global().async(group: group) {
                    let result = try? TributaryBinary.run(["poll", "--config", config.path])
                    box.append(result)
                }
            }
            group.wait()
            return box.results.compactMap { $0 }
        }
        // A new database, eight processes at once.
        let fresh = try pollMany(8)
        XCTAssertEqual(fresh.count, 8)
        for r in fresh { XCTAssertEqual(r.status, 0, r.stderr) }
        // An old one (schema version 3), upgraded by eight at once.
        let db = folder.appendingPathComponent("state/tributary.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        try makeOldDatabase(at: db, version: 3)
        let upgraded = try pollMany(8)
        for r in upgraded { XCTAssertEqual(r.status, 0, r.stderr) }
        let store = try FeedStore(path: db, readOnly: true)
        defer { store.close() }
        XCTAssertEqual(try store.itemCount(), 5)
    }

    func testForeignDatabaseIsRefusedAndLeftUntouched() throws {
        let db = folder.appendingPathComponent("notes.sqlite").path
        do {
            let other = try SQLiteDatabase(path: db)
            try other.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES('mine')")
            other.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let config = try writeConfig(folder, feeds: [("A", "http://127.0.0.1:9/a.xml", [])],
                                     extra: "")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "state/tributary.sqlite", with: "notes.sqlite")
        try Data(text.utf8).write(to: config)
        for command in [["poll"], ["status"]] {
            let result = try TributaryBinary.run(command + ["--config", config.path])
            XCTAssertEqual(result.status, 2, "\(command): \(result.stdout)")
            XCTAssertTrue(result.stderr.contains("not a Tributary database"), result.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "not a byte changed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: db + "-wal"))
    }

    func testDamagedDatabaseIsRefusedWithAClearMessage() throws {
        let server = try startServer()
        try server.write("a.xml", rssDocument(items: items("a", 200)))
        let config = try writeConfig(folder, feeds: [("A", server.url("a.xml"), [])])
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0)
        let db = folder.appendingPathComponent("state/tributary.sqlite")
        // Checkpoint so the pages are in the main file, then overwrite a run of interior pages.
        do { let s = try SQLiteDatabase(path: db.path); try s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); s.close() }
        let handle = try FileHandle(forUpdating: db)
        try handle.seek(toOffset: 4096 * 3)
        handle.write(Data(repeating: 0x5A, count: 4096 * 4))
        try handle.close()
        // The daemon checks at every start; `poll` only after an unclean shutdown, which a left-over
        // write-ahead log shows.
        let daemon = try TributaryBinary.run(["run", "--config", config.path])
        XCTAssertEqual(daemon.status, 2, daemon.stdout)
        XCTAssertTrue(daemon.stderr.contains("is damaged"), daemon.stderr)
        FileManager.default.createFile(atPath: db.path + "-wal", contents: Data(repeating: 0, count: 32))
        let poll = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(poll.status, 2, poll.stdout)
        XCTAssertTrue(poll.stderr.contains("is damaged") || poll.stderr.contains("malformed"), poll.stderr)
    }

    func testStatusNeverMigrates() throws {
        let db = folder.appendingPathComponent("state/tributary.sqlite").path
        try FileManager.default.createDirectory(atPath: (db as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try makeOldDatabase(at: db, version: 3)
        let config = try writeConfig(folder, feeds: [("A", "http://127.0.0.1:9/a.xml", [])])
        let result = try TributaryBinary.run(["status", "--config", config.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("older"), result.stderr)
        let check = try SQLiteDatabase(path: db, readOnly: true)
        XCTAssertEqual(try check.scalar("PRAGMA user_version"), 3, "status left the schema as it was")
        check.close()
    }

    func testAnUnwritableOutputFailsThePollAndNamesThePath() throws {
        let server = try startServer()
        try server.write("a.xml", rssDocument(items: items("a", 3)))
        let config = try writeConfig(folder, feeds: [("A", server.url("a.xml"), [])])
        // The output's folder is a regular file: nothing can be written there.
        try Data("x".utf8).write(to: folder.appendingPathComponent("blocked"))
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "path = \"state/merged.atom\"", with: "path = \"blocked/merged.atom\"")
        try Data(text.utf8).write(to: config)
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stderr.contains(folder.appendingPathComponent("blocked/merged.atom").path), result.stderr)
        XCTAssertTrue(result.stdout.contains("3 items stored"), "the items were stored all the same: \(result.stdout)")
    }

    func testALiveWritersTemporaryFileIsLeftAlone() throws {
        let output = folder.appendingPathComponent("merged.atom").path
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate() }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let live = folder.appendingPathComponent(".merged.atom.tmp-\(sleeper.processIdentifier)").path
        let stale = folder.appendingPathComponent(".merged.atom.tmp-\(dead.processIdentifier)").path
        for path in [live, stale] { FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        AtomicFile.removeStaleTemporaries(of: output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: live))
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
    }

    func testAHugeHeaderLineIsNamed() throws {
        let server = try startServer()
        try server.routes(["/big.xml": ["status": 200, "headers": ["X-Padding": String(repeating: "a", count: 1 << 20)], "body": "<rss/>"]])
        let config = try writeConfig(folder, feeds: [("Big", server.url("big.xml"), [])])
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("header"), result.stdout)
        XCTAssertFalse(result.stdout.contains("Out of memory"), result.stdout)
    }
}

/// Results gathered from concurrent process runs.
private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var results: [TributaryBinary.Result?] = []
    func append(_ r: TributaryBinary.Result?) { lock.lock(); results.append(r); lock.unlock() }
}
