import Foundation
import XCTest
@testable import Tributary

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh temporary folder, removed when the test ends.
func makeTemporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The loopback feed server of `Tests/Support/feedserver.py`, serving one folder.
final class FeedServer {
    let root: URL
    let port: Int
    private let process: Process
    private let stdin: Pipe

    init(root: URL) throws {
        self.root = root
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("Tests/Support/feedserver.py").path, root.path]
        let out = Pipe()
        stdin = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw NSError(domain: "FeedServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start"])
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            try? stdin.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: root.appendingPathComponent(name))
    }

    /// Scripts fault behaviour; see feedserver.py for the step format.
    func routes(_ routes: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: routes)
        try data.write(to: root.appendingPathComponent("_routes.json"), options: .atomic)
    }

    /// Every request the server saw, in completion order.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOf: root.appendingPathComponent("_requests.log"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// A small RSS 2.0 document.
func rssDocument(title: String = "Outlet", link: String = "https://outlet.example/", items: [(guid: String, title: String, link: String, text: String, date: String)]) -> String {
    var x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>\(title)</title><link>\(link)</link>\n"
    for item in items {
        x += "<item><guid isPermaLink=\"false\">\(item.guid)</guid><title>\(item.title)</title><link>\(item.link)</link>"
        x += "<description>\(item.text)</description><pubDate>\(item.date)</pubDate></item>\n"
    }
    return x + "</channel></rss>\n"
}

/// A long distinct body text, so content fingerprints differ per story.
func storyText(_ seed: String) -> String {
    (0..<30).map { "word\($0)-\(seed)" }.joined(separator: " ")
}

/// Runs the built `tributary` binary.
struct TributaryBinary {
    static var path: String {
        if let override = ProcessInfo.processInfo.environment["TRIBUTARY_BIN"] { return override }
        for candidate in [".build/debug/tributary", ".build/release/tributary"] {
            let path = packageRoot.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/tributary").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `tributary run` in the background; stderr goes to `log`.
    static func start(_ arguments: [String], log: URL, environment: [String: String]? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        return process
    }
}

/// Runs a tool to completion; returns its exit status and its stdout and stderr together.
func runTool(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: TimeInterval = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}

/// A configuration file for the feeds at `urls`, with state in `folder`.
/// `poll` replaces the default `[poll]` table when given.
func writeConfig(_ folder: URL, feeds: [(name: String, url: String, tags: [String])], extra: String = "",
                 poll: String = "[poll]\ninterval = \"15m\"\nconcurrency = 4\ntimeout = \"5s\"") throws -> URL {
    var text = """
    [storage]
    database = "state/tributary.sqlite"
    [output]
    path = "state/merged.atom"
    title = "Test merged"
    max_entries = 100
    \(poll)
    \(extra)

    """
    for feed in feeds {
        text += "[[feed]]\nname = \"\(feed.name)\"\nurl = \"\(feed.url)\"\n"
        if !feed.tags.isEmpty { text += "tags = [\(feed.tags.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
        text += "\n"
    }
    let url = folder.appendingPathComponent("feeds.toml")
    try Data(text.utf8).write(to: url)
    return url
}

/// A test case with a temporary folder and loopback feed servers that stop with the test.
class LoopbackTestCase: XCTestCase {
    var folder: URL!
    var servers: [FeedServer] = []

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder(self)
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
    }

    func startServer() throws -> FeedServer {
        let root = folder.appendingPathComponent("www\(servers.count)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try FeedServer(root: root)
        servers.append(server)
        return server
    }
}

/// Asserts that `text`, read as `feeds.toml`, is refused with the given line, key and message fragment.
func assertConfigError(_ text: String, line: Int?, key: String?, contains fragment: String,
                       file: StaticString = #filePath, lineNumber: UInt = #line) {
    do {
        _ = try ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/srv/tributary/feeds.toml")
        XCTFail("expected an error", file: file, line: lineNumber)
    } catch {
        XCTAssertEqual(error.line, line, "\(error)", file: file, line: lineNumber)
        XCTAssertEqual(error.key, key, "\(error)", file: file, line: lineNumber)
        XCTAssertTrue(error.description.contains(fragment), "\(error)", file: file, line: lineNumber)
        XCTAssertTrue(error.description.hasPrefix("feeds.toml:"), "\(error)", file: file, line: lineNumber)
    }
}
