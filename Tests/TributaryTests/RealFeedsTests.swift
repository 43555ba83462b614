import XCTest
@testable import Tributary

/// The 148 real-world feeds of ../shared/conformance, served from 127.0.0.1 and merged by one poll: the
/// Atom output must pass every check-atom check (the W3C validator included) and the JSON Feed output the
/// JSON Feed 1.1 rules, with no double-encoded text in either.
final class RealFeedsTests: LoopbackTestCase {
    func testMergedRealFeedsPassEveryValidator() throws {
        let corpus = packageRoot.appendingPathComponent("../shared/conformance/corpus/real").standardizedFileURL
        let checker = packageRoot.appendingPathComponent("../shared/tools/check-atom/check-atom").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: corpus.path), FileManager.default.isExecutableFile(atPath: checker) else {
            throw XCTSkip("no ../shared/conformance/corpus/real or check-atom")
        }
        let server = try startServer()
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { !$0.hasSuffix(".tsv") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 148)
        for name in names {
            try FileManager.default.copyItem(at: corpus.appendingPathComponent(name), to: server.root.appendingPathComponent(name))
        }
        var text = """
        [storage]
        database = "state/db.sqlite"
        [[output]]
        path = "state/merged.atom"
        title = "Real feeds"
        max_entries = 100000
        [[output]]
        path = "state/merged.json"
        format = "json"
        title = "Real feeds"
        max_entries = 100000
        [poll]
        concurrency = 8
        per_host = 8

        """
        for name in names { text += "[[feed]]\nname = \"\(name)\"\nurl = \"\(server.url(name))\"\n" }
        let config = folder.appendingPathComponent("feeds.toml")
        try Data(text.utf8).write(to: config)
        let poll = try TributaryBinary.run(["poll", "--config", config.path])
        XCTAssertEqual(poll.status, 0, poll.stderr)
        XCTAssertTrue(poll.stdout.contains("\(names.count) ok, 0 failed"), String(poll.stdout.suffix(300)))

        let script = packageRoot.appendingPathComponent("Tests/Support/realfeeds_check.py").path
        let (status, output) = try runTool("/usr/bin/env", ["python3", script, checker,
                                                            folder.appendingPathComponent("state/merged.atom").path,
                                                            folder.appendingPathComponent("state/merged.json").path])
        print(output)
        XCTAssertEqual(status, 0, output)
    }
}
