import XCTest
@testable import Tributary

/// End-to-end runs of the real binary against a real HTTP server on 127.0.0.1.
final class IntegrationTests: XCTestCase {
    var folder: URL!
    var server: FeedServer!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder(self)
        let root = folder.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        server = try FeedServer(root: root)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: TributaryBinary.path),
                      "build the binary first (swift build): \(TributaryBinary.path)")
    }

    override func tearDown() {
        server?.stop()
    }

    let date = "Mon, 10 Nov 2025 08:00:00 GMT"

    func outletA(firstTitle: String = "Floods in Sindh") -> String {
        rssDocument(title: "Outlet A", link: "https://a.example/", items: [
            ("a1", firstTitle, "https://a.example/news/floods", storyText("floods"), date),
            ("a2", "Budget passed", "https://a.example/news/budget", storyText("budget"), "Mon, 10 Nov 2025 07:00:00 GMT"),
            ("a3", "Cricket win", "https://a.example/news/cricket", storyText("cricket"), "Mon, 10 Nov 2025 06:00:00 GMT"),
        ])
    }

    /// Outlet B republishes A's floods story under a tracking URL, the budget story's text under its own URL, and one story of its own.
    func outletB() -> String {
        rssDocument(title: "Outlet B", link: "https://b.example/", items: [
            ("b1", "Floods in Sindh (B)", "http://www.a.example/news/floods?utm_source=rss&amp;fbclid=zz", "different text", date),
            ("b2", "Budget passed - Outlet B", "https://b.example/2025/budget", "<p>\(storyText("budget"))</p>", date),
            ("b3", "Local weather", "https://b.example/weather", storyText("weather"), date),
        ])
    }

    func entries(_ atom: URL) throws -> [FeedItem] {
        try FeedParser().parse(Data(contentsOf: atom)).items
    }

    func testPollStoresDeduplicatesAndThenGets304() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        // A publishes first; B, added later, carries two of A's stories.
        let configA = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), ["pakistan"])])
        let firstA = try TributaryBinary.run(["poll", "--config", configA.path])
        XCTAssertEqual(firstA.status, 0, firstA.stderr)
        XCTAssertTrue(firstA.stdout.contains("Outlet A: 200, 3 new"), firstA.stdout)
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), ["pakistan"]),
                                                     ("Outlet B", server.url("b.xml"), [])])
        let first = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("Outlet A: 304"), first.stdout)
        XCTAssertTrue(first.stdout.contains("Outlet B: 200, 1 new, 0 updated, 2 duplicate"), first.stdout)
        let atom = folder.appendingPathComponent("state/merged.atom")
        let merged = try entries(atom)
        XCTAssertEqual(merged.count, 4, "3 stories from A plus B's own")
        XCTAssertEqual(Set(merged.compactMap(\.title)), ["Floods in Sindh", "Budget passed", "Cricket win", "Local weather"])
        let text = try String(contentsOf: atom, encoding: .utf8)
        XCTAssertTrue(text.contains("rel=\"via\""), "the second outlet is recorded")
        let modified = try FileManager.default.attributesOfItem(atPath: atom.path)[.modificationDate] as? Date

        let second = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("Outlet A: 304"), second.stdout)
        XCTAssertTrue(second.stdout.contains("Outlet B: 304"), second.stdout)
        XCTAssertTrue(second.stdout.contains("0 new, 0 updated, 0 duplicate, 0 near-duplicate, 4 items stored"), second.stdout)
        let conditional = server.requests().filter { ($0["path"] as? String == "/a.xml" && ($0["n"] as? Int)! >= 2)
            || ($0["path"] as? String == "/b.xml" && ($0["n"] as? Int) == 2) }
        XCTAssertEqual(conditional.count, 3)
        XCTAssertTrue(conditional.allSatisfy { $0["if_none_match"] is String && $0["if_modified_since"] is String })
        XCTAssertTrue(server.requests().allSatisfy { ($0["user_agent"] as? String)?.hasPrefix("Tributary/") == true })
        let modifiedAfter = try FileManager.default.attributesOfItem(atPath: atom.path)[.modificationDate] as? Date
        XCTAssertEqual(modified, modifiedAfter, "an unchanged output is not rewritten")
    }

    func testPerFeedUserAgentOverride() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), []), ("Outlet B", server.url("b.xml"), [])])
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "name = \"Outlet B\"", with: "name = \"Outlet B\"\nuser_agent = \"Mozilla/5.0 (compatible; Tributary)\"")
        try Data(text.utf8).write(to: config)
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0)
        let agents = Dictionary(server.requests().map { ($0["path"] as! String, $0["user_agent"] as! String) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(agents["/b.xml"], "Mozilla/5.0 (compatible; Tributary)")
        XCTAssertEqual(agents["/a.xml"], PollSettings.defaultUserAgent)
        XCTAssertTrue(server.requests().allSatisfy { ($0["accept_encoding"] as? String)?.contains("gzip") == true })
    }

    func testUnchangedBodyWithoutValidatorsIsNotParsedAgain() throws {
        // A server that sends neither ETag nor Last-Modified: every poll is a full 200.
        try server.routes(["/plain.xml": ["body": outletA(), "headers": ["Content-Type": "application/rss+xml"]]])
        let config = try writeConfig(folder, feeds: [("Plain", server.url("plain.xml"), [])])
        let first = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(first.stdout.contains("Plain: 200, 3 new"), first.stdout)
        let second = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(second.stdout.contains("Plain: 200, 0 new, 0 updated, 0 duplicate, 0 near-duplicate, 0 unchanged"),
                      "identical bytes are recognised before parsing: \(second.stdout)")
        XCTAssertTrue(server.requests().allSatisfy { $0["if_none_match"] is NSNull || $0["if_none_match"] == nil })
        try server.routes(["/plain.xml": ["body": outletA(firstTitle: "Edited"), "headers": ["Content-Type": "application/rss+xml"]]])
        let third = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(third.stdout.contains("Plain: 200, 0 new, 1 updated, 0 duplicate, 0 near-duplicate, 2 unchanged"), third.stdout)
    }

    func testEditedItemIsUpdatedInPlace() throws {
        try server.write("a.xml", outletA())
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), [])])
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0)
        let atom = folder.appendingPathComponent("state/merged.atom")
        let before = try entries(atom)
        try server.write("a.xml", outletA(firstTitle: "Floods in Sindh: death toll rises"))
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertTrue(result.stdout.contains("Outlet A: 200, 0 new, 1 updated"), result.stdout)
        let after = try entries(atom)
        XCTAssertEqual(after.count, before.count)
        let edited = try XCTUnwrap(after.first { $0.title == "Floods in Sindh: death toll rises" })
        XCTAssertEqual(edited.id, before.first { $0.title == "Floods in Sindh" }?.id, "same entry id after the edit")
    }

    func testBrokenFeedsDoNotStopTheOthers() throws {
        try server.write("a.xml", outletA())
        try server.write("junk.xml", "<rss><channel><title>cut off")
        try server.write("html.xml", "<html><body>Not a feed</body></html>")
        try server.routes(["/err.xml": ["status": 500, "body": "oops"]])
        let config = try writeConfig(folder, feeds: [
            ("Errors", server.url("err.xml"), []), ("Truncated", server.url("junk.xml"), []),
            ("Webpage", server.url("html.xml"), []), ("Missing", server.url("missing.xml"), []),
            ("Unreachable", "http://127.0.0.1:9/feed.xml", []), ("Outlet A", server.url("a.xml"), []),
        ])
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, "a cycle with failing feeds still exits 0")
        XCTAssertTrue(result.stdout.contains("Errors: failed: HTTP 500"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Webpage: failed: not a feed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Missing: failed: HTTP 404"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Unreachable: failed:"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Outlet A: 200, 3 new"), result.stdout)
        XCTAssertEqual(try entries(folder.appendingPathComponent("state/merged.atom")).count, 3)

        let status = try TributaryBinary.run(["status", "--config", config.path, "--json"])
        XCTAssertEqual(status.status, 0, status.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let errors = try XCTUnwrap(rows.first { $0["name"] as? String == "Errors" })
        XCTAssertEqual(errors["failures"] as? Int, 1)
        XCTAssertEqual(errors["last_status"] as? Int, 500)
        XCTAssertNotNil(errors["next_poll"] as? String)
        XCTAssertEqual(rows.first { $0["name"] as? String == "Outlet A" }?["items"] as? Int, 3)
    }

    func testBadConfigExitsTwoWithLocation() throws {
        let config = folder.appendingPathComponent("bad.toml")
        try Data("[poll]\nintervall = \"5m\"\n".utf8).write(to: config)
        for command in ["check", "poll", "run"] {
            let result = try TributaryBinary.run([command, "--config", config.path])
            XCTAssertEqual(result.status, 2, command)
            XCTAssertTrue(result.stderr.contains("\(config.path):2:1: poll.intervall: unknown key"), result.stderr)
        }
        let good = try writeConfig(folder, feeds: [("A", "https://a.example/feed", [])])
        let ok = try TributaryBinary.run(["check", "--config", good.path])
        XCTAssertEqual(ok.status, 0)
    }

    func testDaemonReloadsOnHUPAndStopsOnTERM() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), [])])
        let log = folder.appendingPathComponent("daemon.log")
        let daemon = try TributaryBinary.start(["run", "--config", config.path], log: log)
        defer { if daemon.isRunning { daemon.terminate() } }
        let atom = folder.appendingPathComponent("state/merged.atom")
        XCTAssertTrue(eventually(timeout: 15) { ((try? entries(atom)) ?? []).count == 3 }, "first cycle writes A's items")

        // A broken config is rejected and the running one kept.
        try Data("[[feed]]\nurl = 3\n".utf8).write(to: config)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(eventually(timeout: 10) {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("reload rejected")
        })
        XCTAssertTrue(daemon.isRunning)

        _ = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), []), ("Outlet B", server.url("b.xml"), [])])
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(eventually(timeout: 15) { ((try? entries(atom)) ?? []).count == 4 }, "a feed added by reload is polled at once")

        // status reads the database while the daemon holds it.
        let status = try TributaryBinary.run(["status", "--config", config.path])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("Outlet B"), status.stdout)
        XCTAssertTrue(status.stdout.hasPrefix("NAME"), status.stdout)

        try assertStopsCleanly(daemon, items: 4)
    }

    func testReloadRemovesFeedsAndAppliesNewIntervals() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), []), ("Outlet B", server.url("b.xml"), [])],
                                     poll: "[poll]\ninterval = \"1h\"\ntimeout = \"5s\"")
        let daemon = try TributaryBinary.start(["run", "--config", config.path], log: folder.appendingPathComponent("log"))
        defer { if daemon.isRunning { daemon.terminate() } }
        let atom = folder.appendingPathComponent("state/merged.atom")
        XCTAssertTrue(eventually(timeout: 15) { ((try? entries(atom)) ?? []).count == 4 })

        // Remove A and poll B every 2 s: A's own stories leave the output, B's stay, B is polled again.
        _ = try writeConfig(folder, feeds: [("Outlet B", server.url("b.xml"), [])],
                            poll: "[poll]\ninterval = \"1h\"\ntimeout = \"5s\"\nmin_interval = \"1s\"")
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "url = \"\(server.url("b.xml"))\"", with: "url = \"\(server.url("b.xml"))\"\ninterval = \"2s\"")
        try Data(text.utf8).write(to: config)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(eventually(timeout: 10) {
            let titles = Set(((try? entries(atom)) ?? []).compactMap(\.title))
            // B carries the floods and budget stories too, so they stay, now under B.
            return titles == ["Floods in Sindh (B)", "Budget passed - Outlet B", "Local weather"]
                || titles == ["Floods in Sindh", "Budget passed", "Local weather"]
        }, "\(((try? entries(atom)) ?? []).compactMap(\.title))")
        XCTAssertFalse(((try? entries(atom)) ?? []).contains { $0.title == "Cricket win" }, "a removed outlet's own story leaves")
        XCTAssertTrue(eventually(timeout: 10) { server.requests().filter { $0["path"] as? String == "/b.xml" }.count >= 3 },
                      "the shorter interval takes effect without a restart")
        try assertStopsCleanly(daemon, items: 4)
    }

    func testKillDuringAPollLosesNothingCommitted() throws {
        try server.write("a.xml", outletA())
        var feeds = [("Outlet A", server.url("a.xml"), [String]())]
        var routes: [String: Any] = [:]
        for i in 0..<20 {
            try server.write("s\(i).xml", rssDocument(items: [("s\(i)", "Slow \(i)", "https://s.example/\(i)", storyText("s\(i)"), "Mon, 10 Nov 2025 08:00:00 GMT")]))
            routes["/s\(i).xml"] = ["delay": 0.2 * Double(i % 5), "file": "s\(i).xml"]
            feeds.append(("Slow \(i)", server.url("s\(i).xml"), []))
        }
        try server.routes(routes)
        let config = try writeConfig(folder, feeds: feeds)
        // A stale temporary file from an earlier crash is cleaned up at start.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("state"), withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: folder.appendingPathComponent("state/.merged.atom.tmp-999999"))
        let daemon = try TributaryBinary.start(["run", "--config", config.path], log: folder.appendingPathComponent("log"))
        XCTAssertTrue(eventually(timeout: 10) { server.requests().count >= 8 })
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let store = try FeedStore(path: folder.appendingPathComponent("state/tributary.sqlite").path)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let stored = try store.itemCount()
        store.close()
        // A new run completes the work; nothing committed before the kill is lost or doubled.
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let reopened = try FeedStore(path: folder.appendingPathComponent("state/tributary.sqlite").path)
        XCTAssertGreaterThanOrEqual(try reopened.itemCount(), stored)
        XCTAssertEqual(try reopened.itemCount(), 23)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("state/.merged.atom.tmp-999999").path))
        XCTAssertEqual(try entries(folder.appendingPathComponent("state/merged.atom")).count, 23)
    }

    func testSIGTERMDuringAPollExitsCleanly() throws {
        try server.write("a.xml", outletA())
        try server.routes(["/slow.xml": ["mode": "hang", "seconds": 30]])
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), []), ("Slow", server.url("slow.xml"), [])],
                                     extra: "")
        let log = folder.appendingPathComponent("daemon.log")
        let daemon = try TributaryBinary.start(["run", "--config", config.path], log: log)
        defer { if daemon.isRunning { daemon.terminate() } }
        XCTAssertTrue(eventually(timeout: 10) { server.requests().contains { $0["path"] as? String == "/a.xml" } })
        Thread.sleep(forTimeInterval: 0.5) // the slow transfer is now in flight
        try assertStopsCleanly(daemon, items: 3) // the finished feed's items were kept
    }

    /// SIGTERM: exit 0 within 5 s, database intact and holding `items`.
    func assertStopsCleanly(_ daemon: Process, items: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let stopAsked = Date()
        kill(daemon.processIdentifier, SIGTERM)
        XCTAssertTrue(eventually(timeout: 6) { !daemon.isRunning }, file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(stopAsked), 5, file: file, line: line)
        XCTAssertEqual(daemon.terminationStatus, 0, file: file, line: line)
        let store = try FeedStore(path: folder.appendingPathComponent("state/tributary.sqlite").path)
        XCTAssertEqual(try store.integrityCheck(), "ok", file: file, line: line)
        XCTAssertEqual(try store.itemCount(), items, file: file, line: line)
    }

    func testSeveralOutputsWithTagFiltersAndJSON() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        let outputs = """
        [[output]]
        path = "out/all.atom"
        title = "Everything"
        link = "https://feeds.example/all.atom"
        [[output]]
        path = "out/pakistan.atom"
        title = "Pakistan only"
        tags = ["pakistan"]
        [[output]]
        path = "out/world.json"
        title = "World"
        tags = ["world"]
        format = "json"
        """
        var text = try String(contentsOf: writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), ["pakistan"])]),
                              encoding: .utf8)
        text = text.replacingOccurrences(of: "[output]\npath = \"state/merged.atom\"\ntitle = \"Test merged\"\nmax_entries = 100\n", with: outputs + "\n")
        text += "[[feed]]\nname = \"Outlet B\"\nurl = \"\(server.url("b.xml"))\"\ntags = [\"world\"]\n"
        let config = folder.appendingPathComponent("multi.toml")
        try Data(text.utf8).write(to: config)
        let result = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        let all = try entries(folder.appendingPathComponent("out/all.atom"))
        XCTAssertEqual(all.count, 4)
        let pakistan = try entries(folder.appendingPathComponent("out/pakistan.atom"))
        XCTAssertEqual(Set(pakistan.compactMap(\.title)).count, 3, "A's three stories; B's own weather story is not tagged pakistan")
        XCTAssertFalse(pakistan.contains { $0.title == "Local weather" })
        XCTAssertTrue(pakistan.allSatisfy { $0.categories.contains("pakistan") })
        let world = try FeedParser().parse(Data(contentsOf: folder.appendingPathComponent("out/world.json")))
        XCTAssertEqual(world.format, .json)
        XCTAssertEqual(world.items.count, 3, "B's own story and the two it shares with A")
        XCTAssertTrue(world.items.contains { $0.title == "Local weather" })
        XCTAssertFalse(world.items.contains { $0.title == "Cricket win" })
        XCTAssertTrue(try String(contentsOf: folder.appendingPathComponent("out/all.atom"), encoding: .utf8)
            .contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://feeds.example/all.atom\"/>"))
        for name in ["out/all.atom", "out/pakistan.atom"] { try checkAtom(folder.appendingPathComponent(name)) }
    }

    /// Runs ../shared/tools/check-atom --strict on an output, when the checker is there.
    func checkAtom(_ file: URL, line: UInt = #line) throws {
        let checker = packageRoot.appendingPathComponent("../shared/tools/check-atom/check-atom").standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: checker) else { throw XCTSkip("no check-atom at \(checker)") }
        var environment: [String: String]?
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            // Debian's python3 is the one that sees python3-lxml and python3-feedparser.
            environment = ProcessInfo.processInfo.environment
            environment?["PYTHON"] = "/usr/bin/python3"
        }
        let (status, text) = try runTool(checker, ["--strict", file.path], environment: environment)
        XCTAssertEqual(status, 0, text, line: line)
        XCTAssertFalse(text.contains("FAIL"), text, line: line)
    }

    func testMergedOutputPassesCheckAtom() throws {
        try server.write("a.xml", outletA())
        try server.write("b.xml", outletB())
        let config = try writeConfig(folder, feeds: [("Outlet A", server.url("a.xml"), ["pakistan"]),
                                                     ("Outlet B", server.url("b.xml"), ["world"])])
        XCTAssertEqual(try TributaryBinary.run(["poll", "--config", config.path]).status, 0)
        try checkAtom(folder.appendingPathComponent("state/merged.atom"))
    }

}
